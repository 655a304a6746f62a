import Foundation
import GRDB
import Reconcilers

/// Approvals: the third writable part of a plan (like a CSR's /approval subresource). Both
/// roles write them without the lease, so `operator approve` works while a controller runs.
extension StatusStore {
    /// Records a decision and its audit entry in one transaction. Adding an unsigned record identical in
    /// (plan, revision, decision, approver, source) to one that has not expired returns that one unchanged; adding a
    /// signature already stored for the same decision returns it unchanged. A signature stored for anything else is
    /// refused (`StoreError.invalidArgument`), with an `approval.refused` audit entry: a signature counts once.
    @discardableResult
    package func addApproval(_ approval: ApprovalRecord) throws -> ApprovalRecord {
        for (field, value) in [("plan", approval.plan), ("revision", approval.revision),
                               ("approver", approval.approver), ("source", approval.source)]
        where value.isEmpty {
            throw StoreError.invalidArgument("an approval needs a non-empty \(field)")
        }
        // Whatever writes it (CLI, dashboard, spec sync), an approval is a person's, in the form the rules count.
        do { _ = try PersonName(validating: approval.approver) } catch {
            throw StoreError.invalidArgument("approver \"\(approval.approver)\": \(error.description)")
        }
        let outcome: Result<ApprovalRecord, StoreError> = try write(.anyRole) { db, _ in
            if let signature = approval.signature {
                if let row = try Row.fetchOne(db, sql: "SELECT * FROM approvals WHERE signature = ?", arguments: [signature.armored]) {
                    let existing = try ApprovalRecord(row: row)
                    if existing.plan == approval.plan, existing.revision == approval.revision,
                       existing.decision == approval.decision, existing.approver == approval.approver {
                        return WriteResult(value: .success(existing), changed: false)
                    }
                    let why = "this signature is already recorded as approval #\(existing.id ?? 0) (\(existing.approver), plan "
                        + "\(existing.plan) revision \(existing.revision)): a signature counts once"
                    _ = try Self.refusalAudit(approval, why, at: approval.createdAt).insert(db)
                    return WriteResult(value: .failure(.invalidArgument(why)), changed: true)
                }
            } else {
                let existingSQL = """
                    SELECT * FROM approvals
                    WHERE plan = ? AND revision = ? AND decision = ? AND approver = ? AND source = ? AND signature IS NULL
                      AND (expires_at IS NULL OR expires_at > ?)
                    ORDER BY id LIMIT 1
                    """
                let arguments: StatementArguments = [approval.plan, approval.revision, approval.decision.rawValue,
                                                     approval.approver, approval.source, StoreTime.millis(approval.createdAt)]
                if let existing = try Row.fetchOne(db, sql: existingSQL, arguments: arguments) {
                    return WriteResult(value: .success(try ApprovalRecord(row: existing)), changed: false)
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO approvals (plan, revision, decision, approver, source, reason, created_at, expires_at,
                                           payload, signature, key_fingerprint, refusal)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [approval.plan, approval.revision, approval.decision.rawValue, approval.approver, approval.source,
                            approval.reason, StoreTime.millis(approval.createdAt), approval.expiresAt.map(StoreTime.millis),
                            approval.signature?.payload, approval.signature?.armored, approval.keyFingerprint, approval.refusal])
            var stored = approval
            stored.id = db.lastInsertedRowID
            let verb = approval.decision == .approve ? "approved" : "rejected"
            let key = approval.keyFingerprint.map { " with key \($0)" } ?? (approval.signature == nil ? " (unsigned)" : "")
            _ = try AuditEntry(
                timestamp: approval.createdAt, actor: approval.approver, source: approval.source,
                action: "approval.\(approval.decision.rawValue)", kind: "RemediationPlan", name: approval.plan,
                after: try stored.auditJSON(),
                message: "\(approval.approver) \(verb) plan \(approval.plan) at revision \(approval.revision)\(key)"
                    + (approval.reason.map { ": \($0)" } ?? "")
            ).insert(db)
            if let refusal = approval.refusal { _ = try Self.refusalAudit(stored, refusal, at: approval.createdAt).insert(db) }
            return WriteResult(value: .success(stored), changed: true)
        }
        return try outcome.get()
    }

    /// Records why the controller does not count a decision (or that it counts again: nil), with an
    /// `approval.refused` audit entry when the reason is new. Called on every pass; writes only on a change.
    package func recordRefusal(approval id: Int64, _ refusal: String?, at now: Date) throws {
        try write(.anyRole) { db, _ in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM approvals WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound(kind: "Approval", name: String(id))
            }
            let record = try ApprovalRecord(row: row)
            guard record.refusal != refusal else { return WriteResult(value: (), changed: false) }
            try db.execute(sql: "UPDATE approvals SET refusal = ? WHERE id = ?", arguments: [refusal, id])
            if let refusal { _ = try Self.refusalAudit(record, refusal, at: now).insert(db) }
            return WriteResult(value: (), changed: true)
        }
    }

    private static func refusalAudit(_ approval: ApprovalRecord, _ why: String, at: Date) -> AuditEntry {
        let key = approval.keyFingerprint.map { " (key \($0))" } ?? ""
        return AuditEntry(
            timestamp: at, actor: approval.approver, source: approval.source, action: "approval.refused",
            kind: "RemediationPlan", name: approval.plan, before: nil, after: nil,
            message: "refused the \(approval.decision.rawValue) of plan \(approval.plan) at revision \(approval.revision) by "
                + "\(approval.approver)\(key): \(why)")
    }

    /// The decisions on one plan, oldest first, across all revisions.
    package func approvals(plan: String) throws -> [ApprovalRecord] {
        try dbPool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM approvals WHERE plan = ? ORDER BY id", arguments: [plan])
                .map(ApprovalRecord.init(row:))
        }
    }

    /// The decision stored with this armored signature, if any (a signature is stored once; indexed).
    package func approval(signature armored: String) throws -> ApprovalRecord? {
        try dbPool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM approvals WHERE signature = ?", arguments: [armored]).map(ApprovalRecord.init(row:))
        }
    }

    package func allApprovals() throws -> [ApprovalRecord] {
        try dbPool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM approvals ORDER BY id").map(ApprovalRecord.init(row:))
        }
    }
}
