import Foundation

/// A system the core operates: what its actions are, what they ask of it, and how their effect shows in what is
/// observed of it. Plans (`SubjectPlan`), approval (`ApprovalEvaluator`), the gates' order (`GateOrder`), the
/// executor's stages (`PlanExecution`, with `ExecutedSubject`) and the sending (`Executor`) are written against this
/// seam; TiKV through PD is one conformance (`TiKVSubject`), a fake key-value service in the tests another. What the
/// seam does not yet carry: docs/architecture.md ("Subjects: what is generic").
public protocol Subject: Sendable {
    /// One step's action with its parameters, stored in a plan.
    associatedtype Action: Codable & Sendable & Hashable
    /// What one observation of the subject shows.
    associatedtype Snapshot: SubjectSnapshot
    /// The exact request an action sends: what dry-run records, the audit keeps and the executor sends.
    associatedtype Request: Sendable & Hashable & CustomStringConvertible
    /// What a step's gates and effect read besides the snapshot, read for this pass (TiKV: the step's region).
    associatedtype StepReads: Sendable
    /// What the subject reads for one pass of the executor besides the snapshot (TiKV: the cluster object, the
    /// regions of the steps in progress and PD's operators on them).
    associatedtype PassReads: Sendable
    /// What the kill switch cancels in the subject for a running step (TiKV: the region whose PD operator it started).
    associatedtype Cancellation: Sendable & Equatable

    /// Who answers the requests, in the executor's texts: `PD` (`the exact PD request`, `PD refused: …`).
    static var service: String { get }
    /// The action in one line for people: `transfer leader of region 24 from store 5 to store 1`.
    static func summary(of action: Action) -> String
    /// The names the action is about, as log fields (TiKV: `region`, `store`, `fromStore`, `toStore`); none by default.
    static func logFields(of action: Action) -> [String: String]
    /// Who must approve a step taking this action (`ApprovalPolicy`'s tiers).
    static func risk(of action: Action) -> RiskTier
    /// Distinct people who must approve a plan taking this action whatever the policy says (0: the policy decides).
    static func minimumApprovals(of action: Action) -> Int
    /// Whether the action sends a request (a wait only observes).
    static func mutates(_ action: Action) -> Bool
    /// Whether the action's effect comes at the subject's own pace: its step gets the slow timeout floor.
    static func isSlow(_ action: Action) -> Bool
    /// The request the action sends; nil for a wait and for an action that cannot be sent as it stands.
    static func request(for action: Action) -> Request?
    /// Why `request(for:)` has none for a mutating action: the plan fails rather than stall on it.
    static func unsendable(_ action: Action) -> String
    /// Whether the action's effect shows in what was observed. Done means observed: also the idempotency check
    /// before a request (an effect that already holds costs no request).
    static func effect(of action: Action, on snapshot: Snapshot, reads: StepReads) -> StepEffect.Verdict
    /// The subject's own gates, in its order, after the core's (`GateOrder`): the first that holds the action and
    /// why, or nil when none does. One that cannot decide holds.
    static func gate(_ action: Action, snapshot: Snapshot, reads: StepReads, limits: Limits, now: Date) -> (gate: Gate, why: String)?
    /// The settings the executor obeys in this pass (mode, pause, windows, limits, approval and retry policies).
    static func settings(of reads: PassReads) -> ExecutionSettings
    /// What one step's gates and effect read, from what the pass read.
    static func stepReads(for action: Action, in reads: PassReads) -> StepReads
    /// What the kill switch cancels for a running step taking this action; nil for nothing.
    static func cancellation(for action: Action) -> Cancellation?
}

/// What the core's gates read of any subject's observation: whether every source answered, and when.
public protocol SubjectSnapshot: Sendable {
    var isComplete: Bool { get }
    /// Why it is not complete, one line per source that failed.
    var incompleteReasons: [String] { get }
    var completedAt: Date { get }
}

extension Subject {
    public static func minimumApprovals(of action: Action) -> Int { 0 }
    public static func logFields(of action: Action) -> [String: String] { [:] }
}

extension SubjectSnapshot {
    public func isFresh(at now: Date, maxAge: TimeInterval) -> Bool {
        now.timeIntervalSince(completedAt) <= maxAge
    }
}
