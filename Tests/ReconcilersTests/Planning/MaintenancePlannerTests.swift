import Foundation
import Testing
@testable import Reconcilers

@Suite struct MaintenancePlannerTests {
    typealias F = PlanningFixtures

    /// 5 stores, 20 regions of 3 voters, none of them relying on store 4 for quorum.
    static func healthy(stores: Int = 5) -> (stores: [StoreSnapshot], regions: [RegionPlacement]) {
        let regions = (0..<20).map { i -> RegionPlacement in
            let a = UInt64(i % stores + 1), b = UInt64((i + 1) % stores + 1), c = UInt64((i + 2) % stores + 1)
            return RegionPlacement(id: UInt64(i + 1), leaderStoreID: a, voterStoreIDs: [a, b, c].sorted())
        }
        return (F.counted((1...UInt64(stores)).map { F.store($0) }, regions), regions)
    }

    @Test func drainPlanHasItsStepsAndPreconditions() throws {
        let (stores, regions) = Self.healthy()
        let m = F.maintenance(4, offline: true)
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, scope: .stores([4])), maintenances: [m]))
        let plan = try #require(F.plan("drain-store-4", in: result.plans))
        #expect(plan.name == "drain-store-4-prod")
        #expect(plan.spec.steps.map(\.action.kind) == [.addEvictLeaderScheduler, .waitForLeadersDrained, .offlineStore, .waitForStoreRemoved])
        #expect(plan.spec.steps[1].timeout == m.spec.leaderDrainTimeout)
        #expect(plan.spec.steps[0].preconditions.contains { $0.contains("max-replicas (3)") })
        #expect(plan.spec.steps[0].preconditions.contains { $0.contains("healthy majority") })
        #expect(plan.spec.risk == .high)
        #expect(plan.status.conditions[type: "Blocked"] == nil)
        #expect(result.regionScope == .stores([4]))
        let status = try #require(result.maintenances.first)
        #expect(status.status.plan == plan.name)
        #expect(status.status.conditions[type: "LeadersEvicted"]?.status == .false)
        #expect(status.status.conditions[type: "Ended"]?.reason == "Active")
        #expect(status.status.leaderCount == stores[3].leaderCount)
    }

    @Test func withoutRegionsThePlanIsShownBlockedOnQuorumAndAsksForThem() throws {
        let (stores, _) = Self.healthy()
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores), maintenances: [F.maintenance(4)]))
        let plan = try #require(F.plan("drain-store-4", in: result.plans))
        #expect(plan.status.conditions[type: "Blocked"]?.reason == "PreconditionUnknown")
        #expect(result.regionScope == .stores([4]))
        // Once the regions arrive, the block lifts.
        let (_, regions) = Self.healthy()
        let next = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, scope: .stores([4])),
                                                        maintenances: [F.maintenance(4)], plans: result.plans))
        let unblocked = try #require(F.plan("drain-store-4", in: next.plans))
        #expect(unblocked.status.conditions[type: "Blocked"]?.status == .false)
        #expect(unblocked.spec.revision == plan.spec.revision)
        // And a pass that misses them again changes nothing.
        let again = PlanningReconciler.reconcile(F.input(F.snapshot(stores), maintenances: [F.maintenance(4)], plans: next.plans))
        #expect(again.plans == next.plans)
    }

    @Test func tooFewStoresBlocksWithTheFailedPrecondition() throws {
        let (stores, regions) = Self.healthy(stores: 3)
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), maintenances: [F.maintenance(3)]))
        let blocked = try #require(F.plan("drain-store-3", in: result.plans)?.status.conditions[type: "Blocked"])
        #expect(blocked.status == .true)
        #expect(blocked.reason == "NotEnoughStores")
        #expect(blocked.message.contains("2 Up stores would remain for 3 replicas"))
        #expect(result.events.contains { $0.reason == "PlanBlocked" })
    }

    @Test func aRegionThatWouldLoseQuorumBlocks() throws {
        var (stores, regions) = Self.healthy()
        // Store 5 is down: a region on {3, 4, 5} would keep only store 3 without store 4.
        stores[4].liveness = .down
        regions.append(RegionPlacement(id: 99, leaderStoreID: 3, voterStoreIDs: [3, 4, 5]))
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), maintenances: [F.maintenance(4)]))
        let blocked = try #require(F.plan("drain-store-4", in: result.plans)?.status.conditions[type: "Blocked"])
        #expect(blocked.reason == "QuorumAtRisk")
        #expect(blocked.message.contains("99"))
    }

    @Test func aSecondMaintenanceWaitsUnlessConcurrencyIsAllowed() throws {
        let (stores, regions) = Self.healthy()
        let first = F.maintenance(4, created: F.now.addingTimeInterval(-60))
        let second = F.maintenance(5)
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), maintenances: [second, first]))
        #expect(F.plan("drain-store-4", in: result.plans)?.status.conditions[type: "Blocked"] == nil)
        #expect(F.plan("drain-store-5", in: result.plans)?.status.conditions[type: "Blocked"]?.reason == "ConcurrentMaintenance")
        // allowConcurrent within limits.maxStoresInMaintenance = 2 admits both.
        let concurrent = F.maintenance(5, allowConcurrent: true)
        let cluster = F.cluster(limits: Limits(maxStoresInMaintenance: 2))
        let both = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), cluster: cluster, maintenances: [first, concurrent]))
        #expect(F.plan("drain-store-5", in: both.plans)?.status.conditions[type: "Blocked"] == nil)
    }

    @Test func deletingTheMaintenanceSupersedesAnUnexecutedPlan() throws {
        let (stores, regions) = Self.healthy()
        let snapshot = F.snapshot(stores, regions: regions)
        let first = PlanningReconciler.reconcile(F.input(snapshot, maintenances: [F.maintenance(4)]))
        let gone = PlanningReconciler.reconcile(F.input(snapshot, plans: first.plans))
        let plan = try #require(F.plan("drain-store-4", in: gone.plans))
        #expect(plan.status.phase == .superseded)
        #expect(plan.status.conditions[type: "Superseded"]?.reason == "MaintenanceEnded")
        // Nothing was executed, so nothing is cleaned up.
        #expect(F.plan("end-maintenance-store-4", in: gone.plans) == nil)
    }

    @Test func endingAnExecutedMaintenanceRemovesTheScheduler() throws {
        let (stores, regions) = Self.healthy()
        let m = F.maintenance(4, until: F.now.addingTimeInterval(-1))
        var executed = try #require(F.plan("drain-store-4", in: PlanningReconciler.reconcile(
            F.input(F.snapshot(stores, regions: regions), maintenances: [F.maintenance(4)])).plans))
        executed.status.phase = .succeeded
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, evicted: [4]), maintenances: [m], plans: [executed]))
        let cleanup = try #require(F.plan("end-maintenance-store-4", in: result.plans))
        #expect(cleanup.name == "end-maintenance-store-4-prod")
        #expect(cleanup.spec.steps.map(\.action) == [.store(.removeEvictLeaderScheduler, 4)])
        #expect(F.plan("drain-store-4", in: result.plans) == executed)
        let status = try #require(result.maintenances.first)
        #expect(status.status.conditions[type: "Ended"]?.status == .true)
        #expect(result.events.contains { $0.reason == "MaintenanceEnded" })
        // Once PD no longer evicts the store, the cleanup plan's drift is gone.
        let after = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), maintenances: [m], plans: result.plans))
        #expect(F.plan("end-maintenance-store-4", in: after.plans)?.status.phase == .superseded)
    }

    @Test func evictedAndDrainedStoreShowsLeadersEvicted() throws {
        var (stores, regions) = Self.healthy()
        stores[3].leaderCount = 0
        regions = regions.map { var r = $0; if r.leaderStoreID == 4 { r.leaderStoreID = r.voterStoreIDs.first { $0 != 4 } ?? 1 }; return r }
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, evicted: [4]), maintenances: [F.maintenance(4)]))
        #expect(result.maintenances.first?.status.conditions[type: "LeadersEvicted"]?.status == .true)
    }
}
