import Foundation
import PDWire

/// A store whose p99 gRPC message duration (Prometheus) is above `p99Threshold`.
public enum HighLatencyCheck {
    public static func evaluate(_ policy: LatencyInvariant, _ snapshot: ClusterSnapshot) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.highLatency) }
        return StoreMetricCheck.evaluate(
            .highLatency, severity: policy.severity, threshold: policy.p99Threshold.seconds, snapshot: snapshot,
            reading: { $0.metrics.p99Latency }, readingName: "p99Latency", source: ReadingSource.grpcP99,
            summary: { "store \($0.id) p99 gRPC latency is above \(policy.p99Threshold)" })
    }
}
