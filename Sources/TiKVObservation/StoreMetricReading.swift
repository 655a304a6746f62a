import PDWire
import Reconcilers

/// Maps query results to stores: TiKV series through the store's `status_address` (Prometheus'
/// `instance` label; TiKV is scraped on `:20180`, not the client port `:20160`), PD series through
/// the `store` label.
package struct StoreSeriesMatcher: Sendable {
    /// status address → store id.
    private let byStatusAddress: [String: UInt64]
    let storeIDs: [UInt64]

    package init(stores: [MetaStore]) {
        var map: [String: UInt64] = [:]
        for s in stores where !s.statusAddress.isEmpty {
            map[Self.normalize(s.statusAddress)] = s.id
        }
        byStatusAddress = map
        storeIDs = stores.map(\.id)
    }

    /// The store a series belongs to, or nil when it is not one of ours.
    package func storeID(for labels: [String: String], key: StoreSeriesKey) -> UInt64? {
        switch key {
        case .instance: return labels["instance"].flatMap { byStatusAddress[Self.normalize($0)] }
        case .store: return labels["store"].flatMap { UInt64($0) }.flatMap { storeIDs.contains($0) ? $0 : nil }
        case .cluster: return nil
        }
    }

    /// One reading per known store; stores without a series read `.noSeries`, and stores with several (which one
    /// is the store's is unknown) `.failed`.
    func readings(_ samples: [PromSample], key: StoreSeriesKey) -> [UInt64: MetricReading] {
        var out = Dictionary(uniqueKeysWithValues: storeIDs.map { ($0, MetricReading.noSeries) })
        let several = seriesCounts(samples, key: key).filter { $0.value > 1 }
        for s in samples {
            guard let id = storeID(for: s.labels, key: key) else { continue }
            out[id] = s.point.value.isNaN ? .notANumber : .value(s.point.value)
        }
        for (id, count) in several { out[id] = .failed("\(count) series for one store") }
        return out
    }

    /// How many series of `samples` belong to each store (a query that sums `by (instance)` gives one).
    func seriesCounts(_ samples: [PromSample], key: StoreSeriesKey) -> [UInt64: Int] {
        var counts: [UInt64: Int] = [:]
        for s in samples {
            if let id = storeID(for: s.labels, key: key) { counts[id, default: 0] += 1 }
        }
        return counts
    }

    /// Every store reads `.failed` when the query failed.
    func failed(_ error: PrometheusError) -> [UInt64: MetricReading] {
        Dictionary(uniqueKeysWithValues: storeIDs.map { ($0, MetricReading.failed(error.description)) })
    }

    /// Hosts compare case-insensitively; a scheme prefix or trailing slash is ignored.
    static func normalize(_ address: String) -> String {
        var s = Substring(address.lowercased())
        for scheme in ["http://", "https://"] where s.hasPrefix(scheme) { s = s.dropFirst(scheme.count) }
        while s.hasSuffix("/") { s = s.dropLast() }
        return String(s)
    }
}
