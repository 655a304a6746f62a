import Foundation

/// A PD mutation to send now.
public typealias StepCall = SubjectStepCall<TiKVSubject>
/// What one pass of the executor decided for a TiKV cluster.
public typealias ExecutionResult = SubjectExecutionResult<TiKVSubject>

/// A request to send now. Its intent (the step Running, attempt counted, request recorded) is in the plan status of
/// the same result, which the controller writes durably **before** sending.
public struct SubjectStepCall<S: Subject>: Sendable, Equatable {
    public var plan: String
    public var step: Int
    public var action: S.Action
    public var call: S.Request
    public var attempt: Int
}

public struct SubjectExecutionResult<S: Subject>: Sendable, Equatable {
    public var plans: [SubjectPlan<S>]
    public var calls: [SubjectStepCall<S>]
    /// What to cancel in the subject because the kill switch stopped the plan that started it (TiKV: regions whose PD
    /// operator must be cancelled).
    public var cancelOperators: [S.Cancellation]
    /// Tickets opened because a plan failed (escalation, queued for diagnosis).
    public var tickets: [Ticket]
    public var events: [Event]
    /// What the pass decided, for the log.
    public var decisions: [PassDecision]
    /// How soon to look again while steps are in progress; nil when nothing is moving.
    public var requeueAfter: TimeInterval?

    /// Nothing decided yet.
    static var empty: Self { Self(plans: [], calls: [], cancelOperators: [], tickets: [], events: [], decisions: [], requeueAfter: nil) }
}
