import Foundation
import GRDB

/// One line of the append-only audit log: who did what to which object, with before/after.
package struct AuditEntry: Equatable, Sendable {
    /// Assigned by the store; nil on an entry not yet appended.
    package var id: Int64?
    package var timestamp: Date
    package var actor: String
    /// The channel: "cli", "controller", "spec:FILE/NAME".
    package var source: String
    /// What happened, dotted lowercase: "approval.approve", "setting.set", "lease.acquire".
    package var action: String
    package var kind: String?
    package var name: String?
    package var before: Data?
    package var after: Data?
    package var message: String

    package init(
        id: Int64? = nil, timestamp: Date, actor: String, source: String, action: String,
        kind: String? = nil, name: String? = nil, before: Data? = nil, after: Data? = nil,
        message: String
    ) {
        self.id = id
        self.timestamp = timestamp
        self.actor = actor
        self.source = source
        self.action = action
        self.kind = kind
        self.name = name
        self.before = before
        self.after = after
        self.message = message
    }
}

extension AuditEntry {
    init(row: Row) {
        let before: String? = row["before"]
        let after: String? = row["after"]
        self.init(
            id: row["id"], timestamp: StoreTime.date(row["timestamp"]), actor: row["actor"],
            source: row["source"], action: row["action"], kind: row["kind"], name: row["name"],
            before: before.map { Data($0.utf8) }, after: after.map { Data($0.utf8) },
            message: row["message"]
        )
    }

    /// Inserts the entry inside the caller's transaction and returns it with its id.
    func insert(_ db: Database) throws -> AuditEntry {
        try db.execute(
            sql: """
                INSERT INTO audit (timestamp, actor, source, action, kind, name, before, after, message)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                StoreTime.millis(timestamp), actor, source, action, kind, name,
                try StoreJSON.optionalText(before, field: "audit before"),
                try StoreJSON.optionalText(after, field: "audit after"), message,
            ])
        var stored = self
        stored.id = db.lastInsertedRowID
        return stored
    }
}
