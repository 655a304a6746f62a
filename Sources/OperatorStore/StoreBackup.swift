import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `operator store backup` and `restore`, with SQLite's online backup: a consistent copy of every page, taken while the
/// controller keeps writing (a copy of the file alone can miss what is still in the -wal file, or tear mid-write).
package enum StoreBackup {
    /// What a backup wrote.
    package struct Summary: Sendable, Equatable {
        package var bytes: Int64
        package var auditEntries: Int
    }

    /// Copies the store at `path` to the new file `destination` (mode 0600; a single file in rollback-journal mode, so it
    /// can be moved on its own) and checks the copy with `PRAGMA quick_check`. An existing `destination` is refused.
    package static func backup(store path: String, to destination: String) throws -> Summary {
        let source = try StatusStore(path: path, role: .client(actor: "backup"))
        let fd = open(destination, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let why = errno == EEXIST ? "it exists; name a new file" : String(cString: strerror(errno))
            throw StoreError.cannotCreateFile(path: destination, reason: why)
        }
        fchmod(fd, 0o600)
        close(fd)
        do {
            let copy = try DatabaseQueue(path: destination)
            try source.dbPool.backup(to: copy)
            _ = try copy.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") }
            // Damage in the copy came from the store: the error names the store.
            try StoreDatabaseFile.quickCheck(copy, path: path)
            let entries = try copy.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM audit") ?? 0 }
            try copy.close()
            let size = (try? FileManager.default.attributesOfItem(atPath: destination))?[.size] as? NSNumber
            return Summary(bytes: size?.int64Value ?? 0, auditEntries: entries)
        } catch {
            unlink(destination)
            throw error
        }
    }

    /// Replaces the store at `path` with the backup at `backupPath`, refusing while a controller holds the store's lease
    /// (stop it first). The backup is checked (`quick_check`, a store of a schema this binary knows) and copied to a
    /// temporary file first, where its lease is cleared — it names whoever held the store when the backup was taken —
    /// and the restore is audited. A readable store is then overwritten in place through SQLite, so every process that
    /// has it open sees the restored content; a file that is no store (or one SQLite refuses to write) is moved aside
    /// to `PATH.unusable-<time>` and the restored file put in its place. Returns that moved-aside path, if any.
    @discardableResult
    package static func restore(from backupPath: String, to path: String, actor: String, now: Date = Date()) throws -> String? {
        guard FileManager.default.fileExists(atPath: backupPath) else {
            throw StoreError.invalidArgument("no backup at \(backupPath)")
        }
        var readOnly = Configuration()
        readOnly.readonly = true
        let backup: DatabaseQueue
        do {
            backup = try DatabaseQueue(path: backupPath, configuration: readOnly)
            try StoreDatabaseFile.quickCheck(backup, path: backupPath)
            guard try backup.read(isStore) else { throw StoreError.notAStore(path: backupPath, why: "an SQLite database without the store's tables") }
            try backup.read(StoreMigrations.checkNotNewer)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.notADatabase(path: backupPath)
        }

        let staged = path + ".restore-\(getpid())"
        unlink(staged)
        defer { unlink(staged) }
        // Private like the store itself: the restored file takes its place.
        let fd = open(staged, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.cannotCreateFile(path: staged, reason: String(cString: strerror(errno))) }
        fchmod(fd, 0o600)
        close(fd)
        do {
            let copy = try DatabaseQueue(path: staged)
            try backup.backup(to: copy)
            try StoreMigrations.migrator.migrate(copy)
            try copy.write { db in
                try db.execute(sql: "DELETE FROM lease")
                _ = try AuditEntry(timestamp: now, actor: actor, source: "cli", action: "store.restore",
                                   message: "store restored from the backup \(backupPath)").insert(db)
                try StatusStore.bumpMeta(db, key: "change_counter")
            }
            try copy.close()
        }
        try backup.close()

        if FileManager.default.fileExists(atPath: path), let target = try? DatabaseQueue(path: path), (try? target.read(isStore)) == true {
            do {
                // A lease that cannot be read (a damaged file) is no controller's: none starts on a damaged store.
                if let lease = try? target.read(LeaseRecord.fetch), lease.isValid(at: now) {
                    try? target.close()
                    throw StoreError.leaseHeld(holder: lease.holder, expiresAt: lease.expiresAt)
                }
                let restored = try DatabaseQueue(path: staged, configuration: readOnly)
                try restored.backup(to: target)
                try restored.close()
                try target.close()
                return nil
            } catch is DatabaseError {
                // SQLite would not write this file (damaged beyond what it can overwrite): replaced below.
                try? target.close()
            }
        }
        let aside = FileManager.default.fileExists(atPath: path) ? try StoreDatabaseFile.moveAside(path: path) : nil
        guard rename(staged, path) == 0 else {
            throw StoreError.cannotCreateFile(path: path, reason: String(cString: strerror(errno)))
        }
        return aside
    }

    /// Whether the database has the store's tables (a file that does not is moved aside, never written over).
    private static func isStore(_ db: Database) throws -> Bool {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('grdb_migrations', 'meta')") == 2
    }
}
