import Foundation
import GRDB
import Reconcilers
import Testing
import TiKVSimulator
@testable import Controller

#if canImport(Glibc)
import Glibc
#endif

/// Crash safety (issue 6): a real `operator run` process is killed with SIGKILL at random moments of a
/// multi-step plan and restarted, again and again. The plan must still finish, the simulator's log
/// must show no PD mutation sent twice for one step, the store must pass `integrity_check`, and the
/// approval must still be there.
@Suite(.serialized) struct CrashLoopTests {
    static let cycles = Int(ProcessInfo.processInfo.environment["OPERATOR_CRASH_CYCLES"] ?? "") ?? 200

    @Test func killedAtRandomMomentsTheControllerNeverSendsAStepTwiceAndFinishes() async throws {
        guard let binary = OperatorBinary.locate() else {
            Issue.record("the operator binary was not found next to the tests (build with `swift build --build-tests`)")
            return
        }
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path("specs"), withIntermediateDirectories: true)

        // A 5-store cluster on the wall clock (the controller process reads its own clock), PD's
        // balancers off, every leader that can move piled onto store 1.
        var state = ClusterState.generated(stores: 5, regions: 400, seed: 11, nowNanos: Int64(Date().timeIntervalSince1970 * 1e9))
        try state.config.set("schedule.leader-schedule-limit", to: .int(4))
        for s in ["balance-leader-scheduler", "balance-region-scheduler", "balance-hot-region-scheduler"] {
            try? state.pauseScheduler(name: s, delaySeconds: 86_400)
        }
        _ = try state.inject(Fault(kind: .leaderSkew, store: 1))
        let sim = SimulatedCluster(state)
        // One simulated second first, so PD's view already shows the skew when the controller first looks:
        // otherwise a fast first pass plans only the small natural imbalance, done before the loop gets going.
        sim.advance(seconds: 1)
        let server = try SimulatorServer(cluster: sim)
        let port = try await server.start()
        let clock = Task {
            var last = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
                let t = ContinuousClock.now
                let e = t - last
                last = t
                sim.advance(seconds: Double(e.components.seconds) + Double(e.components.attoseconds) / 1e18)
            }
        }
        defer { clock.cancel() }

        try """
            apiVersion: operator.tikv/v1alpha1
            kind: TiKVCluster
            metadata:
              name: crash
            spec:
              pd:
                urls: [http://127.0.0.1:\(port)]
              mode: execute
              resyncPeriod: 1s
              balance:
                leaders: {enabled: true, maxSkewPercent: 10}
                regions: {enabled: false, maxSkewPercent: 10}
              approval:
                low: {requiredApprovals: 1}
              limits:
                maxInFlightSteps: 4
                maxActionsPerHour: 10000
            """.write(toFile: dir.path("specs/cluster.yaml"), atomically: true, encoding: .utf8)
        let db = dir.path("operator.db")

        func launch() throws -> Process {
            let p = Process()
            p.executableURL = binary
            p.arguments = ["run", "--specs", dir.path("specs"), "--db", db, "--spec-poll-interval", "100ms", "--lease-duration", "500ms"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        func plan() throws -> RemediationPlan? {
            let client = try StatusStore(path: db, role: .client(actor: "test"))
            return try ResourceStore(store: client).list(RemediationPlanKind.self).first { $0.name.hasPrefix("balance-leaders-crash") }
        }
        func waitFor(_ what: String, seconds: Double, _ condition: () throws -> Bool) async throws {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if (try? condition()) == true { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("timed out waiting for \(what)")
            throw CancellationError()
        }

        // PD reports leader counts with store heartbeats (every 10 s): let the skew show in full first, so
        // the plan the person approves is the whole rebalance, not a first partial view of it.
        try await Task.sleep(for: .seconds(12))
        // The plan appears; a person approves it from another process.
        var controller = try launch()
        // Whatever happens below, no controller process outlives the test.
        defer {
            if controller.isRunning { kill(controller.processIdentifier, SIGKILL) }
        }
        try await waitFor("the balance plan", seconds: 60) {
            guard let p = try plan() else { return false }
            return p.status.conditions[type: "Blocked"] != nil && p.spec.steps.count >= 100
        }
        let pending = try #require(try plan())
        let client = try StatusStore(path: db, role: .client(actor: "alice"))
        _ = try client.addApproval(ApprovalRecord(plan: pending.name, revision: pending.spec.revision, decision: .approve,
                                                  approver: "alice", source: "cli", createdAt: Date()))

        // Kill it at random moments, restarting after the lease it held has expired.
        var rng = SystemRandomNumberGenerator()
        var killsDuringThePlan = 0
        for _ in 0..<Self.cycles {
            try await Task.sleep(for: .milliseconds(Int.random(in: 30...700, using: &rng)))
            kill(controller.processIdentifier, SIGKILL)
            controller.waitUntilExit()
            if try plan()?.status.phase == .succeeded { break }
            killsDuringThePlan += 1
            try await Task.sleep(for: .milliseconds(550))
            controller = try launch()
        }
        // The last run is left alone until the plan is done.
        if controller.isRunning == false { controller = try launch() }
        try await waitFor("the plan to succeed", seconds: 180) {
            let phase = try plan()?.status.phase
            if phase == .failed || phase == .cancelled { return true }
            return phase == .succeeded
        }
        controller.terminate()
        controller.waitUntilExit()
        await server.stop()

        let final = try #require(try plan())
        print("crash loop: \(killsDuringThePlan) SIGKILLs during a plan of \(final.spec.steps.count) steps")
        #expect(killsDuringThePlan >= min(Self.cycles, 100), "the plan must span the crash loop")
        #expect(final.status.phase == .succeeded, "\(final.status.conditions.map { "\($0.type) \($0.reason): \($0.message)" })")
        if final.status.phase != .succeeded {
            for s in final.status.steps where s.phase != .succeeded { print("step", s.name, s.phase, s.attempts, s.lastError ?? "") }
        }
        #expect(final.spec.revision == pending.spec.revision, "an executing plan is never rewritten")

        // No step's mutation reached PD twice: each region's transfer-leader was accepted at most once,
        // unless PD itself ended the earlier one without effect.
        let accepted = sim.withState { $0.mutationLog }.filter { $0.accepted && $0.path == "/pd/api/v1/operators" }
        var perRegion: [String: Int] = [:]
        for m in accepted {
            guard let json = try? JSONSerialization.jsonObject(with: Data(m.body.utf8)) as? [String: Any],
                  let region = json["region_id"] as? Int else { continue }
            perRegion["\(region)", default: 0] += 1
        }
        let duplicates = perRegion.filter { $0.value > 1 }
        #expect(duplicates.isEmpty, "regions whose transfer was accepted more than once: \(duplicates)")
        #expect(accepted.count == final.spec.steps.filter { $0.action.kind == .transferLeader }.count
                - final.status.steps.filter { $0.phase == .skipped }.count)

        // The store survived every SIGKILL, and the approval is still there.
        let check = try DatabaseQueue(path: db)
        let integrity = try await check.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"])
        #expect(try client.approvals(plan: pending.name).count == 1)
    }
}
