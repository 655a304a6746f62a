/// TiKV's disk slow score (`components/health_controller/src/slow_score.rs`, TiKV v8.5): a value in 1…100 kept
/// the AIMD way. Each update round, if some of the disk probes timed out the score is multiplied by
/// `1 + min(ratio, 0.1) / 0.1` (so at ≥ 10 % timeouts it doubles); with no timeout it falls linearly, 100 → 1 in
/// five minutes. TiKV reports it, truncated, as `slow_score` in every store heartbeat.
public struct DiskSlowScore: Sendable, Equatable {
    /// `DISK_TIMEOUT_RATIO_THRESHOLD`.
    static let ratioThreshold = 0.1
    /// `DISK_RECOVERY_INTERVALS`: the least time from 100 back to 1.
    static let recoverySeconds = 300.0

    public private(set) var value = 1.0

    public init() {}

    /// One update round covering `elapsedSeconds`, in which `timeoutRatio` of the probes exceeded the threshold.
    public mutating func update(timeoutRatio: Double, elapsedSeconds: Double) {
        if timeoutRatio <= 0 {
            let fall = 100 * elapsedSeconds / Self.recoverySeconds
            value = fall > value - 1 ? 1 : value - fall
        } else {
            let near = min(timeoutRatio, Self.ratioThreshold) / Self.ratioThreshold
            value = min(100, value * (1 + near))
        }
    }

    /// What the store heartbeat carries (`slow_score as u64`).
    public var reported: UInt64 { UInt64(value) }

    /// The simulator's disk probe under the `slow` fault: latencies are the normal ones times `factor`, and each
    /// 10 % of inflation puts 10 % of the probes past the inspect timeout (factor ≥ 2: all of them).
    static func timeoutRatio(slowFactor factor: Double) -> Double { min(1, max(0, factor - 1)) }
}
