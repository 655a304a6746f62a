import Foundation
import Reconcilers

/// A `StoreMetricsSource`'s samples → the snapshot's `StoreMetrics` and the metrics source's state. Written once for
/// both sources, so Prometheus and the direct `/metrics` read mean the same by every reading.
enum StoreMetricsMapping {
    static func metrics(_ samples: StoreMetricSamples, stores: [StoreSnapshot]) -> ClusterObserver.Metrics {
        var readings: [UInt64: StoreMetrics] = [:]
        var silent: [UInt64] = []
        var implausible = samples.implausible
        for store in stores {
            let (sample, problems) = Plausibility.checked(samples.stores[store.id] ?? StoreMetricSamples.Store(
                up: .noSeries, p99LatencySeconds: .noSeries, qps: .noSeries, writeStallMicros: .noSeries), store: store.id)
            implausible += problems
            let m = metrics(sample)
            readings[store.id] = m
            if !store.isTombstone, [m.p99Latency, m.qps, m.writeStall, m.up].allSatisfy({ $0 == .noSeries }) { silent.append(store.id) }
        }
        let failures = samples.failures
        var problems = failures
        if !implausible.isEmpty { problems.append("implausible readings (unknown): " + implausible.joined(separator: ", ")) }
        if !silent.isEmpty { problems.append("no series for store " + silent.map(String.init).joined(separator: ", ")) }
        let state: SourceState = problems.isEmpty ? .complete
            : failures.count >= samples.reads ? .failed(failures.joined(separator: "; ")) : .partial(problems.joined(separator: "; "))
        return ClusterObserver.Metrics(readings: readings, fallback: StoreMetrics(), state: state)
    }

    static func metrics(_ s: StoreMetricSamples.Store) -> StoreMetrics {
        // TiKV exports the write-stall gauge in microseconds; the snapshot speaks seconds.
        let stall: MetricReading = s.writeStallMicros.value.map { .value($0 / 1e6) } ?? s.writeStallMicros
        var m = StoreMetrics(p99Latency: s.p99LatencySeconds, qps: s.qps, writeStall: stall, up: s.up, scrapedAt: s.scrapedAt)
        // A failed scrape is news about now; rates are averages over the window before it. A killed
        // store's rates linger for a whole window and would read as a process still serving.
        if m.up.value == 0 {
            m.p99Latency = .noSeries
            m.qps = .noSeries
        }
        return m
    }
}
