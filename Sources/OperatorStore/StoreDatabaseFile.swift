import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening the SQLite file the way the store needs it.
enum StoreDatabaseFile {
    /// Long enough for the CLI and the controller to wait out each other's short write
    /// transactions, short enough that a stuck writer surfaces as an error.
    static let busyTimeout: TimeInterval = 5

    /// Creates the file with mode 0600 before SQLite sees it. SQLite gives the -wal and -shm
    /// files the mode of the database file, so they are private too. An existing file is
    /// left as it is.
    static func createIfMissing(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            // The umask can only remove bits, but set the mode explicitly all the same.
            let chmodResult = fchmod(fd, 0o600)
            let chmodErrno = errno
            close(fd)
            if chmodResult != 0 {
                throw StoreError.cannotCreateFile(path: path, reason: String(cString: strerror(chmodErrno)))
            }
            return
        }
        let openErrno = errno
        if openErrno == EEXIST { return }
        throw StoreError.cannotCreateFile(path: path, reason: String(cString: strerror(openErrno)))
    }

    static func openPool(path: String) throws -> DatabasePool {
        try createIfMissing(path: path)
        var config = Configuration()
        config.label = "StatusStore"
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.notADatabase(path: path)
        }
        // GRDB sets synchronous=NORMAL when it turns WAL on, after prepareDatabase runs; the
        // writer connection is the one that commits, so FULL is set on it here: an
        // acknowledged write survives power loss, not only a process crash.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return pool
    }

    /// Runs the migrations, tolerating another process that migrates the same new file at
    /// the same moment (GRDB reads the applied list outside the migration's transaction).
    static func migrate(_ pool: DatabasePool) throws {
        try pool.read(StoreMigrations.checkNotNewer)
        let migrator = StoreMigrations.migrator
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
