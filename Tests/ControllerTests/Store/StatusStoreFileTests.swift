import Foundation
import TestSupport
import GRDB
import Testing
@testable import OperatorStore

@Suite("StatusStore file")
struct StatusStoreFileTests {
    @Test func databaseWalAndShmFilesAreMode0600() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.db")
        let store = try StatusStore(path: path, role: .client(actor: "alice"))
        try store.setSetting(key: "mode", value: "observe", actor: "alice")
        // While the pool is open, the -wal and -shm files exist next to the database.
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file) should exist")
            #expect(try fileMode(file) == 0o600, "\(file) should be private")
        }
    }

    @Test func journalIsWalWithFullSyncAndForeignKeys() throws {
        let directory = try TemporaryDirectory()
        let store = try StatusStore(path: directory.path("store.db"), role: .client(actor: "alice"))
        let (journal, synchronous, foreignKeys, busy) = try store.dbPool.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys"),
                try Int.fetchOne(db, sql: "PRAGMA busy_timeout")
            )
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)  // FULL
        #expect(foreignKeys == 1)
        #expect(busy == 5000)
    }

    @Test func migrationsAreRecordedAndReopeningIsIdempotent() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.db")
        do {
            let store = try StatusStore(path: path, role: .client(actor: "alice"))
            try store.setSetting(key: "k", value: "v", actor: "alice")
        }
        let reopened = try StatusStore(path: path, role: .client(actor: "bob"))
        let (applied, userVersion) = try reopened.dbPool.read { db in
            (
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"),
                try Int.fetchOne(db, sql: "PRAGMA user_version")
            )
        }
        #expect(applied == StoreMigrations.identifiers)
        #expect(userVersion == StoreMigrations.knownVersion)
        #expect(try reopened.setting(key: "k") == "v")
    }

    @Test func aFileFromANewerReleaseIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.db")
        do {
            let store = try StatusStore(path: path, role: .client(actor: "alice"))
            // What a future release's migration would leave behind.
            try store.dbPool.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')")
                try db.execute(sql: "PRAGMA user_version = 99")
            }
        }
        let known = StoreMigrations.knownVersion
        #expect(throws: StoreError.schemaTooNew(found: 99, known: known)) {
            _ = try StatusStore(path: path, role: .client(actor: "alice"))
        }
        #expect(StoreError.schemaTooNew(found: 99, known: known).description.contains("upgrade operator"))
    }

    @Test func anUnknownMigrationAloneIsEnoughToRefuse() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.db")
        do {
            let store = try StatusStore(path: path, role: .client(actor: "alice"))
            try store.dbPool.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v1-hotfix')")
            }
        }
        #expect(throws: StoreError.self) {
            _ = try StatusStore(path: path, role: .client(actor: "alice"))
        }
    }

    @Test func aMissingDirectoryIsAClearError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("no-such-dir/store.db")
        #expect(throws: StoreError.cannotCreateFile(path: path, reason: "No such file or directory")) {
            _ = try StatusStore(path: path, role: .client(actor: "alice"))
        }
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("notes.txt")
        try Data(String(repeating: "not sqlite\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.notADatabase(path: path)) {
            _ = try StatusStore(path: path, role: .client(actor: "alice"))
        }
    }

    @Test func changeCounterSeesWritesFromAnotherHandle() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("store.db")
        let controller = try StatusStore(path: path, role: .controller(holder: "c1"))
        let cli = try StatusStore(path: path, role: .client(actor: "alice"))
        let before = try controller.changeCounter()
        try cli.addApproval(ApprovalRecord(
            plan: "p", revision: "r1", decision: .approve, approver: "alice", source: "cli", createdAt: Date()))
        #expect(try controller.changeCounter() > before)
    }
}
