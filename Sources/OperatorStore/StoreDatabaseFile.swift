import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What opening a store does with a file at its path that is not a store.
package enum UnusableFilePolicy: Sendable, Equatable {
    /// Refuse to open it (the default: an empty file may be a store someone truncated).
    case refuse
    /// Keep it under a new name and start a new, empty store (`operator run --init`).
    case moveAside
}

/// Opening the SQLite file the way the store needs it.
enum StoreDatabaseFile {
    /// Long enough for the CLI and the controller to wait out each other's short write
    /// transactions, short enough that a stuck writer surfaces as an error.
    static let busyTimeout: TimeInterval = 5

    /// Creates a new store at `path` whole: the schema is written to a private temporary file beside it (mode 0600,
    /// which SQLite gives the -wal and -shm files too), which is then linked into place. So the path never holds a
    /// half-made store, and an empty file found there is damage, never a store being created. Returns false when
    /// another process created the store first.
    static func createNew(path: String) throws -> Bool {
        let temporary = path + ".new-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.cannotCreateFile(path: path, reason: String(cString: strerror(errno))) }
        // The umask can only remove bits, but set the mode explicitly all the same.
        let chmodResult = fchmod(fd, 0o600)
        let chmodErrno = errno
        close(fd)
        defer { unlink(temporary) }
        if chmodResult != 0 { throw StoreError.cannotCreateFile(path: path, reason: String(cString: strerror(chmodErrno))) }
        do {
            let queue = try DatabaseQueue(path: temporary)
            try StoreMigrations.migrator.migrate(queue)
            try queue.close()
        }
        if link(temporary, path) == 0 { return true }
        let linkErrno = errno
        if linkErrno == EEXIST { return false }
        throw StoreError.cannotCreateFile(path: path, reason: String(cString: strerror(linkErrno)))
    }

    /// Opens the store at `path`, creating it when nothing is there. A file that is there but is not a store (empty,
    /// not SQLite, SQLite without the store's tables) is refused, or with `.moveAside` kept under a new name
    /// (returned) and replaced by a new store. `check` runs `PRAGMA quick_check` and refuses a damaged file.
    static func openPool(path: String, unusable: UnusableFilePolicy = .refuse, check: Bool = false) throws -> (DatabasePool, movedAside: String?) {
        if !FileManager.default.fileExists(atPath: path) { _ = try createNew(path: path) }
        do {
            return (try openExisting(path: path, check: check), nil)
        } catch let error as StoreError where unusable == .moveAside && error.isUnusableFile {
            let aside = try moveAside(path: path)
            _ = try createNew(path: path)
            return (try openExisting(path: path, check: check), aside)
        }
    }

    private static func openExisting(path: String, check: Bool) throws -> DatabasePool {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.int64Value == 0 {
            throw StoreError.notAStore(path: path, why: "the file is empty (0 bytes)")
        }
        var config = Configuration()
        config.label = "StatusStore"
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.notADatabase(path: path)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT {
            throw StoreError.damaged(path: path, details: error.message ?? "\(error)")
        }
        do {
            if check { try quickCheck(pool, path: path) }
            let tables = try pool.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('grdb_migrations', 'meta')")
            }
            guard tables.count == 2 else {
                throw StoreError.notAStore(path: path, why: "an SQLite database without the store's tables")
            }
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
            throw StoreError.damaged(path: path, details: error.message ?? "\(error)")
        }
        // GRDB sets synchronous=NORMAL when it turns WAL on, after prepareDatabase runs; the
        // writer connection is the one that commits, so FULL is set on it here: an
        // acknowledged write survives power loss, not only a process crash.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return pool
    }

    /// `PRAGMA quick_check`: every page readable and well-formed, every record sound (indexes are not compared with
    /// their tables, which `integrity_check` does at many times the cost). Throws `damaged` with its first findings.
    static func quickCheck(_ reader: some DatabaseReader, path: String) throws {
        let findings: [String]
        do {
            findings = try reader.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(5)") }
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
            throw StoreError.damaged(path: path, details: error.message ?? "\(error)")
        }
        guard findings == ["ok"] else { throw StoreError.damaged(path: path, details: findings.joined(separator: "; ")) }
    }

    /// Renames the file and its -wal and -shm (a stale WAL would otherwise be replayed into the new store) to
    /// `PATH.unusable-<Unix seconds>`; returns the new name of the file.
    static func moveAside(path: String) throws -> String {
        let aside = path + ".unusable-\(Int(Date().timeIntervalSince1970))"
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            guard rename(path + suffix, aside + suffix) == 0 else {
                throw StoreError.cannotCreateFile(path: path, reason: "cannot move it aside: \(String(cString: strerror(errno)))")
            }
        }
        return aside
    }

    /// Runs the migrations, tolerating another process that migrates the same new file at
    /// the same moment (GRDB reads the applied list outside the migration's transaction).
    /// Brings the schema up to this binary's. An upgrade changes tables beneath whatever else writes the file, so it
    /// runs only while no other controller holds a valid lease (a new binary's CLI or controller started beside an old
    /// controller waits for it; `operator run` retries until the lease lapses).
    static func migrate(_ pool: DatabasePool, as role: StatusStore.Role, now: Date) throws {
        try pool.read(StoreMigrations.checkNotNewer)
        let migrator = StoreMigrations.migrator
        if try !pool.read(migrator.hasCompletedMigrations),
           let (holder, expiresAt) = try pool.read({ try StoreMigrations.leaseHolder($0) }),
           expiresAt > now, role != .controller(holder: holder) {
            throw StoreError.upgradeWaitsForLease(holder: holder, expiresAt: expiresAt)
        }
        var attempt = 0
        while true {
            do {
                try migrator.migrate(pool)
                return
            } catch {
                attempt += 1
                if try pool.read(migrator.hasCompletedMigrations) { return }
                if attempt >= 3 { throw error }
            }
        }
    }
}
