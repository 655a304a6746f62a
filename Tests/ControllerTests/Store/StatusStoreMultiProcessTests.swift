import Foundation
import GRDB
import Testing
import TiKVSimulator
import TestSupport
@testable import OperatorStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Real processes against one SQLite file. Serialized: they spawn processes on a shared machine.
@Suite("StatusStore across processes", .serialized)
struct StatusStoreMultiProcessTests {
    /// Generous bound on any one wait, so a hung writer fails the test instead of hanging it.
    static let waitBound: Duration = .seconds(120)

    func binary() throws -> URL {
        try #require(
            OperatorBinary.locate(),
            "the operator executable was not found next to the test bundle; build it or set OPERATOR_BIN")
    }

    @Test func aControllerAndAnApproverWriteConcurrentlyWithoutLoss() throws {
        let directory = try TemporaryDirectory()
        let database = directory.path("store.db")
        let operatorBinary = try binary()
        let steps = 150
        // Both open a brand-new file at once: migration and WAL set-up race too.
        let controller = try WriterProcess(
            binary: operatorBinary, database: database, mode: .controller, count: steps, prefix: "obj")
        let approver = try WriterProcess(
            binary: operatorBinary, database: database, mode: .approvals, count: steps, prefix: "cli")
        let deadline = ContinuousClock.now + Self.waitBound
        // Read both while they run, so neither can stall on a full pipe.
        while ContinuousClock.now < deadline {
            let controllerSpoke = controller.readSome(timeoutMs: 50)
            let approverSpoke = approver.readSome(timeoutMs: 50)
            if !controllerSpoke && !approverSpoke && !controller.process.isRunning && !approver.process.isRunning {
                break
            }
        }
        controller.drain(until: deadline)
        approver.drain(until: deadline)

        #expect(controller.process.terminationStatus == 0, "controller writer: \(controller.errorOutput)")
        #expect(approver.process.terminationStatus == 0, "approvals writer: \(approver.errorOutput)")
        #expect(controller.lines.count == steps * 3 + 1)
        #expect(approver.lines.count == steps + 1)
        #expect(controller.lines.last == "done")
        #expect(approver.lines.last == "done")

        let store = try StatusStore(path: database, role: .client(actor: "verifier"))
        #expect(try missingAcknowledgedWrites(controller.lines + approver.lines, in: store) == [])
        #expect(try store.list(kind: "DebugObject").count == steps)
        #expect(try store.allApprovals().count == steps)
        // Each approval was audited in its own transaction.
        #expect(try store.audit(kind: "RemediationPlan", limit: 10_000).count == steps)
        #expect(try store.dbPool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
    }

    @Test func killedWritersLoseNoAcknowledgedWrite() throws {
        let directory = try TemporaryDirectory()
        let database = directory.path("store.db")
        let operatorBinary = try binary()
        let seed = TestSeed.resolve()
        var random = SplitMix64(seed: seed)
        let runs = 50
        var killedMidStream = 0
        var acknowledgedTotal = 0

        for run in 0..<runs {
            let mode: WriterProcess.Mode = run.isMultiple(of: 2) ? .controller : .approvals
            let writer = try WriterProcess(
                binary: operatorBinary, database: database, mode: mode, count: 1_000_000, prefix: "run\(run)")
            let deadline = ContinuousClock.now + Self.waitBound
            let target = Int.random(in: 1...40, using: &random)
            let reached = writer.waitForLines(atLeast: target, until: deadline)
            // Land anywhere in the next writes: between, or inside, transactions.
            usleep(UInt32.random(in: 0...4_000, using: &random))
            writer.killNow()
            writer.drain(until: deadline)

            #expect(reached, "run \(run) (seed \(seed)): writer acknowledged too little: \(writer.errorOutput)")
            if writer.process.terminationReason == .uncaughtSignal && writer.process.terminationStatus == SIGKILL {
                killedMidStream += 1
            }
            acknowledgedTotal += writer.lines.count

            let store = try StatusStore(path: database, role: .client(actor: "verifier"))
            let integrity = try store.dbPool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            #expect(integrity == ["ok"], "run \(run) (seed \(seed))")
            let missing = try missingAcknowledgedWrites(writer.lines, in: store)
            #expect(missing == [], "run \(run) (seed \(seed)) lost acknowledged writes")
            if !reached || integrity != ["ok"] || !missing.isEmpty { break }
        }
        #expect(killedMidStream == runs, "seed \(seed)")
        #expect(acknowledgedTotal >= runs)
    }
}
