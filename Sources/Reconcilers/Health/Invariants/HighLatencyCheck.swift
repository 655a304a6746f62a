import Foundation
import PDWire

/// A store whose p99 gRPC message duration (Prometheus) is above `p99Threshold`.
public enum HighLatencyCheck {
    /// TiKV's slow score runs from 1 (its disk probe sees no slow I/O) to 100; PD reports 0 when the
    /// store does not send one. PD's evict-slow-store scheduler treats 1 as recovered, and so does this check.
    static let recoveredSlowScore: UInt64 = 1

    public static func evaluate(_ policy: LatencyInvariant, _ snapshot: ClusterSnapshot) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.highLatency) }
        var verdict = StoreMetricCheck.evaluate(
            .highLatency, severity: policy.severity, threshold: policy.p99Threshold.seconds, snapshot: snapshot,
            reading: { $0.metrics.p99Latency }, readingName: "p99Latency", source: ReadingSource.grpcP99(snapshot.metricsOrigin),
            summary: { "store \($0.id) p99 gRPC latency is above \(policy.p99Threshold)" })
        // A store that serves no requests (its leaders were evicted because it was slow) has no latency to
        // measure, so its ticket could never resolve and the eviction would never end. TiKV's own disk probe
        // keeps reporting through PD's slow score whatever the traffic: idle and at the floor, it is not slow.
        for store in snapshot.stores where store.liveness == .alive && store.metrics.qps.value == 0
            && store.slowScore == recoveredSlowScore && store.metrics.p99Latency.value == nil {
            verdict.unknownSubjects.remove(HealthSubject.store(store.id))
        }
        return verdict
    }
}
