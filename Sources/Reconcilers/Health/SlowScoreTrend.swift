/// The direction of PD's slow score over the last passes that saw it change.
public enum SlowScoreTrend: String, Sendable, Equatable {
    case rising, falling
    /// Seen once, or never changed since.
    case steady

    init(_ scores: [UInt64]) {
        guard scores.count >= 2 else {
            self = .steady
            return
        }
        self = scores[scores.count - 1] > scores[scores.count - 2] ? .rising : .falling
    }
}
