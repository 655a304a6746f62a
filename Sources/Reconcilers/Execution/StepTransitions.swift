import Foundation

/// The moves of one step's status that every subject's steps make, so each is written once: the intent before a
/// request, the effect observed, and a skip because the effect held before any request.
extension StepStatus {
    /// The intent, written durably before the request is sent: Running, one more attempt, the exact request.
    public mutating func recordIntent(request: String, now: Date) {
        phase = .running
        startedAt = now
        attempts += 1
        nextRetry = nil
        // Stored as `pdRequest`: the name plans are stored and shown under.
        pdRequest = request
        observedEffect = nil
    }

    /// Done means observed: the step's effect shows in what was observed.
    public mutating func recordEffect(_ why: String, now: Date) {
        phase = .succeeded
        observedEffect = why
        finishedAt = now
        nextRetry = nil
    }

    /// The effect already held when the gates looked: nothing is sent.
    public mutating func skipAlreadyDone(_ why: String, now: Date) {
        phase = .skipped
        observedEffect = "already held before any call: \(why)"
        finishedAt = now
    }
}
