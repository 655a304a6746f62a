import ControllerRuntime
import Foundation
import GRDB
import Reconcilers
import Testing
import TiKVSimulator
import TestSupport
@testable import OperatorStore

#if canImport(Glibc)
import Glibc
#endif

/// Crash safety (issue 6): a real `operator run` process is killed with SIGKILL at random moments of a
/// multi-step plan and restarted, again and again. The plan must still finish, the simulator's log
/// must show no PD mutation sent twice for one step, the store must pass `integrity_check`, and the
/// approval must still be there.
@Suite(.serialized) struct CrashLoopTests {
    static let cycles = Int(ProcessInfo.processInfo.environment["OPERATOR_CRASH_CYCLES"] ?? "") ?? 200
    /// Cycles of the failover variant (issue 16), fewer: each PD leader change stalls the plan for a while.
    static let failoverCycles = Int(ProcessInfo.processInfo.environment["OPERATOR_CRASH_FAILOVER_CYCLES"] ?? "") ?? 100

    /// PD under stress during the crash loop: three members on their own listeners, all given to the controller.
    struct PDStress {
        /// PD's clock minus the cluster's, from the start.
        var clockSkewSeconds: Double
        /// PD's leader resigns every this many kills; the election takes `electionSeconds`.
        var leaderChangeEveryKills: Int
        var electionSeconds: ClosedRange<Double>
    }

    @Test func killedAtRandomMomentsTheControllerNeverSendsAStepTwiceAndFinishes() async throws {
        // 600 regions: about 230 steps, so that the plan outlasts 100 kills on a fast machine too (400 regions'
        // 154 steps once finished after 97).
        try await runCrashLoop(cycles: Self.cycles, regions: 600, stress: nil, random: SplitMix64(seed: TestSeed.resolve()))
    }

    /// The same loop while PD's leader changes several times (the new leader forgets running operators and
    /// their records, and learns regions anew) and PD's clock is 300 s off the cluster's (the sign is drawn
    /// from the seed, or set by OPERATOR_CRASH_SKEW). A transfer may be sent again only when PD lost or ended
    /// the earlier one without effect; no mutation may reach PD while it still runs the step's operator.
    @Test func killedAtRandomMomentsDuringPDFailoverAndClockSkewNoStepIsSentWhilePDStillRunsIt() async throws {
        var random = SplitMix64(seed: TestSeed.resolve())
        let skew = Double(ProcessInfo.processInfo.environment["OPERATOR_CRASH_SKEW"] ?? "") ?? (Bool.random(using: &random) ? 300 : -300)
        // 600 regions, as above: 400 regions' 154 steps finished after 54 kills once children started faster.
        try await runCrashLoop(cycles: Self.failoverCycles, regions: 600,
                               stress: PDStress(clockSkewSeconds: skew, leaderChangeEveryKills: 12, electionSeconds: 1...4), random: random)
    }

    /// `random` draws the kill moments and election times: its seed replays the schedule of kills (the
    /// processes' own timing still varies from run to run).
    private func runCrashLoop(cycles: Int, regions: Int, stress: PDStress?, random: SplitMix64) async throws {
        guard let binary = OperatorBinary.locate() else {
            Issue.record("the operator binary was not found next to the tests (build with `swift build --build-tests`)")
            return
        }
        let dir = try TemporaryDirectory()
        let signers = try TestSigners(in: dir.path("keys"))
        try FileManager.default.createDirectory(atPath: dir.path("specs"), withIntermediateDirectories: true)

        // A 5-store cluster on the wall clock (the controller process reads its own clock), PD's
        // balancers off, every leader that can move piled onto store 1.
        var state = ClusterState.generated(stores: 5, regions: regions, seed: 11, nowNanos: Int64(Date().timeIntervalSince1970 * 1e9))
        try state.config.set("schedule.leader-schedule-limit", to: .int(4))
        for s in ["balance-leader-scheduler", "balance-region-scheduler", "balance-hot-region-scheduler"] {
            try? state.pauseScheduler(name: s, delaySeconds: 86_400)
        }
        _ = try state.inject(Fault(kind: .leaderSkew, store: 1))
        if let stress {
            var skew = Fault(kind: .clockSkew)
            skew.seconds = stress.clockSkewSeconds
            _ = try state.inject(skew)
            #expect(state.members.count == 3, "the failover loop needs three PD members")
        }
        let sim = SimulatedCluster(state)
        // One simulated second first, so PD's view already shows the skew when the controller first looks:
        // otherwise a fast first pass plans only the small natural imbalance, done before the loop gets going.
        sim.advance(seconds: 1)
        let server = try SimulatorServer(cluster: sim)
        let port = try await server.start()
        // The first test gives the controller the one URL it started with; under PD stress, every member's.
        let urls = stress == nil ? ["http://127.0.0.1:\(port)"] : server.memberPorts.map { "http://127.0.0.1:\($0.port)" }
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
                urls: [\(urls.joined(separator: ", "))]
              mode: execute
              resyncPeriod: 1s
              balance:
                leaders: {enabled: true, maxSkewPercent: 10}
                regions: {enabled: false, maxSkewPercent: 10}
              approval:
                \(signers.specLine)
                low: {requiredApprovals: 1}
              limits:
                maxInFlightSteps: 4
                maxActionsPerHour: 10000
            """.write(toFile: dir.path("specs/cluster.yaml"), atomically: true, encoding: .utf8)
        let db = dir.path("operator.db")

        func launch() throws -> Subprocess {
            let p = Subprocess()
            p.executableURL = binary
            // No metrics or probe listener: the defaults bind every interface on :8080/:8081, which another process on the
            // machine may hold (the controller then exits at start), and tests talk to 127.0.0.1 only.
            p.arguments = ["run", "--specs", dir.path("specs"), "--db", db, "--spec-poll-interval", "100ms", "--lease-duration", "500ms",
                           "--metrics-bind-address", "0", "--health-probe-bind-address", "0"]
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
        try await waitFor("the balance plan", seconds: 180) {
            guard let p = try plan() else { return false }
            return p.status.conditions[type: "Blocked"] != nil && p.spec.steps.count >= 100
        }
        let pending = try #require(try plan())
        let client = try StatusStore(path: db, role: .client(actor: "alice"))
        _ = try client.addApproval(try signers.record(pending, as: "alice", now: Date()))

        // Kill it at random moments, restarting after the lease it held has expired.
        var rng = random
        var killsDuringThePlan = 0
        var leaderChanges = 0
        for _ in 0..<cycles {
            try await Task.sleep(for: .milliseconds(Int.random(in: 30...700, using: &rng)))
            kill(controller.processIdentifier, SIGKILL)
            controller.waitUntilExit()
            if try plan()?.status.phase == .succeeded { break }
            killsDuringThePlan += 1
            if let stress, killsDuringThePlan % stress.leaderChangeEveryKills == 0 {
                // The leader resigns at a random moment of the dead controller's work; a step it sent may be running.
                var change = Fault(kind: .pdLeaderChange)
                change.seconds = Double.random(in: stress.electionSeconds, using: &rng)
                if (try? sim.withState { try $0.inject(change) }) != nil { leaderChanges += 1 }
            }
            try await Task.sleep(for: .milliseconds(550))
            controller = try launch()
        }
        // The last run is left alone until the plan is done.
        if controller.isRunning == false { controller = try launch() }
        try await waitFor("the plan to succeed", seconds: stress == nil ? 180 : 300) {
            let phase = try plan()?.status.phase
            if phase == .failed || phase == .cancelled { return true }
            return phase == .succeeded
        }
        controller.terminate()
        controller.waitUntilExit()
        await server.stop()

        let final = try #require(try plan())
        print("crash loop: \(killsDuringThePlan) SIGKILLs during a plan of \(final.spec.steps.count) steps")
        #expect(killsDuringThePlan >= min(cycles, 100), "the plan must span the crash loop")
        #expect(final.status.phase == .succeeded, "\(final.status.conditions.map { "\($0.type) \($0.reason): \($0.message)" })")
        if final.status.phase != .succeeded {
            for s in final.status.steps where s.phase != .succeeded { print("step", s.name, s.phase, s.attempts, s.lastError ?? "") }
        }
        #expect(final.spec.revision == pending.spec.revision, "an executing plan is never rewritten")

        // No step's mutation reached PD twice: each region's transfer-leader was accepted at most once, unless PD
        // itself lost the earlier one (a new leader never knew it) or ended it, before the next, without effect; and
        // no transfer reached PD's operator controller while PD still ran the region's earlier accepted one.
        let (log, fates, running, changes) = sim.withState { c in
            (c.mutationLog, c.adminOperatorFates, Array(c.operators.values.filter { $0.kind.contains(.admin) }), c.leadership.changes)
        }
        func regionOf(_ m: MutationRecord) -> UInt64? {
            guard let json = try? JSONSerialization.jsonObject(with: Data(m.body.utf8)) as? [String: Any],
                  json["name"] as? String == "transfer-leader", let region = json["region_id"] as? Int else { return nil }
            return UInt64(region)
        }
        let posts = log.filter { $0.path == "/pd/api/v1/operators" && $0.method == "POST" }
        let accepted = posts.filter(\.accepted)
        // Every admitted admin operator, in admission order per region: how it left PD, or still running (nil).
        var admitted: [UInt64: [(start: Int64, fate: AdminOperatorFate?)]] = [:]
        for f in fates { admitted[f.regionId, default: []].append((f.startAtNanos, f)) }
        for op in running { admitted[op.regionId, default: []].append((op.startAtNanos, nil)) }
        for k in admitted.keys { admitted[k]?.sort { $0.start < $1.start } }
        var acceptedPerRegion: [UInt64: Int] = [:]
        for m in accepted { if let r = regionOf(m) { acceptedPerRegion[r, default: 0] += 1 } }
        #expect(acceptedPerRegion.values.reduce(0, +) == accepted.count, "every accepted operator POST is a transfer-leader")
        #expect(acceptedPerRegion.allSatisfy { admitted[$0.key]?.count == $0.value },
                "the simulator's admitted admin operators match the accepted POSTs")
        var excused = 0
        var duplicates: [String] = []
        for (region, ops) in admitted.sorted(by: { $0.key < $1.key }) {
            for (earlier, later) in zip(ops, ops.dropFirst()) {
                guard let f = earlier.fate, f.leftAtNanos <= later.start else {
                    duplicates.append("region \(region): accepted again at \(later.start) while PD still ran the operator of \(earlier.start)")
                    continue
                }
                switch f.outcome {
                case .lostInLeaderChange, .ended(.cancel), .ended(.timeout):
                    if f.withoutEffect { excused += 1 } else { duplicates.append("region \(region): accepted again after \(f.outcome) with effect") }
                default:
                    duplicates.append("region \(region): accepted again after the earlier operator ended \(f.outcome)")
                }
            }
        }
        #expect(duplicates.isEmpty, "transfers accepted twice without PD ending the first without effect: \(duplicates)")
        // A POST PD refused says no more: it may have met an operator PD still ran (PD refuses a second one).
        var sentWhileRunning: [String] = []
        for m in posts where !m.accepted && m.status != 503 {
            guard let region = regionOf(m), let earlier = admitted[region]?.last(where: { $0.start <= m.atNanos }) else { continue }
            if let f = earlier.fate, f.leftAtNanos <= m.atNanos { continue }
            sentWhileRunning.append("region \(region): sent at \(m.atNanos) (PD answered \(m.status)) while PD ran the operator of \(earlier.start)")
        }
        #expect(sentWhileRunning.isEmpty, "transfers sent while PD still ran the region's operator: \(sentWhileRunning)")
        let transfers = final.spec.steps.indices.filter { final.spec.steps[$0].action.kind == .transferLeader }
        if stress == nil {
            #expect(accepted.count == transfers.count - final.status.steps.filter { $0.phase == .skipped }.count)
        } else {
            // An operator that took effect just before a failover leaves no record; the step may then find its effect
            // holding only after the new leader hears the region, and be marked skipped: count by region instead.
            let stepRegions = Set(transfers.compactMap { final.spec.steps[$0].action.regionID })
            #expect(Set(acceptedPerRegion.keys).isSubset(of: stepRegions), "every accepted transfer is one of the plan's")
            let unsent = transfers.filter { final.status.steps[$0].phase == .succeeded }
                .compactMap { final.spec.steps[$0].action.regionID }.filter { acceptedPerRegion[$0] == nil }
            #expect(unsent.isEmpty, "succeeded steps whose transfer PD never accepted: \(unsent)")
        }
        // No step failed while PD still carried it out: PD's refusal of a second operator would say so.
        let failedWhileRunning = final.status.steps.filter { ($0.lastError ?? "").contains("maybe already have one") }
        #expect(failedWhileRunning.isEmpty, "\(failedWhileRunning.map { "\($0.name): \($0.lastError ?? "")" })")
        if let stress {
            let lost = fates.filter { $0.outcome == .lostInLeaderChange }.count
            print("crash loop under PD stress: clock skew \(stress.clockSkewSeconds) s, \(leaderChanges) leader changes injected "
                  + "(\(changes) taken office), \(lost) running operators lost to them, \(excused) transfers rightly sent again")
            for s in final.status.steps where s.lastError != nil { print("step", s.name, s.phase, s.attempts, s.lastError ?? "") }
            #expect(leaderChanges >= 3, "PD's leader must change several times during the plan")
        }

        // The store survived every SIGKILL, and the approval is still there.
        let check = try DatabaseQueue(path: db)
        let integrity = try await check.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == ["ok"])
        #expect(try client.approvals(plan: pending.name).count == 1)
    }
}
