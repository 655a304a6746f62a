import Foundation

/// One person's decision on one revision of a plan, as the store holds it. The only thing that
/// approves: model output, PD labels and annotations never become votes.
public struct ApprovalVote: Sendable, Equatable {
    public var plan: String
    public var revision: String
    public var approve: Bool
    public var approver: String
    /// `cli`, `spec:approvals.yaml/approve-drain`, `dashboard`.
    public var source: String
    public var createdAt: Date
    /// Set by the CLI from the cluster's TTL; when nil the policy's TTL applies from `createdAt`.
    public var expiresAt: Date?

    public init(plan: String, revision: String, approve: Bool, approver: String, source: String, createdAt: Date,
                expiresAt: Date? = nil) {
        self.plan = plan
        self.revision = revision
        self.approve = approve
        self.approver = approver
        self.source = source
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Whether a plan's current revision may run, and the `Approved` condition that says so.
public struct ApprovalVerdict: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// Enough distinct people approved this revision (or the tier needs none).
        case approved(by: [String])
        /// A person rejected this revision: terminal.
        case rejected(by: String)
        case waiting
    }

    public var outcome: Outcome
    /// For the `Approved` condition: `Approved`, `AutoApproved`, `Rejected`, `AwaitingApproval`,
    /// `RevisionChanged`, `ApprovalExpired`.
    public var reason: String
    public var message: String

    public var isApproved: Bool { if case .approved = outcome { return true } else { return false } }
}

/// Applies the approval policy to the votes of one plan: votes bind to the plan's revision, expire
/// after the policy's TTL, count once per distinct person, and a rejection ends the plan.
public enum ApprovalEvaluator {
    /// People needed for this plan: its risk tier's count, at least what its actions demand (`minimumApprovals`), and
    /// at least one for AI-suggested plans.
    public static func required<S>(for plan: SubjectPlanSpec<S>, policy: ApprovalPolicy) -> Int {
        let tier = max(policy.tier(plan.risk).requiredApprovals, plan.minimumApprovals)
        return plan.origin == .ai ? max(1, tier) : tier
    }

    /// Any subject's plan: its risk is the highest of its steps' (`Subject.risk(of:)`).
    public static func evaluate<S>(plan: SubjectPlan<S>, policy: ApprovalPolicy, votes: [ApprovalVote], now: Date) -> ApprovalVerdict {
        // A vote under a name that is no person's (reserved, control characters, empty) decides nothing.
        let mine = votes.filter { $0.plan == plan.name && PersonName.normalized($0.approver) != nil }
        let revision = plan.spec.revision
        let current = mine.filter { $0.revision == revision }

        if let rejection = current.filter({ !$0.approve }).min(by: { $0.createdAt < $1.createdAt }) {
            return ApprovalVerdict(outcome: .rejected(by: rejection.approver), reason: "Rejected",
                                   message: "rejected by \(rejection.approver) (\(rejection.source))")
        }

        let need = required(for: plan.spec, policy: policy)
        if need == 0 {
            return ApprovalVerdict(outcome: .approved(by: []), reason: "AutoApproved",
                                   message: "risk tier \(plan.spec.risk.rawValue) needs no person under the cluster's approval policy")
        }

        let ttl = Double(policy.ttl.nanoseconds) / 1e9
        func expiry(_ v: ApprovalVote) -> Date { v.expiresAt ?? v.createdAt.addingTimeInterval(ttl) }
        let approvals = current.filter(\.approve)
        let live = approvals.filter { expiry($0) > now }
        // Counted once however they spell their name; `mine` holds only votes whose names normalise.
        let people = Set(live.compactMap { PersonName.normalized($0.approver) }).sorted()
        if people.count >= need {
            return ApprovalVerdict(outcome: .approved(by: people), reason: "Approved",
                                   message: "approved by \(people.joined(separator: ", ")) at revision \(revision)")
        }

        let missing = need - people.count
        let tierText = "risk tier \(plan.spec.risk.rawValue)\(plan.spec.origin == .ai ? ", suggested by AI" : "") needs \(need) distinct approver(s)"
        if people.isEmpty, !approvals.isEmpty {
            return ApprovalVerdict(outcome: .waiting, reason: "ApprovalExpired",
                                   message: "the approval(s) of revision \(revision) expired; \(tierText)")
        }
        if people.isEmpty, mine.contains(where: { $0.approve && $0.revision != revision }) {
            return ApprovalVerdict(outcome: .waiting, reason: "RevisionChanged",
                                   message: "the plan changed since it was approved (now revision \(revision)); \(tierText)")
        }
        let have = people.isEmpty ? "" : " (approved so far by \(people.joined(separator: ", ")))"
        return ApprovalVerdict(outcome: .waiting, reason: "AwaitingApproval",
                               message: "\(tierText); \(missing) more needed\(have): operator approve plan/\(plan.name) --revision \(revision)")
    }

}
