import Foundation
import GRDB

/// The single-writer lease. Only one controller may write a store; every controller write
/// re-checks the lease inside its own transaction, so a controller whose lease was taken
/// over cannot commit even one more write.
extension StatusStore {
    /// Takes the lease if it is free, expired, or already ours; otherwise `leaseHeld`.
    @discardableResult
    package func acquireLease(ttl: Duration) throws -> LeaseRecord {
        guard case .controller(let holder) = role else {
            throw StoreError.readOnlyRole(operation: "acquire the controller lease")
        }
        let ttlMillis = StoreTime.millis(ttl)
        guard ttlMillis > 0 else { throw StoreError.invalidArgument("the lease TTL must be positive") }
        return try write(.anyRole) { db, now in
            let current = try LeaseRecord.fetch(db)
            if let current, current.holder != holder, current.isValid(at: now) {
                throw StoreError.leaseHeld(holder: current.holder, expiresAt: current.expiresAt)
            }
            let ours = current?.holder == holder
            let nowMillis = StoreTime.millis(now)
            try db.execute(
                sql: """
                    INSERT INTO lease (id, holder, acquired_at, renewed_at, expires_at, ttl_ms)
                    VALUES (1, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET
                        holder = excluded.holder,
                        acquired_at = CASE WHEN lease.holder = excluded.holder
                                           THEN lease.acquired_at ELSE excluded.acquired_at END,
                        renewed_at = excluded.renewed_at, expires_at = excluded.expires_at,
                        ttl_ms = excluded.ttl_ms
                    """,
                arguments: [holder, nowMillis, nowMillis, nowMillis + ttlMillis, ttlMillis])
            if !ours {
                let previous = current.map { " from \"\($0.holder)\" (expired \($0.expiresAt.formatted(.iso8601)))" } ?? ""
                _ = try AuditEntry(
                    timestamp: now, actor: holder, source: role.auditSource, action: "lease.acquire",
                    message: "controller \"\(holder)\" acquired the store lease\(previous)"
                ).insert(db)
            }
            guard let lease = try LeaseRecord.fetch(db) else { throw StoreError.corrupt("the lease row vanished") }
            // Re-acquiring our own lease is a renewal: not a change anyone needs to react to.
            return WriteResult(value: lease, changed: !ours)
        }
    }

    /// Extends our lease by its TTL. Fails with `leaseLost` if another controller took it;
    /// renewing a lapsed lease nobody took is safe, since nobody else could have written.
    @discardableResult
    package func renewLease() throws -> LeaseRecord {
        guard case .controller(let holder) = role else {
            throw StoreError.readOnlyRole(operation: "renew the controller lease")
        }
        return try write(.anyRole) { db, now in
            guard let current = try LeaseRecord.fetch(db), current.holder == holder else {
                let other = try LeaseRecord.fetch(db)
                throw StoreError.leaseLost(holder: holder, currentHolder: other?.holder)
            }
            let nowMillis = StoreTime.millis(now)
            try db.execute(
                sql: "UPDATE lease SET renewed_at = ?, expires_at = ? + ttl_ms WHERE id = 1",
                arguments: [nowMillis, nowMillis])
            guard let lease = try LeaseRecord.fetch(db) else { throw StoreError.corrupt("the lease row vanished") }
            return WriteResult(value: lease, changed: false)
        }
    }

    /// Gives the lease up (graceful shutdown) so the next controller need not wait for expiry.
    /// Does nothing if the lease is not ours.
    package func releaseLease() throws {
        guard case .controller(let holder) = role else {
            throw StoreError.readOnlyRole(operation: "release the controller lease")
        }
        try write(.anyRole) { db, now in
            guard let current = try LeaseRecord.fetch(db), current.holder == holder else {
                return WriteResult(value: (), changed: false)
            }
            try db.execute(sql: "DELETE FROM lease WHERE id = 1")
            _ = try AuditEntry(
                timestamp: now, actor: holder, source: role.auditSource, action: "lease.release",
                message: "controller \"\(holder)\" released the store lease"
            ).insert(db)
            return WriteResult(value: (), changed: true)
        }
    }

    /// The lease as stored, valid or not; nil when nobody ever took it or it was released.
    package func currentLease() throws -> LeaseRecord? {
        try dbPool.read(LeaseRecord.fetch)
    }
}
