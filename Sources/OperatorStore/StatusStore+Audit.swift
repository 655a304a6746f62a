import Foundation
import GRDB

/// The append-only audit log. SQLite triggers abort any UPDATE or DELETE on it.
extension StatusStore {
    /// Appends an entry. A controller needs the lease; a client may append entries about
    /// what it did itself (its approvals, its settings), under its own actor name only, so
    /// the CLI cannot write history in someone else's name.
    @discardableResult
    package func appendAudit(_ entry: AuditEntry) throws -> AuditEntry {
        guard !entry.actor.isEmpty, !entry.action.isEmpty else {
            throw StoreError.invalidArgument("an audit entry needs an actor and an action")
        }
        let authority: WriteAuthority
        switch role {
        case .controller:
            authority = .leaseHolder(operation: "append to the audit log")
        case .client(let actor):
            guard entry.actor == actor else {
                throw StoreError.readOnlyRole(operation: "append audit entries in the name of \"\(entry.actor)\"")
            }
            authority = .anyRole
        }
        return try write(authority) { db, _ in
            WriteResult(value: try entry.insert(db), changed: true)
        }
    }

    /// Entries in append order, optionally only those at or after `since` and about one
    /// kind (and name); `limit` keeps the most recent ones.
    package func audit(since: Date? = nil, kind: String? = nil, name: String? = nil, limit: Int = 1000) throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let since {
            conditions.append("timestamp >= ?")
            arguments += [StoreTime.millis(since)]
        }
        if let kind {
            conditions.append("kind = ?")
            arguments += [kind]
        }
        if let name {
            conditions.append("name = ?")
            arguments += [name]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [max(0, limit)]
        return try dbPool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM (SELECT * FROM audit \(filter) ORDER BY id DESC LIMIT ?) ORDER BY id",
                arguments: arguments
            ).map(AuditEntry.init(row:))
        }
    }

    /// How many entries with `action` about objects of `kind` were appended at or after `since`, per object name:
    /// one indexed aggregate (by timestamp), however long the log is.
    package func auditCounts(action: String, kind: String, since: Date) throws -> [String: Int] {
        try dbPool.read { db in
            var counts: [String: Int] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT name, COUNT(*) AS n FROM audit WHERE timestamp >= ? AND kind = ? AND action = ? GROUP BY name",
                arguments: [StoreTime.millis(since), kind, action])
            for row in rows {
                let name: String? = row["name"]
                counts[name ?? ""] = row["n"]
            }
            return counts
        }
    }
}
