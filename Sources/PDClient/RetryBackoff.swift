import Foundation

/// Exponential backoff with full jitter (delay drawn uniformly from [0, min(cap, base·2^attempt)]),
/// for retrying idempotent reads. Mutations are never retried automatically.
package struct RetryBackoff: Sendable, Hashable {
    var maxAttempts: Int
    var base: Duration
    var cap: Duration

    package init(maxAttempts: Int = 3, base: Duration = .milliseconds(100), cap: Duration = .seconds(2)) {
        self.maxAttempts = max(1, maxAttempts)
        self.base = base
        self.cap = cap
    }

    static let none = RetryBackoff(maxAttempts: 1)

    /// The ceiling for retry number `attempt` (0-based), before jitter.
    package func ceiling(attempt: Int) -> Duration {
        let factor = 1 << min(max(attempt, 0), 30)
        let grown = base * factor
        return grown > cap ? cap : grown
    }

    /// A jittered delay for retry number `attempt`, using `random` in [0, 1).
    func delay(attempt: Int, random: Double) -> Duration {
        ceiling(attempt: attempt) * min(max(random, 0), 1)
    }

    package func delay(attempt: Int) -> Duration {
        delay(attempt: attempt, random: Double.random(in: 0..<1))
    }
}
