import Foundation
import Testing
@testable import Reconcilers

@Suite struct PlaybookTests {
    typealias F = PlanningFixtures

    static let base = MaintenancePlannerTests.healthy()

    @Test func storeDownPastGraceOffersOfflineAtHighRisk() throws {
        var (stores, regions) = Self.base
        stores[1].liveness = .down
        let ticket = F.ticket("storeDown", "store/2")
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, scope: .stores([2])), tickets: [ticket]))
        let plan = try #require(F.plan("offline-store-2", in: result.plans))
        #expect(plan.name == "offline-store-2-prod")
        #expect(plan.spec.steps.map(\.action) == [.store(.offlineStore, 2), .store(.waitForStoreRemoved, 2)])
        #expect(plan.spec.risk == .high)
        #expect(plan.spec.ticket == ticket.name)
        #expect(plan.spec.reason.contains("down past its grace period"))
        #expect(plan.status.conditions[type: "Blocked"] == nil)
        // A pending ticket (still within grace) or a resolved one drives nothing.
        let pending = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), tickets: [F.ticket("storeDown", "store/2", state: .pending)]))
        #expect(F.plan("offline-store-2", in: pending.plans) == nil)
    }

    @Test func slowOrFlappingStoreGetsOneEvictLeadersPlan() throws {
        let (stores, regions) = Self.base
        let slow = F.ticket("highLatency", "store/3"), flapping = F.ticket("storeFlapping", "store/3")
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), tickets: [slow, flapping]))
        let plans = result.plans.filter { $0.spec.concern == "evict-leaders-store-3" }
        #expect(plans.count == 1)
        let plan = try #require(plans.first)
        #expect(plan.spec.steps.map(\.action.kind) == [.addEvictLeaderScheduler, .waitForLeadersDrained])
        #expect(plan.spec.risk == .medium)
        #expect(plan.spec.reason.contains("slow") && plan.spec.reason.contains("flapping"))
        // Already evicted: nothing to do.
        let done = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, evicted: [3]), tickets: [slow]))
        #expect(F.plan("evict-leaders-store-3", in: done.plans) == nil)
    }

    /// A flapping store's plan survives the store's down phases (and keeps its approval); a slow store
    /// that is down now is the storeDown playbook's, not this one's.
    @Test func flappingStoreKeepsItsPlanWhileDown() throws {
        var (stores, regions) = Self.base
        let flapping = F.ticket("storeFlapping", "store/3")
        let up = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), tickets: [flapping]))
        let plan = try #require(F.plan("evict-leaders-store-3", in: up.plans))
        stores[2].liveness = .disconnected
        let down = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), tickets: [flapping], plans: up.plans))
        let same = try #require(F.plan("evict-leaders-store-3", in: down.plans))
        #expect(same.name == plan.name && same.spec.revision == plan.spec.revision && same.status.phase == .pending)
        let slow = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), tickets: [F.ticket("highLatency", "store/3")]))
        #expect(F.plan("evict-leaders-store-3", in: slow.plans) == nil)
    }

    @Test func lowSpaceMovesRegionsToStoresWithRoomAndAdvises() throws {
        var (stores, regions) = Self.base
        regions = regions.map { var r = $0; r.approximateSizeMiB = 10 * 1024; return r }
        // Store 1: 1000 GiB, 100 GiB free (10 %): needs 150 GiB more to reach 25 %.
        stores[0].availableBytes = 100 * F.gib
        let ticket = F.ticket("lowSpace", "store/1")
        let snapshot = F.snapshot(stores, regions: regions, scope: .stores([1]))
        let result = PlanningReconciler.reconcile(F.input(snapshot, tickets: [ticket]))
        let plan = try #require(F.plan("move-regions-store-1", in: result.plans))
        #expect(plan.spec.steps.allSatisfy { $0.action.kind == .transferPeer && $0.action.fromStoreID == 1 })
        #expect(plan.spec.steps.count == 12)
        #expect(plan.spec.risk == .medium)
        #expect(plan.spec.reason.contains("Advice:"))
        PlanChecks.expectLegalPeerMoves(plan, regions: regions, snapshot: snapshot)
        // Without the store's regions, it asks for them.
        let ask = PlanningReconciler.reconcile(F.input(F.snapshot(stores), tickets: [ticket]))
        #expect(ask.regionScope == .stores([1]))
    }

    @Test func leftoverEvictionIsRemovedUnlessSomethingStillNeedsIt() throws {
        let (stores, regions) = Self.base
        let leftover = F.ticket("leftoverScheduler", "scheduler/evict-leader-scheduler")
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, evicted: [2, 5]),
                                                          maintenances: [F.maintenance(5)], tickets: [leftover]))
        let plan = try #require(F.plan("remove-evict-leader-store-2", in: result.plans))
        #expect(plan.spec.steps.map(\.action) == [.store(.removeEvictLeaderScheduler, 2)])
        #expect(plan.spec.risk == .low)
        // Store 5 is under maintenance: its eviction stays.
        #expect(F.plan("remove-evict-leader-store-5", in: result.plans) == nil)
        // A slow store keeps its eviction while its ticket is open.
        let slow = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, evicted: [2]),
                                                        tickets: [F.ticket("leftoverScheduler", "store/2"), F.ticket("highLatency", "store/2")]))
        #expect(F.plan("remove-evict-leader-store-2", in: slow.plans) == nil)
        // Its own leftover ticket is no reason for caution (low above); another open ticket on the store is: removing the
        // eviction hands the store leaders again, so a person looks first.
        let doubted = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, evicted: [2]),
                                                           tickets: [F.ticket("leftoverScheduler", "store/2"), F.ticket("lowSpace", "store/2")]))
        let careful = try #require(F.plan("remove-evict-leader-store-2", in: doubted.plans))
        #expect(careful.spec.risk == .medium)
        #expect(careful.spec.steps[0].preconditions.contains { $0.contains("needs a person's look") && $0.contains("is open on it") })
    }

    @Test func anotherLeftoverSchedulerIsRemovedByName() throws {
        let (stores, regions) = Self.base
        var snapshot = F.snapshot(stores, regions: regions)
        snapshot.schedulers.names = ["balance-leader-scheduler", "grant-leader-scheduler"]
        let result = PlanningReconciler.reconcile(F.input(snapshot, tickets: [F.ticket("leftoverScheduler", "scheduler/grant-leader-scheduler")]))
        let plan = try #require(F.plan("remove-scheduler-grant-leader-scheduler", in: result.plans))
        #expect(plan.spec.steps.map(\.action) == [Action(kind: .removeScheduler, scheduler: "grant-leader-scheduler")])
    }

    @Test func aResolvedTicketSupersedesItsPendingPlan() throws {
        let (stores, regions) = Self.base
        let first = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), tickets: [F.ticket("highLatency", "store/3")]))
        let resolved = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions),
                                                            tickets: [F.ticket("highLatency", "store/3", state: .resolved)], plans: first.plans))
        let plan = try #require(F.plan("evict-leaders-store-3", in: resolved.plans))
        #expect(plan.status.phase == .superseded)
        #expect(plan.status.conditions[type: "Superseded"]?.reason == "DriftResolved")
    }
}
