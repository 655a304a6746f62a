import Foundation
import PDWire

/// A slow store: its p99 gRPC message duration (Prometheus) is above `p99Threshold`, or PD calls it slow by TiKV's own
/// disk probe (slow score ≥ 80, `PDSlowScore`). The slow score does not depend on traffic: once PD's evict-slow-store
/// has drained the store, its p99 decays with its requests while the score stays high, and the ticket stays open.
public enum HighLatencyCheck {
    public static func evaluate(_ policy: LatencyInvariant, _ snapshot: ClusterSnapshot) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.highLatency) }
        guard snapshot.hasStores else { return .noVerdict(.highLatency) }
        let threshold = policy.p99Threshold.seconds
        let at = snapshot.observedAt
        // Without any latency source (no Prometheus and no `/metrics` to read), PD's slow score is the only slow-store
        // signal there is: it opens the ticket, and so it must be able to close it.
        let scoreAlone: Bool
        if case .skipped = snapshot.state(of: .metrics) { scoreAlone = true } else { scoreAlone = false }
        var violations: [Violation] = []
        var unknown: Set<String> = []
        for store in snapshot.stores where !store.isTombstone {
            let subject = HealthSubject.store(store.id)
            let p99 = store.metrics.p99Latency.value
            // A dead store's score is the last one PD heard: it says nothing about now.
            let score = store.liveness == .alive ? store.slowScore : 0
            let latencyHigh = p99.map { $0 > threshold } ?? false
            if latencyHigh || PDSlowScore.isSlow(score) {
                var readings: [Reading] = []
                if let p99 {
                    readings.append(Reading(name: "p99Latency", value: p99, unit: "seconds", source: ReadingSource.grpcP99(snapshot.metricsOrigin),
                                            observedAt: at))
                }
                readings.append(Reading(name: "threshold", value: threshold, unit: "seconds", source: ReadingSource.spec, observedAt: at))
                if score > 0 { readings.append(Reading(name: "slowScore", value: Double(score), unit: "score", source: ReadingSource.stores, observedAt: at)) }
                violations.append(Violation(invariant: .highLatency, subject: subject, severity: policy.severity,
                                            summary: summary(store.id, latencyHigh: latencyHigh, slow: PDSlowScore.isSlow(score), policy), readings: readings))
                continue
            }
            // No requests, no latency: an idle store whose disk probe is at its floor holds, so the ticket and an
            // eviction can end (PD's evict-slow-store drains a slow store of its traffic).
            if IdleStore.isHealthy(store) || (scoreAlone && PDSlowScore.isRecovered(score)) { continue }
            if p99 == nil {
                unknown.insert(subject)
            } else if score > PDSlowScore.recovered {
                // Fast again but the disk probe not yet at its floor (it falls 100 → 1 in five minutes): still the slow
                // store's episode, neither a new breakage nor a recovery, as PD's evict-slow-store waits for 1 too.
                unknown.insert(subject)
            }
        }
        return InvariantVerdict(invariant: .highLatency, violations: violations, unknownSubjects: unknown)
    }

    /// Which signal broke, in words that stay the same while it stays broken (the values are in the readings).
    static func summary(_ id: UInt64, latencyHigh: Bool, slow: Bool, _ policy: LatencyInvariant) -> String {
        let latency = "p99 gRPC latency is above \(policy.p99Threshold)"
        let score = "PD's slow score is at least \(PDSlowScore.slow) (TiKV's disk probe)"
        switch (latencyHigh, slow) {
        case (true, true): return "store \(id) \(latency) and \(score)"
        case (false, true): return "store \(id) is slow: \(score)"
        default: return "store \(id) \(latency)"
        }
    }
}
