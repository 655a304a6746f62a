import Foundation
import Reconcilers
import Testing
import TiKVSimulator
import TestSupport
@testable import TiKVController

/// Two of six stores die with three replicas: the controller counts the regions without a quorum over real HTTP in
/// the first pass that sees the stores gone, opens a critical ticket at once and offers both ways out, sending nothing.
@Suite(.serialized) struct QuorumLossLoopTests {
    @Test func twoDeadStoresOpenACriticalTicketInOnePassWithBothPlans() async throws {
        let h = try await ControlLoopHarness(stores: 6, regions: 600, seed: 19)
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute"))
        try h.syncSpecs()
        try await h.pass()
        #expect(try h.tickets().allSatisfy { !["regionsUnavailable", "regionsAtRisk", "storeDown"].contains($0.spec.invariant) })

        _ = try h.sim.withState { try $0.inject(Fault(kind: .kill, store: 4)) }
        _ = try h.sim.withState { try $0.inject(Fault(kind: .kill, store: 5)) }
        // PD calls a store disconnected 20 s after its last heartbeat: the next pass is the first to see both gone.
        h.advance(31)
        try await h.pass()

        // What PD's own region view says: regions with two of their three voters on stores 4 and 5.
        let expected = h.sim.withState { c in
            c.reported.filter { r in
                let voters = r.known ? r.peers.filter { $0.role != .learner } : []
                let dead = voters.filter { $0.storeId == 4 || $0.storeId == 5 }.count
                return !voters.isEmpty && voters.count - dead < voters.count / 2 + 1
            }.count
        }
        #expect(expected > 0, "the seed must leave some region on both dead stores")
        let ticket = try #require(try h.tickets().first { $0.spec.invariant == "regionsUnavailable" })
        #expect(ticket.status.state == .open)
        #expect(ticket.spec.severity == .critical)
        #expect(ticket.status.readings.first { $0.name == "unavailableRegions" }?.value == Double(expected))
        #expect(ticket.status.readings.first { $0.name == "exact" }?.value == 1)
        // Its incident's root is the first dead store's down ticket (still in its grace period).
        let root = try #require(ticket.status.incident?.root)
        #expect(try h.tickets().first { $0.name == root }?.spec.invariant == "storeDown")

        let plans = try h.plans()
        let restore = try #require(plans.first { $0.spec.concern == "restore-stores-4-5" }, "plans: \(plans.map(\.name))")
        #expect(restore.spec.steps.map(\.action.kind) == [.waitForStoresUp])
        #expect(restore.spec.ticket == ticket.name)
        let recover = try #require(plans.first { $0.spec.concern == "unsafe-recovery-stores-4-5" })
        #expect(recover.spec.steps.map(\.action) == [.stores(.removeFailedStores, [4, 5])])
        #expect(recover.spec.risk == .high)
        #expect(recover.spec.reason.contains("DATA LOSS"))
        let cluster = try #require(try h.cluster())
        #expect(ApprovalEvaluator.required(for: recover.spec, policy: cluster.spec.approval) == 2)

        // A few more passes in execute mode: without approvals nothing is sent and the stores stay as they are.
        for _ in 0..<3 {
            h.advance(5)
            try await h.pass()
        }
        let phase = try h.plans().first { $0.name == recover.name }?.status.phase
        #expect(phase == .pending, "\(String(describing: phase))")
        #expect(!h.sim.withState { $0.mutationLog.contains { $0.path.contains("remove-failed-stores") } })
        #expect(h.sim.withState { $0.store(4)?.state } == .up)
        await h.stop()
    }
}
