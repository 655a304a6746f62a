import Foundation
import GRDB
import Reconcilers

/// Approvals: the third writable part of a plan (like a CSR's /approval subresource). Both
/// roles write them without the lease, so `operator approve` works while a controller runs.
extension StatusStore {
    /// Records a decision and its audit entry in one transaction. Adding a record identical
    /// in (plan, revision, decision, approver, source) returns the first one unchanged.
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
        return try write(.anyRole) { db, _ in
            let key: StatementArguments = [approval.plan, approval.revision, approval.decision.rawValue,
                                           approval.approver, approval.source]
            let existingSQL = """
                SELECT * FROM approvals
                WHERE plan = ? AND revision = ? AND decision = ? AND approver = ? AND source = ?
                """
            if let existing = try Row.fetchOne(db, sql: existingSQL, arguments: key) {
                return WriteResult(value: try ApprovalRecord(row: existing), changed: false)
            }
            try db.execute(
                sql: """
                    INSERT INTO approvals (plan, revision, decision, approver, source, reason,
                                           created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: key + [approval.reason, StoreTime.millis(approval.createdAt),
                                  approval.expiresAt.map(StoreTime.millis)])
            var stored = approval
            stored.id = db.lastInsertedRowID
            let verb = approval.decision == .approve ? "approved" : "rejected"
            _ = try AuditEntry(
                timestamp: approval.createdAt, actor: approval.approver, source: approval.source,
                action: "approval.\(approval.decision.rawValue)", kind: "RemediationPlan", name: approval.plan,
                after: try stored.auditJSON(),
                message: "\(approval.approver) \(verb) plan \(approval.plan) at revision \(approval.revision)"
                    + (approval.reason.map { ": \($0)" } ?? "")
            ).insert(db)
            return WriteResult(value: stored, changed: true)
        }
    }

    /// The decisions on one plan, oldest first, across all revisions.
    package func approvals(plan: String) throws -> [ApprovalRecord] {
        try dbPool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM approvals WHERE plan = ? ORDER BY id", arguments: [plan])
                .map(ApprovalRecord.init(row:))
        }
    }

    package func allApprovals() throws -> [ApprovalRecord] {
        try dbPool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM approvals ORDER BY id").map(ApprovalRecord.init(row:))
        }
    }
}
