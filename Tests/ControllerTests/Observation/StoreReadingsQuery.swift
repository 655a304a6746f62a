import PDWire
import Reconcilers
@testable import TiKVObservation

/// One query at a time, for tests that check a single series' mapping (the observer batches its queries in
/// `PrometheusStoreMetrics`).
extension PrometheusClient {
    /// One reading per store for `q` (or `.failed` for every store when the query failed).
    func storeReadings(_ q: PromQuery, matcher: StoreSeriesMatcher) async -> [UInt64: MetricReading] {
        do {
            return matcher.readings(try await query(q.expr).vector, key: q.key)
        } catch {
            return matcher.failed(error)
        }
    }
}

extension StoreSeriesMatcher {
    /// A cluster-wide value: the single series, or `.noSeries`.
    static func clusterReading(_ samples: [PromSample]) -> MetricReading {
        guard let first = samples.first else { return .noSeries }
        return first.point.value.isNaN ? .notANumber : .value(first.point.value)
    }
}
