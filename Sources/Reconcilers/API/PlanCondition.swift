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

/// The reasons the executor writes on a plan's conditions (gate names, approval and planner reasons are their own).
public enum PlanConditionReason: String, Sendable, CaseIterable {
    /// `Progressing=False`: the kill switch cancelled the plan.
    case cancelled = "Cancelled"
    /// `Progressing=False`: a person rejected this revision.
    case rejected = "Rejected"
    /// `Blocked=True`: another plan named in `spec.after` has not succeeded.
    case waitingForPlan = "WaitingForPlan"
    /// `Blocked=True`: `spec.notBefore` is still ahead.
    case notBefore = "NotBefore"
    /// `Blocked=True`: a step waits out its retry delay.
    case retryBackoff = "RetryBackoff"
    /// `Failed=True`: a leader drain that nothing evicts any more (`WaitPremise`).
    case nothingEvicts = "NothingEvicts"
    /// `Failed=True`: a step used up its attempts.
    case stepFailed = "StepFailed"
    /// `Failed=True`: a started plan's next step did not meet its precondition for a whole step timeout.
    case preconditionNeverHeld = "PreconditionNeverHeld"
    /// `Failed=True`: a mutating step lacks a parameter and can never be sent.
    case stepInvalid = "StepInvalid"
    /// `Succeeded=True`: every step's effect was observed.
    case effectsObserved = "EffectsObserved"
    /// `Progressing=False` once the plan succeeded.
    case succeeded = "Succeeded"
    /// `Progressing=False` once the plan failed.
    case failed = "Failed"
    /// `Blocked=False`.
    case notBlocked = "NotBlocked"
    /// `Progressing=True`: steps run.
    case stepsRunning = "StepsRunning"
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
