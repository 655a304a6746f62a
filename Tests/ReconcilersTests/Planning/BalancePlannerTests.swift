import Foundation
import Testing
@testable import Reconcilers

@Suite struct BalancePlannerTests {
    typealias F = PlanningFixtures

    /// 40 regions over 4 stores (every 3-of-4 voter set in turn), leaders piled on `leaderOf`.
    static func regions(count: Int = 40, leaderOf: (Int, [UInt64]) -> UInt64) -> [RegionPlacement] {
        let triples: [[UInt64]] = [[1, 2, 3], [1, 2, 4], [1, 3, 4], [2, 3, 4]]
        return (0..<count).map { i in
            let voters = triples[i % 4]
            return RegionPlacement(id: UInt64(100 + i), leaderStoreID: leaderOf(i, voters), voterStoreIDs: voters)
        }
    }

    static func skewed() -> (stores: [StoreSnapshot], regions: [RegionPlacement]) {
        // Store 1 leads every region it holds a voter of (30), the others share the rest.
        let regions = regions { _, voters in voters.contains(1) ? 1 : voters[0] }
        return (F.counted((1...4).map { F.store($0) }, regions), regions)
    }

    @Test func lowerBoundIsTheLargerOfExcessAndDeficit() {
        // 40 leaders over 4 equal stores: band [10, 10].
        let t = BalanceTargets([(1, 30, 1), (2, 10, 1), (3, 0, 1), (4, 0, 1)])
        #expect(t.stores.map(\.lower) == [10, 10, 10, 10])
        #expect(t.excessOverUpper == 20)
        #expect(t.deficitUnderLower == 20)
        #expect(t.lowerBound == 20)
        // Weighted 2:1:1 over 10: shares 5, 2.5, 2.5 → bands [5,5], [2,3], [2,3].
        let w = BalanceTargets([(1, 0, 2), (2, 5, 1), (3, 5, 1)])
        #expect(w.stores.map(\.lower) == [5, 2, 2])
        #expect(w.stores.map(\.upper) == [5, 3, 3])
        #expect(w.excessOverUpper == 4)
        #expect(w.deficitUnderLower == 5)
        #expect(w.lowerBound == 5)
        #expect(w.quotas.receivers.map(\.id) == [1])
        #expect(w.quotas.givers.map { $0.may } == [3, 3])
    }

    @Test func skewedLeadersGiveTheMinimumNumberOfLegalMoves() throws {
        let (stores, regions) = Self.skewed()
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions)))
        let plan = try #require(F.plan("balance-leaders", in: result.plans))
        #expect(plan.name == "balance-leaders-prod")
        #expect(plan.status.phase == .pending)
        #expect(plan.status.conditions[type: "Approved"]?.reason == "AwaitingApproval")
        let targets = BalanceTargets(stores.map { ($0.id, $0.leaderCount, 1.0) })
        #expect(plan.spec.steps.count == targets.lowerBound)
        #expect(plan.spec.steps.count == 20)
        PlanChecks.expectLegalLeaderMoves(plan, regions: regions, snapshot: F.snapshot(stores, regions: regions))
        PlanChecks.expectBalanced(plan, stores: stores, kind: .leaders)
        // Batches never exceed min(leader-schedule-limit 4, maxInFlightSteps 4).
        let batches = Dictionary(grouping: plan.spec.steps, by: { $0.batch ?? 0 })
        #expect(batches.values.allSatisfy { $0.count <= 4 })
        #expect(batches.keys.sorted() == Array(1...5))
        #expect(result.regionScope == .stores([1]))
    }

    @Test func weightsShiftTheTargets() throws {
        let (stores, regions) = Self.skewed()
        let cluster = F.cluster(balance: BalancePolicy(storeWeights: [StoreWeight(storeID: 1, leader: 2)]))
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), cluster: cluster))
        let plan = try #require(F.plan("balance-leaders", in: result.plans))
        // Shares 16, 8, 8, 8: store 1 sheds 14, store 2 sheds 2.
        #expect(plan.spec.steps.count == 16)
        PlanChecks.expectBalanced(plan, stores: stores, kind: .leaders, weights: [1: 2])
    }

    @Test func withinTheSkewLimitThereIsNoPlan() {
        let regions = Self.regions { i, voters in voters[i % 3] }
        let stores = F.counted((1...4).map { F.store($0) }, regions)
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions)))
        #expect(F.plan("balance-leaders", in: result.plans) == nil)
    }

    @Test func withoutRegionsTheExistingPlanStaysAndTheStoresAreAsked() throws {
        let (stores, regions) = Self.skewed()
        let first = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions)))
        // The next observation skipped the regions: nothing changes, the same stores are asked for again.
        let second = PlanningReconciler.reconcile(F.input(F.snapshot(stores), plans: first.plans))
        #expect(second.plans == first.plans)
        #expect(second.events.isEmpty)
        #expect(second.regionScope == .stores([1]))
        // With no plan yet, none is invented.
        let fresh = PlanningReconciler.reconcile(F.input(F.snapshot(stores)))
        #expect(fresh.plans.isEmpty)
        #expect(fresh.regionScope == .stores([1]))
    }

    @Test func regionsFetchedForOtherStoresDoNotCount() {
        let (stores, regions) = Self.skewed()
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, scope: .stores([2]))))
        #expect(result.plans.isEmpty)
        #expect(result.regionScope == .stores([1]))
    }

    @Test func illegalTargetsAreNeverUsed() throws {
        let (stores, base) = Self.skewed()
        // Store 3's peers are pending everywhere, store 4 is evicted, two regions have operators, one is joint.
        let regions = base.map { r -> RegionPlacement in
            var r = r
            if r.voterStoreIDs.contains(3) { r.unhealthyStoreIDs = [3] }
            if r.id == 101 { r.inJointState = true }
            return r
        }
        let snapshot = F.snapshot(stores, regions: regions, evicted: [4], operators: [100, 102])
        let result = PlanningReconciler.reconcile(F.input(snapshot))
        let plan = try #require(F.plan("balance-leaders", in: result.plans))
        PlanChecks.expectLegalLeaderMoves(plan, regions: regions, snapshot: snapshot)
        #expect(plan.spec.steps.allSatisfy { $0.action.toStoreID == 2 })
    }

    @Test func whenLegalMovesFallShortThePlanSaysSo() throws {
        // Store 1 leads 30 regions whose only other voter is store 2 (2 replicas); stores 3 and 4 share
        // 8 regions between themselves only.
        let pinned: [RegionPlacement] = (0..<30).map { RegionPlacement(id: UInt64($0 + 1), leaderStoreID: 1, voterStoreIDs: [1, 2]) }
        let apart: [RegionPlacement] = (0..<8).map { i -> RegionPlacement in
            let leader: UInt64 = i % 2 == 0 ? 3 : 4
            return RegionPlacement(id: UInt64(i + 100), leaderStoreID: leader, voterStoreIDs: [3, 4])
        }
        let regions = pinned + apart
        let stores = F.counted((1...4).map { F.store($0) }, regions)
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions)))
        let plan = try #require(F.plan("balance-leaders", in: result.plans))
        // Band [9, 10]; the lower bound is 20 but only store 2 can take store 1's leaders, up to 10.
        #expect(BalanceTargets(stores.map { ($0.id, $0.leaderCount, 1.0) }).lowerBound == 20)
        #expect(plan.spec.steps.count == 10)
        #expect(plan.spec.steps.allSatisfy { $0.action.toStoreID == 2 })
        #expect(plan.spec.reason.contains("legal moves cannot balance every store now: 10 moves"))
    }

    /// A store just back from being down, or with an open slow or flapping ticket, is given no leaders:
    /// a restart loop shows only at its third change, and leaders moved onto it would be stranded.
    @Test func unsettledStoresTakeNoLeaders() throws {
        let (stores, regions) = Self.skewed()
        let t0 = F.snapshot(stores, regions: regions).observedAt
        var cluster = F.cluster()
        cluster.status.storeHistory = [StoreHistory(storeID: 3, alive: true, transitions: [t0.addingTimeInterval(-60), t0.addingTimeInterval(-30)])]
        let back = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), cluster: cluster))
        let plan = try #require(F.plan("balance-leaders", in: back.plans))
        #expect(!plan.spec.steps.contains { $0.action.toStoreID == 3 })
        // Once the changes leave the flapping window (10 min), it takes leaders again; so does a store whose
        // only change is its first heartbeat after the controller first saw it.
        for history in [[t0.addingTimeInterval(-700), t0.addingTimeInterval(-650)], [t0.addingTimeInterval(-5)]] {
            cluster.status.storeHistory = [StoreHistory(storeID: 3, alive: true, transitions: history)]
            let settled = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), cluster: cluster))
            #expect(try #require(F.plan("balance-leaders", in: settled.plans)).spec.steps.contains { $0.action.toStoreID == 3 })
        }
        let flapping = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), tickets: [F.ticket("storeFlapping", "store/4")]))
        #expect(!(try #require(F.plan("balance-leaders", in: flapping.plans))).spec.steps.contains { $0.action.toStoreID == 4 })
    }

    /// Store 1's leaders can only go to store 2, store 3 can only take store 2's: with store 2 in its band no
    /// direct move is legal, so store 2 relays (one of 1's leaders in, one of its own out to 3), after the
    /// planner asked for every store's regions.
    @Test func stuckLeadersGoThroughARelayStore() throws {
        let near = (0..<12).map { RegionPlacement(id: UInt64($0 + 1), leaderStoreID: 1, voterStoreIDs: [1, 2]) }
        let far = (0..<6).map { RegionPlacement(id: UInt64($0 + 100), leaderStoreID: 2, voterStoreIDs: [2, 3]) }
        let regions = near + far
        let stores = F.counted((1...3).map { F.store($0) }, regions)
        let ask = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, scope: .stores([1]))))
        #expect(F.plan("balance-leaders", in: ask.plans) == nil)
        #expect(ask.regionScope == .stores([1, 2, 3]))
        let snapshot = F.snapshot(stores, regions: regions, scope: .stores([1, 2, 3]))
        let result = PlanningReconciler.reconcile(F.input(snapshot))
        let plan = try #require(F.plan("balance-leaders", in: result.plans))
        #expect(plan.spec.steps.count == 12)
        #expect(plan.spec.reason.contains("relay"))
        #expect(Set(plan.spec.steps.compactMap(\.action.regionID)).count == 12)
        PlanChecks.expectLegalLeaderMoves(plan, regions: regions, snapshot: snapshot)
        PlanChecks.expectBalanced(plan, stores: stores, kind: .leaders)
        #expect(result.regionScope == .stores([1, 2, 3]))
    }

    @Test func regionBalanceMovesPeersToStoresWithoutOne() throws {
        // Stores 1–3 hold every region; stores 4 and 5 are new and empty.
        let regions = (0..<30).map { RegionPlacement(id: UInt64($0 + 1), leaderStoreID: UInt64($0 % 3 + 1), voterStoreIDs: [1, 2, 3]) }
        let stores = F.counted((1...5).map { F.store($0) }, regions)
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions)))
        let plan = try #require(F.plan("balance-regions", in: result.plans))
        let targets = BalanceTargets(stores.map { ($0.id, $0.regionCount, 1.0) })
        #expect(plan.spec.steps.count == targets.lowerBound)
        #expect(plan.spec.risk == .medium)
        PlanChecks.expectLegalPeerMoves(plan, regions: regions, snapshot: F.snapshot(stores, regions: regions))
        PlanChecks.expectBalanced(plan, stores: stores, kind: .regions)
    }

    @Test func aTicketIsLinkedToTheBalancePlan() throws {
        let (stores, regions) = Self.skewed()
        let ticket = F.ticket("leaderSkew", "cluster")
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), tickets: [ticket]))
        #expect(F.plan("balance-leaders", in: result.plans)?.spec.ticket == ticket.name)
    }

    @Test func theMovesDoNotDependOnRegionOrder() {
        let (stores, regions) = Self.skewed()
        let t = BalanceTargets(stores.map { ($0.id, $0.leaderCount, 1.0) })
        let a = BalancePlanner.moves(.leaders, quotas: t.quotas, regions: regions, alive: [1, 2, 3, 4], regionsWithOperator: [])
        let b = BalancePlanner.moves(.leaders, quotas: t.quotas, regions: regions.reversed(), alive: [1, 2, 3, 4], regionsWithOperator: [])
        #expect(a == b)
    }
}
