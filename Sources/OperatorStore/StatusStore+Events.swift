import Foundation
import GRDB

/// Kubernetes-style events, written by the controller, deduplicated by content.
extension StatusStore {
    /// Records an event, or counts a repeat of an identical one (same regarding object,
    /// type, reason and message) by raising `count` and moving `lastTimestamp`.
    @discardableResult
    package func recordEvent(
        regardingKind: String, regardingName: String, type: EventRecord.EventType,
        reason: String, message: String, now: Date? = nil
    ) throws -> EventRecord {
        guard !reason.isEmpty else { throw StoreError.invalidArgument("an event needs a reason") }
        return try write(.leaseHolder(operation: "record events")) { db, storeNow in
            let at = StoreTime.millis(now ?? storeNow)
            let key: StatementArguments = [regardingKind, regardingName, type.rawValue, reason, message]
            try db.execute(
                sql: """
                    INSERT INTO events (regarding_kind, regarding_name, type, reason, message, count,
                                        first_timestamp, last_timestamp)
                    VALUES (?, ?, ?, ?, ?, 1, ?, ?)
                    ON CONFLICT (regarding_kind, regarding_name, type, reason, message) DO UPDATE SET
                        count = count + 1, last_timestamp = MAX(last_timestamp, excluded.last_timestamp)
                    """,
                arguments: key + [at, at])
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM events WHERE regarding_kind = ? AND regarding_name = ? AND type = ?
                    AND reason = ? AND message = ?
                    """,
                arguments: key)
            else { throw StoreError.corrupt("an event vanished inside its own transaction") }
            return WriteResult(value: try EventRecord(row: row), changed: true)
        }
    }

    /// Events about one object, most recent first.
    package func events(regardingKind: String, regardingName: String) throws -> [EventRecord] {
        try dbPool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM events WHERE regarding_kind = ? AND regarding_name = ?
                    ORDER BY last_timestamp DESC, id DESC
                    """,
                arguments: [regardingKind, regardingName]
            ).map(EventRecord.init(row:))
        }
    }

    /// The latest events about anything, most recent first.
    package func recentEvents(limit: Int) throws -> [EventRecord] {
        try dbPool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM events ORDER BY last_timestamp DESC, id DESC LIMIT ?",
                arguments: [max(0, limit)]
            ).map(EventRecord.init(row:))
        }
    }
}
