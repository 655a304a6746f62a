import Foundation
import Testing
@testable import Reconcilers

/// Which stores a balance planner downloads regions of: only those it moves from, none that missed a
/// heartbeat, at most a bounded number a pass.
@Suite struct BalanceSourcesTests {
    typealias F = PlanningFixtures

    /// Stores 1–12 over their share by 11…22 leaders (store 12 the most), stores 13–20 empty: 1,980 leaders,
    /// a share of 99 each. No regions fetched yet, so the planner only says what it wants.
    static func manyGivers(regionsPerStore: Int = 1000) -> [StoreSnapshot] {
        (1...20).map { id in
            var s = F.store(UInt64(id), leaders: id <= 12 ? 100 + 10 * id : 0, regions: regionsPerStore)
            s.lastHeartbeat = F.now.addingTimeInterval(-3)
            return s
        }
    }

    @Test func onlyTheMostOverFullStoresAreAskedForAtMostEightAPass() {
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(Self.manyGivers())))
        // Twelve givers, the eight most over their share asked for; no receiver (targets need no list of their own).
        #expect(result.regionScope == .stores(Array(5...12)))
        #expect(result.plans.isEmpty)
    }

    @Test func theRegionBudgetBoundsThePassToo() {
        // 100,000 regions a store: two fit in 250,000.
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(Self.manyGivers(regionsPerStore: 100_000))))
        #expect(result.regionScope == .stores([11, 12]))
        // A single store larger than the budget is still asked for: a pass always makes progress.
        let huge = BalanceSources.choose(BalanceTargets.Quotas(givers: [(1, 5, 5), (2, 3, 3)], receivers: [(3, 8, 8)]),
                                         regionCounts: [1: 900_000, 2: 10], excluded: [])
        #expect(huge.quotas.givers.map(\.id) == [1])
        #expect(huge.cut)
    }

    @Test func aStoreThatMissedAHeartbeatIsNeitherSourceNorTarget() throws {
        let (base, regions) = BalancePlannerTests.skewed()
        func stores(heartbeatAges: [UInt64: TimeInterval]) -> [StoreSnapshot] {
            base.map { s in
                var s = s
                s.lastHeartbeat = F.now.addingTimeInterval(-(heartbeatAges[s.id] ?? 2))
                return s
            }
        }
        // Fresh heartbeats: store 1 gives, stores 3 and 4 take.
        let fresh = PlanningReconciler.reconcile(F.input(F.snapshot(stores(heartbeatAges: [:]), regions: regions)))
        let freshPlan = try #require(F.plan("balance-leaders", in: fresh.plans))
        #expect(freshPlan.spec.steps.contains { $0.action.toStoreID == 3 })

        // A heartbeat a little past the 10 s interval is delivery jitter, not a missed heartbeat: the plan is unchanged.
        let jitter = PlanningReconciler.reconcile(F.input(F.snapshot(stores(heartbeatAges: [3: 10.2]), regions: regions)))
        #expect(F.plan("balance-leaders", in: jitter.plans)?.spec == freshPlan.spec)

        // Store 3 last heard from 16 s ago (a heartbeat is half an interval overdue; PD calls it Disconnected only at
        // 20 s): no move goes there.
        let late = PlanningReconciler.reconcile(F.input(F.snapshot(stores(heartbeatAges: [3: 16]), regions: regions)))
        let latePlan = try #require(F.plan("balance-leaders", in: late.plans))
        #expect(!latePlan.spec.steps.isEmpty)
        #expect(!latePlan.spec.steps.contains { $0.action.toStoreID == 3 })
        #expect(latePlan.spec.reason.contains("Not planned around: store 3"))
        #expect(late.regionScope == .stores([1]))

        // The only giver missed its heartbeat: nothing is fetched or planned around it; an existing plan stays as it is.
        let giverLate = PlanningReconciler.reconcile(F.input(F.snapshot(stores(heartbeatAges: [1: 17]), regions: regions), plans: fresh.plans))
        #expect(giverLate.regionScope == .none)
        #expect(giverLate.plans == fresh.plans)
        #expect(giverLate.events.isEmpty)
    }

    @Test func aRelayAsksForTheStoresOutOfTheirBandFirstWithinTheBound() {
        // Store 1 over, store 20 under, the others in their band: the relay wants 1 and 20, then relays by id.
        var counts: [(id: UInt64, count: Int, weight: Double)] = (1...20).map { (UInt64($0), 10, 1) }
        counts[0].count = 20
        counts[19].count = 0
        let targets = BalanceTargets(counts)
        let asked = BalanceSources.relay(targets, regionCounts: [:], excluded: [2])
        #expect(asked.count == BalanceSources.maxStoresPerPass)
        #expect(asked.contains(1) && asked.contains(20))
        #expect(!asked.contains(2))
        #expect(asked == [1, 3, 4, 5, 6, 7, 8, 20])
    }
}
