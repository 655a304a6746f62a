import Foundation

/// One person's decision on one revision of a plan, as the store holds it and the controller verified it. The only
/// thing that approves: model output, PD labels and annotations never become votes.
public struct ApprovalVote: Sendable, Equatable {
    public var plan: String
    public var revision: String
    public var approve: Bool
    /// The principal: for a signed vote the one its payload names and the allowed-signers file lists for its key.
    public var approver: String
    /// `cli`, `spec:approvals.yaml/approve-drain`, `dashboard`.
    public var source: String
    public var createdAt: Date
    /// Set by the CLI from the cluster's TTL (or by the signed payload); when nil the policy's TTL applies.
    public var expiresAt: Date?
    /// The `SHA256:…` fingerprint of the key whose signature verified; nil for an unsigned vote, which counts only
    /// while the policy does not require signatures.
    public var keyFingerprint: String?
    /// The risk tiers this vote may approve: those whose `principals` match the approver or a group the allowed
    /// signers list on the key's line (`seniors`), and every tier that names none. Matched where the allowed signers
    /// are read (`ApprovalVerifier`), with OpenSSH's patterns.
    public var tiers: Set<RiskTier>

    public init(plan: String, revision: String, approve: Bool, approver: String, source: String, createdAt: Date,
                expiresAt: Date? = nil, keyFingerprint: String? = nil, tiers: Set<RiskTier> = Set(RiskTier.allCases)) {
        self.plan = plan
        self.revision = revision
        self.approve = approve
        self.approver = approver
        self.source = source
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.keyFingerprint = keyFingerprint
        self.tiers = tiers
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
        // A vote under a name that is no person's (reserved, control characters, empty) decides nothing; while the
        // policy requires signatures, neither does a vote no key signed, and an AI-suggested plan always needs one.
        let unsignedCount = !policy.requireSignatures && plan.spec.origin != .ai
        let mine = votes.filter {
            $0.plan == plan.name && PersonName.normalized($0.approver) != nil && (unsignedCount || $0.keyFingerprint != nil)
        }
        let revision = plan.spec.revision
        let tier = policy.tier(plan.spec.risk)
        let current = mine.filter { $0.revision == revision }

        // Anyone whose decision counts at all may stop a plan: a rejection needs no tier.
        if let rejection = current.filter({ !$0.approve }).min(by: { $0.createdAt < $1.createdAt }) {
            return ApprovalVerdict(outcome: .rejected(by: rejection.approver), reason: "Rejected",
                                   message: "rejected by \(identity(rejection)) (\(rejection.source))")
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
        let eligible = live.filter { $0.tiers.contains(plan.spec.risk) }
        let people = distinctPeople(eligible)
        let names = people.map(\.name)
        if people.count >= need {
            return ApprovalVerdict(outcome: .approved(by: names), reason: "Approved",
                                   message: "approved by \(people.map(\.text).joined(separator: ", ")) at revision \(revision)")
        }

        let missing = need - people.count
        let who = tier.principals.isEmpty ? "" : " among \(tier.principals.joined(separator: ", "))"
        let signed = plan.spec.origin == .ai && !policy.requireSignatures ? " with signed approvals" : ""
        let tierText = "risk tier \(plan.spec.risk.rawValue)\(plan.spec.origin == .ai ? ", suggested by AI" : "") needs \(need) distinct approver(s)\(who)\(signed)"
        if people.isEmpty, !approvals.isEmpty, live.isEmpty {
            return ApprovalVerdict(outcome: .waiting, reason: "ApprovalExpired",
                                   message: "the approval(s) of revision \(revision) expired; \(tierText)")
        }
        if people.isEmpty, !live.isEmpty {
            let outside = Set(live.map(\.approver)).sorted().joined(separator: ", ")
            return ApprovalVerdict(outcome: .waiting, reason: "ApproverNotAllowed",
                                   message: "approved by \(outside), who may not approve this tier; \(tierText)")
        }
        if people.isEmpty, mine.contains(where: { $0.approve && $0.revision != revision }) {
            return ApprovalVerdict(outcome: .waiting, reason: "RevisionChanged",
                                   message: "the plan changed since it was approved (now revision \(revision)); \(tierText)")
        }
        let have = people.isEmpty ? "" : " (approved so far by \(names.joined(separator: ", ")))"
        return ApprovalVerdict(outcome: .waiting, reason: "AwaitingApproval",
                               message: "\(tierText); \(missing) more needed\(have): operator approve plan/\(plan.name) --revision \(revision)")
    }

    /// A vote's approver, with its key when signed.
    static func identity(_ vote: ApprovalVote) -> String {
        vote.keyFingerprint.map { "\(vote.approver) (\($0))" } ?? vote.approver
    }

    /// The distinct people behind some votes. Two votes are one person when they share a principal or a key, and so
    /// on transitively: one key listed under two principals, or one principal holding two keys, is one person
    /// however many names or keys it signs with. Unsigned votes are people by name alone.
    static func distinctPeople(_ votes: [ApprovalVote]) -> [(name: String, text: String)] {
        var parent: [String: String] = [:]
        func find(_ x: String) -> String {
            var root = x
            while let p = parent[root], p != root { root = p }
            parent[x] = root
            return root
        }
        func union(_ a: String, _ b: String) {
            let (ra, rb) = (find(a), find(b))
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        var members: [(node: String, vote: ApprovalVote)] = []
        for vote in votes {
            guard let name = PersonName.normalized(vote.approver) else { continue }
            let person = "principal:" + name
            if parent[person] == nil { parent[person] = person }
            if let key = vote.keyFingerprint {
                let node = "key:" + key
                if parent[node] == nil { parent[node] = node }
                union(person, node)
            }
            members.append((person, vote))
        }
        var groups: [String: [ApprovalVote]] = [:]
        for (node, vote) in members { groups[find(node), default: []].append(vote) }
        return groups.values.map { group in
            let first = group.min { ($0.approver, $0.keyFingerprint ?? "") < ($1.approver, $1.keyFingerprint ?? "") } ?? group[0]
            return (PersonName.normalized(first.approver) ?? first.approver, identity(first))
        }.sorted { $0.name < $1.name }
    }
}
