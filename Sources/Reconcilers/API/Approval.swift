import Foundation

public enum ApprovalDecision: String, Codable, Sendable, CaseIterable, SpecEnum, DefaultValue {
    /// The default.
    case approve
    case reject

    public static var defaultValue: ApprovalDecision { .approve }
}

/// A person's decision on one revision of a plan, declared in the spec directory (GitOps).
/// It has the same effect as `operator approve|reject plan/NAME --revision R --as A`.
public struct ApprovalSpec: Codable, Sendable, Equatable, SpecValidatable {
    public var plan: String
    /// The plan revision being approved; a plan whose steps change gets a new revision.
    public var revision: String
    @Default<ApprovalDecision> public var decision: ApprovalDecision
    /// Who decided. Required: an approval is a person's act, never inferred.
    public var approver: String
    public var reason: String?

    public init(plan: String, revision: String, decision: ApprovalDecision = ApprovalDecision.defaultValue, approver: String, reason: String? = nil) {
        self.plan = plan
        self.revision = revision
        self.decision = decision
        self.approver = approver
        self.reason = reason
    }

    public func validate(_ v: inout Validator) {
        if let problem = validateObjectName(plan) { v.fail("plan", problem) }
        if !isPlanRevision(revision) {
            v.fail("revision", "\"\(revision)\" is not a plan revision: expected 16 lower-case hex digits as shown by `operator get plans`")
        }
        do { _ = try PersonName(validating: approver) } catch { v.fail("approver", error.description) }
    }
}

public struct ApprovalStatus: Codable, Sendable, Equatable, ObjectStatus {
    public var observedGeneration: Int64 = 0
    /// `Valid`, `Applied` (the decision was recorded against the plan).
    public var conditions: [Condition] = []
    public init() {}
}

/// Plan revisions are 64-bit content hashes printed as 16 hex digits.
public func isPlanRevision(_ s: String) -> Bool {
    s.count == 16 && s.unicodeScalars.allSatisfy { ($0 >= "0" && $0 <= "9") || ($0 >= "a" && $0 <= "f") }
}
