import Foundation
import GRDB
import Testing
import TestSupport
@testable import OperatorStore

/// A binary with a newer schema never changes the tables under a controller that still runs on the store: its
/// CLI refuses and says why, and its controller waits for the old one's lease, then upgrades.
@Suite struct SchemaUpgradeLeaseTests {
    /// A store as the release before the approvals' v3 left it, with `holder`'s lease valid for `seconds` more.
    static func v2Store(_ path: String, holder: String, seconds: TimeInterval) throws {
        let queue = try DatabaseQueue(path: path)
        try StoreMigrations.migrator.migrate(queue, upTo: "v2")
        let expires = Int64((Date().timeIntervalSince1970 + seconds) * 1000)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO lease (id, holder, acquired_at, renewed_at, expires_at, ttl_ms) VALUES (1, ?, ?, ?, ?, 15000)
                """, arguments: [holder, expires - 15000, expires - 15000, expires])
        }
    }

    static func appliedMigrations(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in try StoreMigrations.migrator.appliedMigrations(db) }
    }

    @Test func aCLIRefusesToUpgradeUnderARunningControllerAndNamesIt() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("operator.db")
        try Self.v2Store(path, holder: "operator-old-7f9c", seconds: 60)
        do {
            _ = try StatusStore(path: path, role: .client(actor: "alice"))
            Issue.record("the schema was upgraded under a running controller")
        } catch let error as StoreError {
            guard case .upgradeWaitsForLease(let holder, _) = error else { Issue.record("\(error)"); return }
            #expect(holder == "operator-old-7f9c")
            #expect(error.description.contains("controller \"operator-old-7f9c\" holds the store lease"))
            #expect(error.description.contains("stop that controller"))
        }
        #expect(try Self.appliedMigrations(path) == ["v1", "v2"], "nothing was migrated")
        // Its own holder may upgrade (a restarted controller whose lease has not lapsed yet).
        _ = try StatusStore(path: path, role: .controller(holder: "operator-old-7f9c"))
        #expect(try Self.appliedMigrations(path) == ["v1", "v2", "v3"])
    }

    @Test func anExpiredLeaseDoesNotHoldTheUpgradeBack() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("operator.db")
        try Self.v2Store(path, holder: "operator-old-7f9c", seconds: -1)
        _ = try StatusStore(path: path, role: .client(actor: "alice"))
        #expect(try Self.appliedMigrations(path) == ["v1", "v2", "v3"])
    }

    @Test func aNewControllerWaitsForTheOldOnesLeaseThenUpgrades() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let directory = try TemporaryDirectory()
        let db = directory.path("operator.db")
        try Self.v2Store(db, holder: "operator-old-7f9c", seconds: 3)
        let volume = try ControllerProcessTests.ConfigMapVolume(path: directory.path("specs"))
        let controller = try ControllerProcessTests.RunningController(binary: binary, specs: volume.path, db: db,
                                                                      logPath: directory.path("operator.log"))
        defer { controller.kill() }
        #expect(await eventually(timeout: .seconds(60)) { controller.logged("Acquired the store lease") },
                "\(controller.logLines)")
        let waited = controller.logLines.first { ($0["msg"] as? String) == "Waiting for the store lease before upgrading the store's schema" }
        #expect(waited?["holder"] as? String == "operator-old-7f9c", "\(controller.logLines)")
        #expect(try Self.appliedMigrations(db) == ["v1", "v2", "v3"])
    }
}
