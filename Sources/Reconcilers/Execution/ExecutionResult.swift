import Foundation

/// A PD mutation to send now. Its intent (the step Running, attempt counted, request recorded) is in
/// the plan status of the same result, which the controller writes durably **before** sending.
public struct StepCall: Sendable, Equatable {
    public var plan: String
    public var step: Int
    public var action: Action
    public var call: PDCall
    public var attempt: Int
}

public struct ExecutionResult: Sendable, Equatable {
    public var plans: [RemediationPlan]
    public var calls: [StepCall]
    /// Regions whose PD operator must be cancelled (the kill switch stopped the plan that started it).
    public var cancelOperators: [UInt64]
    /// Tickets opened because a plan failed (escalation, queued for diagnosis).
    public var tickets: [Ticket]
    public var events: [Event]
    public var decisions: [String]
    /// How soon to look again while steps are in progress; nil when nothing is moving.
    public var requeueAfter: TimeInterval?

    /// Nothing decided yet.
    static let empty = ExecutionResult(plans: [], calls: [], cancelOperators: [], tickets: [], events: [], decisions: [], requeueAfter: nil)
}
