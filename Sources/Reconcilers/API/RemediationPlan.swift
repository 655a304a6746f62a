import Foundation
import PDWire

public enum PlanOrigin: String, Codable, Sendable, CaseIterable {
    /// Computed by a reconciler from drift or a playbook.
    case reconciler
    /// Suggested by a diagnosis model; always needs a person's approval.
    case ai
}

/// One step of a TiKV plan.
public typealias PlanStep = SubjectPlanStep<TiKVSubject>

/// One step of a plan: an action of its subject with its risk, what must hold before it, what it should achieve.
public struct SubjectPlanStep<S: Subject>: Codable, Sendable, Equatable {
    public var name: String
    public var action: S.Action
    public var risk: RiskTier
    public var preconditions: [String]
    /// What the snapshot must show for the step to count as done.
    public var expectedEffect: String
    public var timeout: GoDuration
    /// Steps sharing a batch number may run at the same time; batch n + 1 starts only once every step of
    /// batch n is observed done. nil: the step runs alone, after the steps before it.
    public var batch: Int?

    public init(name: String, action: S.Action, preconditions: [String] = [], expectedEffect: String, timeout: GoDuration,
                batch: Int? = nil) {
        self.name = name
        self.action = action
        self.risk = S.risk(of: action)
        self.preconditions = preconditions
        self.expectedEffect = expectedEffect
        self.timeout = timeout
        self.batch = batch
    }
}

/// A TiKV plan's spec.
public typealias RemediationPlanSpec = SubjectPlanSpec<TiKVSubject>

/// Drift turned into steps. Written by the controller; only people approve it (through the approval
/// records, never through this spec).
public struct SubjectPlanSpec<S: Subject>: Codable, Sendable, Equatable, SpecValidatable {
    public var cluster: String
    public var origin: PlanOrigin
    /// What the plan fixes, used to never keep two plans for one concern (e.g. `balance-leaders`).
    public var concern: String
    public var reason: String
    public var ticket: String?
    public var steps: [SubjectPlanStep<S>]
    /// Hash of the steps; an approval names the revision it approves.
    public var revision: String
    /// Plans that must have succeeded before this one starts.
    public var after: [String]
    public var notBefore: Date?
    /// For origin `ai`: the model's case for the plan (`ModelProposal`); nil for every other plan.
    public var proposal: ModelProposal?

    public init(cluster: String, origin: PlanOrigin, concern: String, reason: String, ticket: String? = nil, steps: [SubjectPlanStep<S>],
                after: [String] = [], notBefore: Date? = nil, proposal: ModelProposal? = nil) {
        self.cluster = cluster
        self.origin = origin
        self.concern = concern
        self.reason = reason
        self.ticket = ticket
        self.steps = steps
        self.revision = Self.revision(of: steps)
        self.after = after
        self.notBefore = notBefore
        self.proposal = proposal
    }

    /// The highest risk of any step decides who must approve.
    public var risk: RiskTier { steps.map(\.risk).max() ?? .low }

    /// People who must approve whatever the policy's tier says: the most any step's action demands (`Subject.minimumApprovals`).
    public var minimumApprovals: Int { steps.map { S.minimumApprovals(of: $0.action) }.max() ?? 0 }

    /// A content hash of the steps, stable across runs and machines.
    public static func revision(of steps: [SubjectPlanStep<S>]) -> String {
        ContentHash.hex(of: CanonicalJSON.encode(steps))
    }

    public func validate(_ v: inout Validator) {}
}

public enum PlanPhase: String, Codable, Sendable, CaseIterable {
    case pending = "Pending"
    case approved = "Approved"
    case executing = "Executing"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case cancelled = "Cancelled"
    case superseded = "Superseded"
    case rejected = "Rejected"

    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled, .superseded, .rejected: true
        case .pending, .approved, .executing: false
        }
    }
}

public enum StepPhase: String, Codable, Sendable, CaseIterable {
    case pending = "Pending"
    case running = "Running"
    case succeeded = "Succeeded"
    case failed = "Failed"
    case skipped = "Skipped"

    /// Observed done, or skipped because its effect already held or its target is no longer legal.
    public var isDone: Bool { self == .succeeded || self == .skipped }
}

/// Per-step progress: attempts, the PD request sent (or that would be sent in dry-run), the effect observed.
public struct StepStatus: Codable, Sendable, Equatable {
    public var name: String
    public var phase: StepPhase = .pending
    public var attempts: Int = 0
    public var nextRetry: Date?
    public var startedAt: Date?
    public var finishedAt: Date?
    /// e.g. `POST /pd/api/v1/operators {"name":"transfer-leader","region_id":24,"to_store_id":1}`.
    public var pdRequest: String?
    public var observedEffect: String?
    public var lastError: String?
    /// Attempts whose call provably never reached PD (the controller died between intent and call):
    /// they do not count against the retry limit, up to `PlanExecution.maxLostCalls`.
    public var lostCalls: Int?
    public init(name: String) { self.name = name }
}

public struct RemediationPlanStatus: Codable, Sendable, Equatable, ObjectStatus {
    public var observedGeneration: Int64 = 0
    /// `Approved`, `Progressing`, `Succeeded`, `Failed`, `Blocked` (reason names the gate).
    public var conditions: [Condition] = []
    public var phase: PlanPhase = .pending
    public var steps: [StepStatus] = []
    /// What the controller removed from PD after the plan ended without success (nothing left behind).
    public var cleanup: String?
    public init() {}
}
