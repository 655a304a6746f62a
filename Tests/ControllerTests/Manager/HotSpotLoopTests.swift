import Foundation
import Reconcilers
import Testing
import TiKVSimulator
import TestSupport
@testable import ModelDiagnosis
@testable import TiKVController

/// The hot-spot playbook against the simulated PD over loopback HTTP: a hot region's store gets a ticket, a diagnosis
/// and a split plan; once a person approves it and the split is observed, a second plan moves the hotter half's leader
/// to the coolest store; once that is observed, the store's ticket resolves. A slow store, or an operator PD already
/// runs on the region, gets no plan.
@Suite(.serialized) struct HotSpotLoopTests {
    /// The harness with the hot-spot ticket opening at once and PD's own balancers paused, so that only the
    /// controller's plans move the hot region (PD's hot-region scheduler would spread it itself).
    static func harness(pauseEvictSlowStore: Bool = false) async throws -> ControlLoopHarness {
        let h = try await ControlLoopHarness(stores: 5, regions: 200, seed: 19)
        var paused = ["balance-leader-scheduler", "balance-region-scheduler", "balance-hot-region-scheduler"]
        if pauseEvictSlowStore { paused.append("evict-slow-store-scheduler") }
        h.sim.withState { s in
            for name in paused { try? s.pauseScheduler(name: name, delaySeconds: 86_400) }
        }
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute", extra: """
          invariants:
            hotSpot: {gracePeriod: 0s}
        """))
        try h.syncSpecs()
        h.advance(20)
        try await h.pass()
        return h
    }

    /// A region with three voters and its leader's store.
    static func candidate(_ h: ControlLoopHarness) throws -> (region: UInt64, leader: UInt64) {
        try #require(h.sim.withState { s -> (UInt64, UInt64)? in
            guard let r = s.reported.first(where: { $0.known && $0.peers.count == 3 && $0.leaderStoreId != nil && s.operators[$0.id] == nil }),
                  let leader = r.leaderStoreId else { return nil }
            return (r.id, UInt64(leader))
        })
    }

    /// Passes, `step` virtual seconds apart, until `done` holds; false when it never did within `max` passes.
    static func passes(_ h: ControlLoopHarness, step: Double = 5, max: Int = 120, until done: () throws -> Bool) async throws -> Bool {
        for _ in 0..<max {
            h.advance(step)
            try await h.pass()
            if try done() { return true }
        }
        return false
    }

    static func hotSpotPlans(_ h: ControlLoopHarness, store: UInt64) throws -> [RemediationPlan] {
        try h.plans().filter { $0.spec.concern == "hot-spot-store-\(store)" }.sorted { $0.name < $1.name }
    }

    @Test func aHotRegionIsSplitAndItsHotterHalfsLeaderMovedUntilTheTicketResolves() async throws {
        let h = try await Self.harness()
        let (rid, hotStore) = try Self.candidate(h)
        let faultID = try h.sim.withState { try $0.inject(Fault(kind: .hotRegion, region: rid, factor: 500, flow: "write")) }
        let hotCode = try #require(h.sim.withState { $0.faults.first { $0.id == faultID }?.hotCode })

        // hotSpot ticket → diagnosis → split plan.
        func ticket() throws -> Ticket? { try h.tickets().first { $0.spec.invariant == "hotSpot" && $0.spec.subject == "store/\(hotStore)" } }
        #expect(try await Self.passes(h) { try ticket()?.status.state == .open && !Self.hotSpotPlans(h, store: hotStore).isEmpty })
        // The rules engine diagnoses it off the loop; the next pass writes what it found.
        await h.reconciler.diagnoses.waitUntilIdle()
        try await h.pass()
        #expect(try ticket()?.status.diagnosis?.primary.cause == .hotRegion)
        let split = try #require(try Self.hotSpotPlans(h, store: hotStore).first)
        #expect(split.spec.steps.map(\.action.kind) == [.splitRegion])
        #expect(split.spec.steps.first?.action.regionID == rid)
        #expect(split.spec.ticket == (try ticket()?.name))
        #expect(split.status.phase == .pending, "nothing runs unapproved")
        #expect(!h.sim.withState { $0.mutationLog.contains { $0.body.contains("split-region") } })

        // Approved (signed): PD's split-region operator runs and the split is observed.
        try h.approve(split)
        #expect(try await Self.passes(h, step: 2) { try h.plans().first { $0.name == split.name }?.status.phase == .succeeded })
        #expect(h.sim.withState { $0.mutationLog.filter { $0.body.contains(#""name":"split-region","region_id":\#(rid)"#) }.count } == 1)
        let hotHalf = try #require(h.sim.withState { s in s.keyOrder.rank(containingCode: hotCode).map { s.truth[s.slot(atRank: $0)].id } })
        #expect(hotHalf != rid, "the hot key lies in the new lower half")

        // Once PD's hot statistics describe the halves, the next plan moves the hotter half's leader.
        #expect(try await Self.passes(h, step: 10) { try Self.hotSpotPlans(h, store: hotStore).count == 2 })
        let move = try #require(try Self.hotSpotPlans(h, store: hotStore).last)
        let action = try #require(move.spec.steps.first?.action)
        #expect(move.spec.steps.count == 1 && action.kind == .transferLeader)
        #expect(action.regionID == hotHalf)
        #expect(action.fromStoreID == hotStore)
        let target = try #require(action.toStoreID)
        #expect(move.spec.reason.contains(split.name))

        try h.approve(move)
        #expect(try await Self.passes(h, step: 2) { try h.plans().first { $0.name == move.name }?.status.phase == .succeeded })
        #expect(h.sim.withState { s in s.reported.first { $0.id == hotHalf }?.leaderStoreId.map(UInt64.init) } == target)

        // The flow has left the store: its ticket resolves. The flow lands whole on the target (a single hot key), and
        // no hot-spot plan moves that region on.
        #expect(try await Self.passes(h, step: 10) { try ticket()?.status.state == .resolved })
        _ = try await Self.passes(h, step: 10, max: 12) { false }
        await h.reconciler.diagnoses.waitUntilIdle()
        try await h.pass()
        let landed = try #require(try h.tickets().first { $0.spec.invariant == "hotSpot" && $0.spec.subject == "store/\(target)" },
                                  "the moved flow makes store \(target) hot")
        #expect(landed.status.diagnosis?.primary.title.contains("single hot key") == true, "\(String(describing: landed.status.diagnosis?.primary.title))")
        #expect(try Self.hotSpotPlans(h, store: target).isEmpty, "\((try? Self.hotSpotPlans(h, store: target).map { "\($0.name): \($0.spec.reason)" }) ?? [])")
        await h.stop()
    }

    @Test func aSlowStoreGetsNoHotSpotPlan() async throws {
        // PD's evict-slow-store paused: the slow score alone must keep the playbook away.
        let h = try await Self.harness(pauseEvictSlowStore: true)
        let (rid, hotStore) = try Self.candidate(h)
        _ = try h.sim.withState { try $0.inject(Fault(kind: .slow, store: hotStore, factor: 20)) }
        #expect(try await Self.passes(h, step: 10) { h.sim.withState { ($0.store(hotStore)?.slowScore ?? 0) >= 80 } })
        _ = try h.sim.withState { try $0.inject(Fault(kind: .hotRegion, region: rid, factor: 500, flow: "write")) }
        #expect(try await Self.passes(h) {
            try h.tickets().contains { $0.spec.invariant == "hotSpot" && $0.spec.subject == "store/\(hotStore)" && $0.status.state == .open }
        })
        _ = try await Self.passes(h, step: 10, max: 12) { false }
        #expect(try Self.hotSpotPlans(h, store: hotStore).isEmpty, "\((try? h.plans().map(\.name)) ?? [])")
        await h.stop()
    }

    @Test func anOperatorPDRunsOnTheRegionBlocksThePlan() async throws {
        let h = try await Self.harness()
        let (rid, hotStore) = try Self.candidate(h)
        // Someone else's operators on the region, one after another: a split at a key outside the region, which PD keeps
        // running until its step times out (60 s), then the next.
        func keepPDBusy() {
            h.sim.withState { s in
                if s.operators[rid] == nil { try? s.createAdminOperator(.splitRegion(region: rid, policy: "usekey", keys: ["FF"])) }
            }
        }
        keepPDBusy()
        _ = try h.sim.withState { try $0.inject(Fault(kind: .hotRegion, region: rid, factor: 500, flow: "write")) }
        var opened = false
        for _ in 0..<60 {
            h.advance(5)
            keepPDBusy()
            try await h.pass()
            let open = try h.tickets().contains { $0.spec.invariant == "hotSpot" && $0.spec.subject == "store/\(hotStore)" && $0.status.state == .open }
            opened = opened || open
            #expect(h.sim.withState { $0.operators[rid] } != nil, "PD's operator runs on the region")
            #expect(try Self.hotSpotPlans(h, store: hotStore).isEmpty, "\((try? h.plans().map(\.name)) ?? [])")
        }
        #expect(opened, "the store's hot-spot ticket opened while PD's operators ran")

        // PD's operator gone, the playbook proposes its split.
        h.sim.withState { _ = try? $0.cancelOperator(region: rid) }
        #expect(try await Self.passes(h) { try !Self.hotSpotPlans(h, store: hotStore).isEmpty })
        await h.stop()
    }
}
