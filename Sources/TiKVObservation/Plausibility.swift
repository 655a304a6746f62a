import Foundation
import PDWire
import Reconcilers

/// What no real PD or TiKV can report. A value outside its physical bounds is not evidence of anything: it makes its
/// source partial with the reason (so nothing is resolved, planned or executed on it) and, where the snapshot can say
/// so, the reading unknown.
enum Plausibility {
    /// PD's stores: counts and sizes are never negative and weights never negative, and a store is listed once.
    static func problems(_ stores: [StoreInfo]) -> [String] {
        var problems: [String] = []
        var seen: Set<UInt64> = []
        for info in stores {
            let id = info.store.id
            if !seen.insert(id).inserted { problems.append("store \(id) listed more than once") }
            let s = info.status
            let counts: [(String, Int64)] = [
                ("leader_count", Int64(s.leaderCount)), ("region_count", Int64(s.regionCount)), ("leader_size", s.leaderSize),
                ("region_size", s.regionSize), ("learner_count", Int64(s.learnerCount)), ("witness_count", Int64(s.witnessCount)),
                ("pending_peer_count", Int64(s.pendingPeerCount)),
            ]
            for (name, value) in counts where value < 0 { problems.append("store \(id): \(name) \(value) is negative") }
            for (name, value) in [("leader_weight", s.leaderWeight), ("region_weight", s.regionWeight)] where !(value.isFinite && value >= 0) {
                problems.append("store \(id): \(name) \(value) is not a weight")
            }
        }
        return problems
    }

    /// One store's metric samples with each value outside its bounds made unknown, and what was wrong. Latency, QPS and
    /// write stall are finite and never negative (a p99 over no requests is NaN, which is no value, not a wrong one);
    /// `up` is 0 or 1.
    static func checked(_ s: StoreMetricSamples.Store, store id: UInt64) -> (StoreMetricSamples.Store, [String]) {
        var out = s
        var problems: [String] = []
        func check(_ reading: inout MetricReading, _ name: String, _ valid: (Double) -> Bool) {
            guard case .value(let v) = reading, !valid(v) else { return }
            problems.append("store \(id): \(name) \(v) is impossible")
            reading = .failed("\(name) \(v) is impossible")
        }
        let physical: (Double) -> Bool = { $0.isFinite && $0 >= 0 }
        check(&out.up, "up", { $0 == 0 || $0 == 1 })
        check(&out.p99LatencySeconds, "p99 latency", physical)
        check(&out.qps, "qps", physical)
        check(&out.writeStallMicros, "write stall", physical)
        // NaN as a count or a gauge (only a quantile over no requests is NaN) is as impossible as a negative.
        for (name, keyPath) in [("up", \StoreMetricSamples.Store.up), ("qps", \.qps), ("write stall", \.writeStallMicros)]
        where out[keyPath: keyPath] == .notANumber {
            problems.append("store \(id): \(name) NaN is impossible")
            out[keyPath: keyPath] = .failed("\(name) NaN is impossible")
        }
        return (out, problems)
    }
}
