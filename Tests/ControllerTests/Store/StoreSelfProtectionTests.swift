import Foundation
import TestSupport
import GRDB
import Testing
@testable import OperatorStore

/// The store refuses what would silently lose its approvals and audit log: real files damaged the way disks and
/// people damage them, and the backup and restore that are the way back.
@Suite("Store self-protection")
struct StoreSelfProtectionTests {
    /// A store with some history, closed so every page is in the main file (the last connection checkpoints the WAL).
    func makeStore(_ path: String) throws {
        let store = try StatusStore(path: path, role: .client(actor: "alice"))
        for i in 0..<200 {
            try store.addApproval(ApprovalRecord(plan: "plan-\(i)", revision: "r1", decision: .approve, approver: "alice",
                                                 source: "cli", createdAt: Date()))
        }
    }

    /// Garbage over one whole page of the file, as a bad sector or a stray write leaves it.
    func damagePage(_ path: String, page: Int) throws {
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64((page - 1) * 4096))
        var generator = SystemRandomNumberGenerator()
        try handle.write(contentsOf: Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    @Test func aPageCorruptedStoreIsRefusedByTheControllerNamingTheFileAndTheWayBack() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("operator.db")
        try makeStore(path)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        try damagePage(path, page: 3)
        do {
            _ = try StatusStore(path: path, role: .controller(holder: "c1"))
            Issue.record("a damaged store was opened")
        } catch let error as StoreError {
            guard case .damaged(let named, _) = error else { Issue.record("\(error)"); return }
            #expect(named == path)
            #expect(error.description.hasPrefix("the status store \(path) is damaged (PRAGMA quick_check: "))
            #expect(error.description.contains("`operator store restore BACKUP --db \(path)`"))
        }
    }

    @Test func aZeroLengthFileIsRefusedUnlessInitMovesItAside() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("operator.db")
        try makeStore(path)
        #expect(truncate(path, 0) == 0)
        let expected = StoreError.notAStore(path: path, why: "the file is empty (0 bytes)")
        #expect(throws: expected) { _ = try StatusStore(path: path, role: .controller(holder: "c1")) }
        #expect(throws: expected) { _ = try StatusStore(path: path, role: .client(actor: "alice")) }
        #expect(expected.description.contains("`operator run --init`"))

        let store = try StatusStore(path: path, role: .controller(holder: "c1"), unusableFile: .moveAside)
        let aside = try #require(store.movedAside)
        #expect(aside.hasPrefix(path + ".unusable-"))
        #expect((try FileManager.default.attributesOfItem(atPath: aside)[.size] as? NSNumber)?.intValue == 0)
        #expect(try store.approvals(plan: "plan-0").isEmpty)
    }

    @Test func anSQLiteFileWithoutTheStoresTablesIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("other.db")
        do {
            let other = try DatabaseQueue(path: path)
            try other.write { db in try db.execute(sql: "CREATE TABLE notes (body TEXT)") }
        }
        #expect(throws: StoreError.notAStore(path: path, why: "an SQLite database without the store's tables")) {
            _ = try StatusStore(path: path, role: .client(actor: "alice"))
        }
        // Untouched: no store tables were written into someone else's database.
        let tables = try DatabaseQueue(path: path).read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master") }
        #expect(tables == ["notes"])
    }

    @Test func backupThenRestoreBringsBackApprovalsAndAuditAndClearsTheLease() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("operator.db"), backupPath = directory.path("backup.db")
        try makeStore(path)
        let controller = try StatusStore(path: path, role: .controller(holder: "c1"))
        _ = try controller.acquireLease(ttl: .seconds(60))
        // Taken while the controller holds the lease and the WAL holds its writes.
        let summary = try StoreBackup.backup(store: path, to: backupPath)
        #expect(summary.auditEntries > 0 && summary.bytes > 0)
        #expect(try fileMode(backupPath) == 0o600)
        #expect(throws: StoreError.self) { _ = try StoreBackup.backup(store: path, to: backupPath) }

        // Refused while the controller holds the lease.
        #expect(throws: StoreError.self) { try StoreBackup.restore(from: backupPath, to: path, actor: "alice") }
        try controller.addApproval(ApprovalRecord(plan: "later", revision: "r1", decision: .approve, approver: "alice",
                                                  source: "cli", createdAt: Date()))
        try controller.releaseLease()

        #expect(try StoreBackup.restore(from: backupPath, to: path, actor: "alice") == nil)
        // Every open handle sees the restored content: the restore went through SQLite, not around it.
        #expect(try controller.approvals(plan: "later").isEmpty)
        #expect(try controller.approvals(plan: "plan-199").count == 1)
        #expect(try controller.currentLease() == nil)
        #expect(try controller.audit().contains { $0.action == "store.restore" && $0.actor == "alice" })
    }

    @Test func restoreReplacesADamagedStoreAndRefusesADamagedBackup() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("operator.db"), backupPath = directory.path("backup.db")
        try makeStore(path)
        _ = try StoreBackup.backup(store: path, to: backupPath)
        try damagePage(path, page: 3)
        #expect(throws: StoreError.self) { _ = try StatusStore(path: path, role: .controller(holder: "c1")) }
        try StoreBackup.restore(from: backupPath, to: path, actor: "alice")
        let restored = try StatusStore(path: path, role: .controller(holder: "c1"))
        #expect(try restored.approvals(plan: "plan-199").count == 1)

        try damagePage(backupPath, page: 3)
        do {
            try StoreBackup.restore(from: backupPath, to: path, actor: "alice")
            Issue.record("a damaged backup was restored")
        } catch let error as StoreError {
            guard case .damaged(let named, _) = error else { Issue.record("\(error)"); return }
            #expect(named == backupPath)
        }
    }

    /// The commands as a person runs them: `run` refuses an emptied store with the exact error; `store restore` refuses
    /// while a controller holds the lease.
    @Test func theCommandsRefuseWithTheirErrors() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let directory = try TemporaryDirectory()
        let path = directory.path("operator.db"), backupPath = directory.path("backup.db")
        try makeStore(path)
        let backup = try await CLIProcess.run(binary, ["store", "backup", backupPath, "--db", path])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.hasPrefix("backed up \(path) to \(backupPath): "))

        let controller = try StatusStore(path: path, role: .controller(holder: "c1"))
        _ = try controller.acquireLease(ttl: .seconds(60))
        let refused = try await CLIProcess.run(binary, ["store", "restore", backupPath, "--db", path, "--as", "alice"])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("error: controller \"c1\" holds the store lease"))
        try controller.releaseLease()

        #expect(truncate(path, 0) == 0)
        let specs = directory.path("specs")
        try FileManager.default.createDirectory(atPath: specs, withIntermediateDirectories: true)
        let run = try await CLIProcess.run(binary, ["run", "--specs", specs, "--db", path, "--metrics-bind-address", "0",
                                                    "--health-probe-bind-address", "0"], timeout: .seconds(60))
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: \(path) is not an operator status store (the file is empty (0 bytes)); "))
        let restored = try await CLIProcess.run(binary, ["store", "restore", backupPath, "--db", path, "--as", "alice"])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.hasPrefix("restored \(path) from \(backupPath); the file that was there is kept as \(path).unusable-"))
    }
}
