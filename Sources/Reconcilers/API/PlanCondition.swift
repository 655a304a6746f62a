import Foundation

/// The condition types a `RemediationPlan` carries. The raw value is what is stored and shown, so it never changes.
public enum PlanConditionType: String, Sendable, CaseIterable {
    /// The current revision may run (reason from `ApprovalVerdict`).
    case approved = "Approved"
    /// Something holds the plan: an execution gate (reason: the `Gate`), a planner's blocker, or a wait of the executor.
    case blocked = "Blocked"
    case progressing = "Progressing"
    case failed = "Failed"
    case succeeded = "Succeeded"
    /// Set by `PlanIdentity` when the plan's concern vanished or another plan carries it.
    case superseded = "Superseded"
}

/// The reasons the executor writes on a plan's conditions, by condition (gate names, approval and planner reasons are
/// their own).
public enum PlanConditionReason: String, Sendable, CaseIterable {
    /// `Blocked=True` while the plan waits for a plan named in `spec.after`, for `spec.notBefore`, for a step's retry delay.
    case waitingForPlan = "WaitingForPlan", notBefore = "NotBefore", retryBackoff = "RetryBackoff"
    /// `Blocked=False`.
    case notBlocked = "NotBlocked"
    /// `Progressing=True` while steps run; `Progressing=False` once the kill switch cancelled the plan, a person
    /// rejected it, or it succeeded or failed.
    case stepsRunning = "StepsRunning", cancelled = "Cancelled", rejected = "Rejected", succeeded = "Succeeded", failed = "Failed"
    /// `Failed=True`: a leader drain that nothing evicts any more (`WaitPremise`), a step that used up its attempts,
    /// a started plan's next step whose preconditions failed for a whole step timeout, a mutating step that lacks a
    /// parameter and can never be sent.
    case nothingEvicts = "NothingEvicts", stepFailed = "StepFailed", preconditionNeverHeld = "PreconditionNeverHeld", stepInvalid = "StepInvalid"
    /// `Succeeded=True`: every step's effect was observed.
    case effectsObserved = "EffectsObserved"
}

extension Array where Element == Condition {
    public subscript(type type: PlanConditionType) -> Condition? { self[type: type.rawValue] }

    public func isTrue(_ type: PlanConditionType) -> Bool { isTrue(type.rawValue) }

    /// `set(_:_:reason:…)` for a plan condition; `reason` may be a gate's, a planner's or an approval's.
    @discardableResult
    public mutating func set(_ type: PlanConditionType, _ status: Condition.Status, reason: String, message: String,
                             observedGeneration: Int64, now: Date) -> Bool {
        set(type.rawValue, status, reason: reason, message: message, observedGeneration: observedGeneration, now: now)
    }

    @discardableResult
    public mutating func set(_ type: PlanConditionType, _ status: Condition.Status, reason: PlanConditionReason, message: String,
                             observedGeneration: Int64, now: Date) -> Bool {
        set(type.rawValue, status, reason: reason.rawValue, message: message, observedGeneration: observedGeneration, now: now)
    }
}
