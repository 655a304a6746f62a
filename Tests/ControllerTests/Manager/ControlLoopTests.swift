import Foundation
import Logging
import Reconcilers
import Testing
import TiKVSimulator
import TestSupport
@testable import TiKVController
@testable import OperatorStore

/// The control loop against the simulator over real HTTP, with a real SQLite store.
@Suite(.serialized) struct ControlLoopTests {
    @Test func aClusterIsObservedAndAnIdlePassWritesNothing() async throws {
        let h = try await ControlLoopHarness()
        try h.writeSpec("cluster.yaml", h.clusterYAML())
        try h.syncSpecs()
        try await h.pass()
        h.advance(1)
        try await h.pass()
        let cluster = try #require(try h.cluster())
        #expect(cluster.status.conditions[type: "Observed"]?.status == .true)
        #expect(cluster.status.conditions[type: "Paused"]?.status == .false)
        #expect(cluster.status.stores == 5)
        #expect(cluster.status.storesUp == 5)
        #expect(cluster.status.conditions[type: "Valid"]?.status == .true, "the reconciler keeps the spec sync's condition")

        // Nothing changes in the cluster between these passes: nothing is written.
        let counter = try h.store.changeCounter()
        var counters: [Int64] = []
        var writes: [Int?] = []
        for _ in 0..<3 {
            writes.append(try await h.pass()?.writes)
            counters.append(try h.store.changeCounter())
        }
        let recent = try h.store.audit(limit: 5).map { "\($0.action) \($0.name ?? "")" }
        #expect(try h.store.changeCounter() == counter, "idle passes write nothing: \(counter) \(counters) \(recent)")
        #expect(writes.last == 0)
        await h.stop()
    }

    @Test func aKilledStoreOpensATicketAfterItsGracePeriodAndAPlanFollows() async throws {
        let h = try await ControlLoopHarness()
        try h.writeSpec("cluster.yaml", h.clusterYAML())
        try h.syncSpecs()
        try await h.pass()
        _ = try h.sim.withState { try $0.inject(Fault(kind: .kill, store: 3)) }
        // Disconnected after 20 s without a heartbeat; storeDown's default grace is 1 minute.
        for _ in 0..<12 {
            h.advance(10)
            try await h.pass()
        }
        let ticket = try #require(try h.tickets().first { $0.spec.invariant == "storeDown" })
        #expect(ticket.spec.subject == "store/3")
        #expect(ticket.status.state == .open)
        let cluster = try #require(try h.cluster())
        #expect(cluster.status.conditions[type: "Healthy"]?.status == .false)

        // The store stays dead past max-store-down-time (30 m): the playbook proposes taking it offline.
        for _ in 0..<40 {
            h.advance(60)
            try await h.pass()
        }
        let plans = try h.plans()
        let offline = plans.first { $0.spec.steps.contains { $0.action.kind == .offlineStore && $0.action.storeID == 3 } }
        #expect(offline != nil, "plans: \(plans.map(\.name))")
        #expect(offline?.spec.ticket == ticket.name)
        #expect(offline?.status.phase == .pending, "observe mode computes and shows, never executes")

        // Restart: a new manager on the same store recomputes the same tickets and plans, no duplicates.
        let before = (try h.tickets().map(\.name).sorted(), try h.plans().map(\.name).sorted())
        try await h.pass()
        #expect((try h.tickets().map(\.name).sorted(), try h.plans().map(\.name).sorted()) == before)
        await h.stop()
    }

    @Test func drainingAStoreEndToEndWithAnApprovalFromAnotherProcess() async throws {
        let (h, run) = try await ControlLoopHarness.drainingStore4()
        defer { run.cancel() }

        // A plan's spec and status are two writes: wait for its status too. Its planner blocks it until the
        // quorum check has read store 4's regions (PreconditionUnknown, a pass later); then only approval is missing.
        let found = await eventually {
            (try? h.plans().first { $0.name.contains("drain-store-4") && $0.status.conditions[type: "Blocked"]?.reason == "Approval" }) != nil
        }
        #expect(found)
        let plan = try #require(try h.plans().first { $0.name.contains("drain-store-4") })
        #expect(plan.status.phase == .pending)
        #expect(plan.status.conditions[type: "Blocked"]?.reason == "Approval")

        try h.approve(plan)
        let drained = await eventually(timeout: .seconds(90)) {
            (try? h.resources.get(RemediationPlanKind.self, plan.name))?.status.phase == .succeeded
        }
        let final = try #require(try h.resources.get(RemediationPlanKind.self, plan.name))
        #expect(drained, "plan: \(final.status.phase) \(final.status.conditions.map { "\($0.type)=\($0.status.rawValue) \($0.reason): \($0.message)" })")
        #expect(h.sim.withState { $0.schedulers.evictLeaderStores } == [4])
        let audit = try h.store.audit(kind: RemediationPlanKind.kind, name: plan.name)
        #expect(audit.contains { $0.action == "PDMutation" && $0.message.contains(#"{"name":"evict-leader-scheduler","store_id":4}"#) })
        #expect(audit.contains { $0.action == "StepStarted" })

        // Ending the maintenance removes what it created.
        try h.removeSpec("maintenance.yaml")
        let cleanup = await eventually {
            (try? h.plans().first { $0.name.contains("end-maintenance") && !$0.status.phase.isTerminal }) != nil
        }
        #expect(cleanup)
        if let end = try h.plans().first(where: { $0.name.contains("end-maintenance") }) { try h.approve(end) }
        let gone = await eventually(timeout: .seconds(60)) { h.sim.withState { $0.schedulers.evictLeaderStores }.isEmpty }
        #expect(gone)
        run.cancel()
        _ = await run.result
        await h.stop()
    }


    @Test func dryRunRecordsTheExactRequestsAndSendsNothing() async throws {
        let h = try await ControlLoopHarness()
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "dryRun"))
        try h.writeSpec("maintenance.yaml", h.drainYAML())
        try h.syncSpecs()
        try await h.pass()
        h.advance(1)
        try await h.pass()
        let plan = try #require(try h.plans().first { $0.name.contains("drain-store-4") })
        try h.approve(plan)
        for _ in 0..<5 {
            h.advance(5)
            try await h.pass()
        }
        let after = try #require(try h.resources.get(RemediationPlanKind.self, plan.name))
        #expect(after.status.steps.first?.pdRequest
                == #"dry run, not sent: POST /pd/api/v1/schedulers {"name":"evict-leader-scheduler","store_id":4}"#)
        #expect(after.status.conditions[type: "Blocked"]?.reason == "Mode")
        #expect(after.status.phase != .executing)
        #expect(h.sim.withState { $0.mutationLog }.isEmpty, "the simulator saw no mutation")
        #expect(try h.store.audit(kind: RemediationPlanKind.kind, name: plan.name).contains { $0.action == "DryRunRecorded" })
        await h.stop()
    }

    @Test func theKillSwitchFromAnotherProcessCancelsPlansAndStopsChanges() async throws {
        let h = try await ControlLoopHarness()
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute"))
        try h.writeSpec("maintenance.yaml", h.drainYAML())
        try h.syncSpecs()
        try await h.pass()
        let plan = try #require(try h.plans().first { $0.name.contains("drain-store-4") })
        try h.approve(plan)
        try await h.pass()  // sends the evict-leader scheduler
        #expect(try h.resources.get(RemediationPlanKind.self, plan.name)?.status.phase == .executing)

        let client = try StatusStore(path: h.directory.path("operator.db"), role: .client(actor: "bob"))
        try client.setKillSwitch(on: true, actor: "bob")
        let sent = h.sim.withState { $0.mutationLog.count }
        h.advance(5)
        try await h.pass()
        let cancelled = try #require(try h.resources.get(RemediationPlanKind.self, plan.name))
        #expect(cancelled.status.phase == .cancelled)
        for _ in 0..<3 {
            h.advance(5)
            try await h.pass()
        }
        #expect(h.sim.withState { $0.mutationLog.count } == sent, "nothing is sent while the kill switch is on")
        #expect(try h.resources.get(RemediationPlanKind.self, plan.name)?.status.phase == .cancelled, "a cancelled plan never resumes")
        #expect(try h.store.audit(kind: "Setting").contains { $0.actor == "bob" })
        await h.stop()
    }

    @Test func severalClustersAreReconciledIndependently() async throws {
        let h = try await ControlLoopHarness()
        // A second simulated cluster on its own port, on the same virtual clock start.
        let other = SimulatedCluster.generated(stores: 4, regions: 120, seed: 9)
        let server = try SimulatorServer(cluster: other)
        let port = try await server.start()
        try h.writeSpec("cluster.yaml", h.clusterYAML())
        try h.writeSpec("other.yaml", h.clusterYAML().replacingOccurrences(of: "name: sim", with: "name: other")
            .replacingOccurrences(of: h.pdURL, with: "http://127.0.0.1:\(port)"))
        try h.syncSpecs()
        _ = try other.withState { try $0.inject(Fault(kind: .kill, store: 2)) }
        var log = Logger(label: "test")
        log.logLevel = .warning
        for _ in 0..<10 {
            h.advance(10)
            other.advance(seconds: 10)
            _ = try await h.reconciler.reconcileCluster("sim", logger: log)
            _ = try await h.reconciler.reconcileCluster("other", logger: log)
        }
        let tickets = try h.tickets()
        #expect(tickets.contains { $0.spec.cluster == "other" && $0.spec.subject == "store/2" && $0.spec.invariant == "storeDown" })
        #expect(!tickets.contains { $0.spec.cluster == "sim" && $0.spec.invariant == "storeDown" }, "a fault in one cluster is not seen in the other")
        let a = try #require(try h.resources.get(TiKVClusterKind.self, "sim"))
        let b = try #require(try h.resources.get(TiKVClusterKind.self, "other"))
        #expect(a.status.stores == 5)
        #expect(b.status.stores == 4)
        #expect(b.status.storesUp == 3)
        await server.stop()
        await h.stop()
    }

    /// The hourly action limit is counted from the audit log by the store: once the plan's PD calls reach it,
    /// nothing more is sent and the plan says why; the count survives a new manager (it is in the store).
    @Test func theHourlyActionLimitStopsSendingAndSaysWhy() async throws {
        let h = try await ControlLoopHarness()
        // PD's balancers paused, so that only the controller moves leaders and the plan holds still.
        _ = try h.sim.withState { c in
            for s in ["balance-leader-scheduler", "balance-region-scheduler", "balance-hot-region-scheduler"] {
                try c.pauseScheduler(name: s, delaySeconds: 86_400)
            }
            return try c.inject(Fault(kind: .leaderSkew, store: 1))
        }
        h.advance(12)
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute", extra: """
              balance:
                strategy: moves
                leaders: {enabled: true, maxSkewPercent: 10}
              approval:
                low: {requiredApprovals: 1}
              limits:
                maxInFlightSteps: 20
                maxActionsPerHour: 3
            """))
        try h.syncSpecs()
        // The planner reads the regions it needs a pass after asking for them.
        for _ in 0..<4 where try h.plans().first(where: { $0.name.hasPrefix("balance-leaders") }) == nil {
            try await h.pass()
            h.advance(1)
        }
        let names = try h.plans().map(\.name)
        let plan = try #require(try h.plans().first { $0.name.hasPrefix("balance-leaders") }, "\(names)")
        #expect(plan.spec.steps.count > 3)
        // A plan is approved at its revision; a pass may still revise it before it executes: approve what is shown.
        for _ in 0..<8 {
            if let shown = try h.resources.get(RemediationPlanKind.self, plan.name),
               shown.status.conditions[type: "Blocked"]?.reason == "Approval" { try h.approve(shown) }
            try await h.pass()
            h.advance(2)
        }
        let sent = try h.store.audit(kind: RemediationPlanKind.kind, name: plan.name).filter { $0.action == "PDMutation" }
        #expect(sent.count == 3, "\(sent.map(\.message))")
        let after = try #require(try h.resources.get(RemediationPlanKind.self, plan.name))
        let blocked = after.status.conditions[type: "Blocked"]
        #expect(blocked?.reason == "Limits", "\(String(describing: blocked)) \(after.status.conditions.map { "\($0.type) \($0.reason) \($0.message)" })")
        #expect(blocked?.message.contains("3 action(s) in the last hour (limit 3)") == true, "\(String(describing: blocked))")
        await h.stop()
    }
}
