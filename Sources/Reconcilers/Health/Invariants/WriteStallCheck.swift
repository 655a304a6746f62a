import Foundation
import PDWire

/// A store whose RocksDB write-stall p99 (Prometheus, worst over the window) is above `threshold`.
public enum WriteStallCheck {
    public static func evaluate(_ policy: WriteStallInvariant, _ snapshot: ClusterSnapshot) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.writeStall) }
        return StoreMetricCheck.evaluate(
            .writeStall, severity: policy.severity, threshold: policy.threshold.seconds, snapshot: snapshot,
            reading: { $0.metrics.writeStall }, readingName: "writeStall", source: ReadingSource.writeStall(snapshot.metricsOrigin),
            summary: { "store \($0.id) write stall is above \(policy.threshold)" })
    }
}
