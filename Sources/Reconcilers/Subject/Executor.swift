/// Sends one subject's requests and says what became of each. The only part of execution that does I/O, so it
/// lives at the edge (the controller's `StepSender` for PD); the outcome decides what the plan does next.
public protocol Executor: Sendable {
    associatedtype Request: Sendable
    func send(_ request: Request) async -> StepOutcome
}

/// What became of one request, classified for crash safety.
public enum StepOutcome: Sendable, Equatable {
    /// The subject accepted it; the step still waits for its effect to be observed.
    case accepted(String)
    /// The subject refused it: provably nothing happened, the attempt failed and may be retried.
    case refused(String)
    /// It may have reached the subject: the step waits for its effect or its timeout, never blindly resent.
    case unknown(String)
}
