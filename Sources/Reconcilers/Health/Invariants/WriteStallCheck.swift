import Foundation
import PDWire

/// A store whose RocksDB write-stall p99 (Prometheus, worst over the window) is above `threshold`. An idle store whose
/// traffic-independent signals are healthy (`IdleStore`) holds, whatever its stall gauge still says: with no writes
/// there is nothing to stall, and the gauge keeps the value it had when the traffic stopped.
public enum WriteStallCheck {
    public static func evaluate(_ policy: WriteStallInvariant, _ snapshot: ClusterSnapshot) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.writeStall) }
        var verdict = StoreMetricCheck.evaluate(
            .writeStall, severity: policy.severity, threshold: policy.threshold.seconds, snapshot: snapshot,
            reading: { $0.metrics.writeStall }, readingName: "writeStall", source: ReadingSource.writeStall(snapshot.metricsOrigin),
            summary: { "store \($0.id) write stall is above \(policy.threshold)" })
        for store in snapshot.stores where !store.isTombstone && IdleStore.isHealthy(store) {
            let subject = HealthSubject.store(store.id)
            verdict.unknownSubjects.remove(subject)
            verdict.violations.removeAll { $0.subject == subject }
        }
        return verdict
    }
}
