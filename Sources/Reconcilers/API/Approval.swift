import Foundation

public enum ApprovalDecision: String, Codable, Sendable, CaseIterable, SpecEnum, DefaultValue {
    /// The default.
    case approve
    case reject

    public static var defaultValue: ApprovalDecision { .approve }
}

/// A person's decision on one revision of a plan, declared in the spec directory (GitOps) or given to
/// `operator approve --from-file`. It has the same effect as `operator approve|reject plan/NAME --revision R`.
/// Signed, it carries every field of the `ApprovalPayload` it signs and the `SSHSIG` signature over it: the signature,
/// not who could write the ConfigMap, is what makes it count. `operator approve … --key K -o yaml` prints one.
public struct ApprovalSpec: Codable, Sendable, Equatable, SpecValidatable {
    public var plan: String
    /// The plan revision being approved; a plan whose steps change gets a new revision.
    public var revision: String
    @Default<ApprovalDecision> public var decision: ApprovalDecision
    /// Who decided: the principal the allowed-signers file lists for the signing key. Required: an approval is a
    /// person's act, never inferred.
    public var approver: String
    public var reason: String?
    /// The signed fields beyond the above: the plan's cluster, and when the signature was made and stops counting
    /// (`2006-01-02T15:04:05Z`). Required with `signature`.
    public var cluster: String?
    public var signedAt: String?
    public var expiresAt: String?
    /// The armored `-----BEGIN SSH SIGNATURE-----` block over the payload these fields make.
    public var signature: String?

    public init(plan: String, revision: String, decision: ApprovalDecision = ApprovalDecision.defaultValue, approver: String, reason: String? = nil,
                cluster: String? = nil, signedAt: String? = nil, expiresAt: String? = nil, signature: String? = nil) {
        self.plan = plan
        self.revision = revision
        self.decision = decision
        self.approver = approver
        self.reason = reason
        self.cluster = cluster
        self.signedAt = signedAt
        self.expiresAt = expiresAt
        self.signature = signature
    }

    /// A signed approval as an object: what `approve -o yaml` prints and `--from-file` reads back.
    public init(signed payload: ApprovalPayload, signature: String) {
        self.init(plan: payload.plan, revision: payload.revision, decision: payload.decision, approver: payload.principal,
                  reason: payload.reason, cluster: payload.cluster, signedAt: ApprovalPayload.format(payload.signedAt),
                  expiresAt: ApprovalPayload.format(payload.expiresAt), signature: signature)
    }

    /// The payload the signature must cover; nil when a signed field is missing or unreadable (`validate` says which).
    public var payload: ApprovalPayload? {
        guard let cluster, let signedAt = signedAt.flatMap(ApprovalPayload.parse), let expiresAt = expiresAt.flatMap(ApprovalPayload.parse)
        else { return nil }
        return ApprovalPayload(cluster: cluster, plan: plan, revision: revision, decision: decision, principal: approver,
                               signedAt: signedAt, expiresAt: expiresAt, reason: reason)
    }

    public func validate(_ v: inout Validator) {
        if let problem = validateObjectName(plan) { v.fail("plan", problem) }
        if !isPlanRevision(revision) {
            v.fail("revision", "\"\(revision)\" is not a plan revision: expected 16 lower-case hex digits as shown by `operator get plans`")
        }
        do { _ = try PersonName(validating: approver) } catch { v.fail("approver", error.description) }
        guard let signature else {
            for (field, value) in [("cluster", cluster), ("signedAt", signedAt), ("expiresAt", expiresAt)] where value != nil {
                v.fail(field, "is part of a signed approval: set signature too, or leave it out")
            }
            return
        }
        if !signature.contains("-----BEGIN SSH SIGNATURE-----") {
            v.fail("signature", "expected an armored SSH signature (-----BEGIN SSH SIGNATURE-----), as `operator approve --key … -o yaml` prints")
        }
        if cluster == nil { v.fail("cluster", "a signed approval names its cluster") }
        for (field, value) in [("signedAt", signedAt), ("expiresAt", expiresAt)] {
            if let value {
                if ApprovalPayload.parse(value) == nil { v.fail(field, "\"\(value)\" is not a time: expected 2006-01-02T15:04:05Z (UTC)") }
            } else {
                v.fail(field, "a signed approval says when it was signed and when it expires")
            }
        }
        if let payload {
            do { try payload.validate() } catch { v.fail("signature", "the signed payload is invalid: \(error.description)") }
        }
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
