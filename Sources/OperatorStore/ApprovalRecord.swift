import Foundation
import GRDB
import Reconcilers

/// A person's decision on one revision of a plan. Approvals are bound to the revision: when
/// the plan's steps change, earlier approvals stop counting (the reconciler decides that).
package struct ApprovalRecord: Equatable, Sendable {
    /// The same decision an `Approval` object and a signed payload name.
    package typealias Decision = ApprovalDecision

    /// Assigned by the store; nil on a record not yet added.
    package var id: Int64?
    package var plan: String
    package var revision: String
    package var decision: Decision
    package var approver: String
    /// Where the decision came from: "cli", or "spec:approvals.yaml/approve-drain".
    package var source: String
    package var reason: String?
    package var createdAt: Date
    package var expiresAt: Date?
    /// The signed payload (`ApprovalPayload.canonicalText`) and its armored `SSHSIG` signature; nil for an unsigned
    /// decision. The controller verifies them on every pass: what is stored proves nothing by itself.
    package var signature: Signature?
    /// The `SHA256:…` fingerprint of the key the signature names, for people reading `describe` and `audit`.
    package var keyFingerprint: String?
    /// Why the controller refused to count this decision; nil while it counts (or was never looked at).
    package var refusal: String?

    package struct Signature: Equatable, Sendable {
        package var payload: String
        package var armored: String
        package init(payload: String, armored: String) {
            self.payload = payload
            self.armored = armored
        }
    }

    package init(
        id: Int64? = nil, plan: String, revision: String, decision: Decision, approver: String,
        source: String, reason: String? = nil, createdAt: Date, expiresAt: Date? = nil,
        signature: Signature? = nil, keyFingerprint: String? = nil, refusal: String? = nil
    ) {
        self.id = id
        self.plan = plan
        self.revision = revision
        self.decision = decision
        self.approver = approver
        self.source = source
        self.reason = reason
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.signature = signature
        self.keyFingerprint = keyFingerprint
        self.refusal = refusal
    }
}

extension ApprovalRecord {
    init(row: Row) throws {
        let decisionText: String = row["decision"]
        guard let decision = Decision(rawValue: decisionText) else {
            throw StoreError.corrupt("approval decision \"\(decisionText)\" is unknown")
        }
        let expires: Int64? = row["expires_at"]
        let payload: String? = row["payload"]
        let armored: String? = row["signature"]
        self.init(
            id: row["id"], plan: row["plan"], revision: row["revision"], decision: decision,
            approver: row["approver"], source: row["source"], reason: row["reason"],
            createdAt: StoreTime.date(row["created_at"]), expiresAt: expires.map(StoreTime.date),
            signature: payload.flatMap { p in armored.map { Signature(payload: p, armored: $0) } },
            keyFingerprint: row["key_fingerprint"], refusal: row["refusal"]
        )
    }

    /// The record as JSON, for the audit entry that accompanies it.
    func auditJSON() throws -> Data {
        var object: [String: String] = [
            "plan": plan, "revision": revision, "decision": decision.rawValue,
            "approver": approver, "source": source,
            "createdAt": createdAt.formatted(.iso8601),
        ]
        if let id { object["id"] = String(id) }
        if let reason { object["reason"] = reason }
        if let expiresAt { object["expiresAt"] = expiresAt.formatted(.iso8601) }
        if let keyFingerprint { object["keyFingerprint"] = keyFingerprint }
        if let signature { object["signedPayload"] = signature.payload }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(object)
    }
}
