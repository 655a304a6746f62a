import Foundation
import GRDB

/// The durable status store: one SQLite file (WAL) shared by the controller and the CLI.
///
/// Spec and status of objects, approvals, events, the audit log, settings and the
/// single-writer lease. Every method is synchronous and runs one short transaction; GRDB's
/// pool serializes writes within the process and SQLite's locks (with a busy timeout)
/// across processes. Timestamps are stored as Unix milliseconds, JSON as text.
package final class StatusStore: Sendable {
    let path: String
    let role: Role
    /// Reads "now" for lease expiry and default timestamps; tests pass a virtual clock.
    let clock: @Sendable () -> Date
    let dbPool: DatabasePool
    /// Where `unusableFile: .moveAside` kept the file it found at `path`; nil when it found a store.
    package let movedAside: String?

    /// Opens the store at `path`, creating it when nothing is there. A file there that is not a store is refused
    /// unless `unusableFile` is `.moveAside`. A controller's open runs `PRAGMA quick_check` first and refuses a damaged
    /// file: it is the process that would write on top of the damage, and it opens the store once, at its start.
    package init(path: String, role: Role, clock: @escaping @Sendable () -> Date = { Date() },
                 unusableFile: UnusableFilePolicy = .refuse) throws {
        guard !role.name.isEmpty else {
            throw StoreError.invalidArgument("the store role needs a non-empty holder or actor name")
        }
        self.path = path
        self.role = role
        self.clock = clock
        let isController = if case .controller = role { true } else { false }
        (self.dbPool, self.movedAside) = try StoreDatabaseFile.openPool(path: path, unusable: unusableFile, check: isController)
        try StoreDatabaseFile.migrate(dbPool, as: role, now: clock())
    }

    /// A number that grows with every committed change by any process (lease renewals
    /// excepted, so a controller does not wake itself). Cheap enough to poll every 200 ms.
    package func changeCounter() throws -> Int64 {
        try dbPool.read { db in try Self.metaValue(db, key: "change_counter") }
    }

    /// A number that grows with every committed change made by a client-role process (the CLI):
    /// what the controller polls to react to an approval within a second without waking itself.
    package func clientChangeCounter() throws -> Int64 {
        try dbPool.read { db in try Self.metaValue(db, key: "client_change_counter") }
    }

    /// The latest resourceVersion handed out, like etcd's current revision.
    func currentResourceVersion() throws -> Int64 {
        try dbPool.read { db in try Self.metaValue(db, key: "resource_version") }
    }

    // MARK: - Write transactions

    /// Who may run a write.
    enum WriteAuthority {
        /// Controller role holding an unexpired lease, checked inside the transaction (fencing).
        case leaseHolder(operation: String)
        /// Either role, no lease: approvals, settings, client audit entries.
        case anyRole
    }

    /// Result of a write body: its value and whether it changed anything (a no-op leaves the
    /// change counter alone).
    struct WriteResult<Value> {
        var value: Value
        var changed: Bool
    }

    /// Runs `body` in one IMMEDIATE transaction after checking `authority`, and bumps the
    /// change counter in the same transaction when the body changed something.
    func write<Value>(
        _ authority: WriteAuthority,
        _ body: (Database, Date) throws -> WriteResult<Value>
    ) throws -> Value {
        if case .leaseHolder(let operation) = authority, case .client = role {
            throw StoreError.readOnlyRole(operation: operation)
        }
        return try dbPool.write { db in
            let now = clock()
            if case .leaseHolder = authority {
                try requireLease(db, now: now)
            }
            let result = try body(db, now)
            if result.changed {
                try Self.bumpMeta(db, key: "change_counter")
                if case .client = role { try Self.bumpMeta(db, key: "client_change_counter") }
            }
            return result.value
        }
    }

    /// Fencing: a controller write commits only while its lease is held and unexpired.
    private func requireLease(_ db: Database, now: Date) throws {
        let lease = try LeaseRecord.fetch(db)
        guard let lease, lease.holder == role.name, lease.isValid(at: now) else {
            throw StoreError.leaseLost(
                holder: role.name,
                currentHolder: lease.flatMap { $0.isValid(at: now) ? $0.holder : nil })
        }
    }

    static func metaValue(_ db: Database, key: String) throws -> Int64 {
        guard let value = try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
        else { throw StoreError.corrupt("meta row \"\(key)\" is missing") }
        return value
    }

    /// Increments a meta counter and returns its new value.
    @discardableResult
    static func bumpMeta(_ db: Database, key: String) throws -> Int64 {
        try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = ?", arguments: [key])
        return try metaValue(db, key: key)
    }

    @discardableResult
    static func nextResourceVersion(_ db: Database) throws -> Int64 {
        try bumpMeta(db, key: "resource_version")
    }
}
