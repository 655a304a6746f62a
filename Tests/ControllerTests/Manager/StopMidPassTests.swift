import Foundation
import Reconcilers
import Synchronization
import Testing
import TestSupport
import TiKVSimulator

/// A stop (SIGTERM cancels the pass under way) starts no new PD mutation, and a mutation already on the wire is
/// recorded as maybe applied, settled by its effect, never sent twice. Real loopback HTTP to the simulator.
@Suite(.serialized) struct StopMidPassTests {
    /// What the simulator's request hook needs: the pass to cancel, and how many `/schedulers` requests it saw.
    final class Trap: Sendable {
        let pass = Mutex<Task<Void, any Error>?>(nil)
        let schedulerRequests = Mutex<Int?>(nil)
    }

    @Test func aCancelledPassSendsNothingNewAndRecordsTheCallUnderWayAsMaybeApplied() async throws {
        let trap = Trap()
        // While armed, the third `/schedulers` request of a pass is the drain's POST (the observation GETs the list and
        // the paused ones first): the pass is cancelled while PD holds that request, which it then applies.
        let h = try await ControlLoopHarness(cluster: SimulatedCluster.generated(stores: 5, regions: 300, seed: 7)) { path in
            guard path == "/pd/api/v1/schedulers" else { return }
            let seen = trap.schedulerRequests.withLock { n -> Int? in
                guard let count = n else { return nil }
                n = count + 1
                return count + 1
            }
            guard seen == 3 else { return }
            trap.pass.withLock { $0?.cancel() }
            try? await Task.sleep(for: .seconds(1))
        }
        try await withServer(h) { h in
            try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute"))
            try h.writeSpec("maintenance.yaml", h.drainYAML())
            try h.syncSpecs()
            var plan: RemediationPlan?
            for _ in 0..<20 where plan == nil {
                try await h.pass()
                h.advance(2)
                plan = try h.plans().first { $0.name.contains("drain-store-4") && $0.status.conditions[type: "Blocked"]?.reason == "Approval" }
            }
            let pending = try #require(plan)
            try h.approve(pending)

            // Cancelled from its start: the pass ends after observing, having written and sent nothing.
            let early = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                try await h.pass()
            }
            await #expect(throws: CancellationError.self) { try await early.value }
            #expect(h.sim.withState { $0.mutationLog }.isEmpty)
            #expect(try h.resources.get(RemediationPlanKind.self, pending.name)?.status.steps.allSatisfy { $0.phase == .pending } == true)

            // Cancelled while PD holds the drain's call: recorded as maybe applied, the step left Running.
            trap.schedulerRequests.withLock { $0 = 0 }
            let cut = Task { _ = try await h.pass() }
            trap.pass.withLock { $0 = cut }
            _ = await cut.result
            trap.schedulerRequests.withLock { $0 = nil }
            let sent = try h.store.audit(kind: RemediationPlanKind.kind, name: pending.name).filter { $0.action == "PDMutation" }
            #expect(sent.count == 1 && sent.allSatisfy { $0.message.contains("outcome unknown") }, "\(sent.map(\.message))")
            let running = try #require(try h.resources.get(RemediationPlanKind.self, pending.name))
            #expect(running.status.steps.first?.phase == .running, "\(running.status.steps)")
            #expect(running.status.steps.first?.lastError?.hasPrefix("outcome unknown") == true, "\(running.status.steps)")

            // PD applied it: the next passes see the effect and never send it again.
            #expect(await eventually(timeout: .seconds(60)) { h.sim.withState { $0.schedulers.evictLeaderStores } == [4] })
            for _ in 0..<3 {
                h.advance(2)
                try await h.pass()
            }
            let after = try #require(try h.resources.get(RemediationPlanKind.self, pending.name))
            #expect(after.status.steps.first?.phase == .succeeded, "\(after.status.steps)")
            #expect(h.sim.withState { $0.mutationLog }.filter { $0.path.contains("schedulers") }.count == 1)
        }
    }
}
