import Foundation
import GRDB

/// Settings (e.g. the kill switch): key/value text, written by either role without the
/// lease so a person can always stop a running controller, and audited in the same transaction.
extension StatusStore {
    /// Sets a value; setting the value it already has changes nothing and audits nothing.
    func setSetting(key: String, value: String, actor: String) throws {
        guard !key.isEmpty, !actor.isEmpty else {
            throw StoreError.invalidArgument("a setting needs a non-empty key and actor")
        }
        try write(.anyRole) { db, now in
            let before = try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key])
            if before == value { return WriteResult(value: (), changed: false) }
            try db.execute(
                sql: """
                    INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET
                        value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                    """,
                arguments: [key, value, StoreTime.millis(now), actor])
            _ = try AuditEntry(
                timestamp: now, actor: actor, source: role.auditSource, action: "setting.set",
                kind: "Setting", name: key,
                before: try before.map(StoreJSON.encodeString), after: try StoreJSON.encodeString(value),
                message: "\(actor) set \(key) to \"\(value)\"" + (before.map { " (was \"\($0)\")" } ?? "")
            ).insert(db)
            return WriteResult(value: (), changed: true)
        }
    }

    func setting(key: String) throws -> String? {
        try dbPool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key])
        }
    }

    /// The kill switch's key in the settings table.
    package static let killSwitchKey = "killSwitch"

    /// Whether the kill switch is on. Callers fail closed: one that cannot read it treats it as on.
    package func killSwitchIsOn() throws -> Bool {
        try setting(key: Self.killSwitchKey) == "on"
    }

    package func setKillSwitch(on: Bool, actor: String) throws {
        try setSetting(key: Self.killSwitchKey, value: on ? "on" : "off", actor: actor)
    }
}
