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
        executed.status.steps = Self.sent(executed)
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

    /// Step statuses of a plan that ran every step once (each intent written, so each call maybe sent).
    static func sent(_ plan: RemediationPlan) -> [StepStatus] {
        plan.spec.steps.map { var s = StepStatus(name: $0.name); s.phase = .succeeded; s.attempts = 1; return s }
    }

    /// A snapshot of the healthy cluster in which PD's evict-slow-store-scheduler evicts `slow`.
    static func pdEvicting(_ slow: [UInt64], evicted: [UInt64] = [], stores: [StoreSnapshot]? = nil) -> ClusterSnapshot {
        let (healthy, regions) = Self.healthy()
        var snapshot = F.snapshot(stores ?? healthy, regions: regions, scope: .stores([4]), evicted: evicted)
        snapshot.schedulers.evictSlowStores = slow
        if !slow.isEmpty { snapshot.schedulers.names.append("evict-slow-store-scheduler") }
        return snapshot
    }

    // MARK: beside PD's evict-slow-store

    @Test func whilePDEvictsTheStoreTheDrainAddsNoSchedulerAndWaits() throws {
        let result = PlanningReconciler.reconcile(F.input(Self.pdEvicting([4]), maintenances: [F.maintenance(4)]))
        let plan = try #require(F.plan("drain-store-4", in: result.plans))
        #expect(plan.spec.steps.map(\.action.kind) == [.waitForLeadersDrained])
        #expect(plan.spec.steps[0].preconditions.first?.contains("PD's evict-slow-store-scheduler evicts store 4") == true)
        #expect(plan.spec.reason.contains("PD's evict-slow-store-scheduler is already draining store 4's leaders"), "\(plan.spec.reason)")
        #expect(plan.status.conditions[type: "Blocked"] == nil)
        // The plan's events say it too.
        let created = try #require(result.events.first { $0.reason == "PlanCreated" && $0.regarding.name == plan.name })
        #expect(created.message.contains("PD's evict-slow-store-scheduler is already draining"))
        // The maintenance shows PD acting on its store.
        let status = try #require(result.maintenances.first?.status)
        #expect(status.conditions[type: "EvictedByPD"]?.status == .true)
        #expect(status.conditions[type: "LeadersEvicted"]?.reason == "Draining")
        #expect(status.conditions[type: "LeadersEvicted"]?.message.contains("by PD's evict-slow-store-scheduler") == true)
        // With offline, PD's eviction replaces only the eviction step.
        let offline = PlanningReconciler.reconcile(F.input(Self.pdEvicting([4]), maintenances: [F.maintenance(4, offline: true)]))
        #expect(F.plan("drain-store-4", in: offline.plans)?.spec.steps.map(\.action.kind) == [.waitForLeadersDrained, .offlineStore, .waitForStoreRemoved])
        // PD evicting another store changes nothing for this one.
        let other = PlanningReconciler.reconcile(F.input(Self.pdEvicting([2]), maintenances: [F.maintenance(4)]))
        #expect(F.plan("drain-store-4", in: other.plans)?.spec.steps.map(\.action.kind) == [.addEvictLeaderScheduler, .waitForLeadersDrained])
    }

    @Test func anEvictLeaderSchedulerAlreadyHoldingTheStoreKeepsItsPlan() throws {
        // Our scheduler (or anyone's) already holds the store when PD starts evicting it too: nothing is re-planned.
        let (stores, regions) = Self.healthy()
        var ran = try #require(F.plan("drain-store-4", in: PlanningReconciler.reconcile(
            F.input(F.snapshot(stores, regions: regions, scope: .stores([4])), maintenances: [F.maintenance(4)])).plans))
        ran.status.phase = .succeeded
        ran.status.steps = Self.sent(ran)
        let both = PlanningReconciler.reconcile(F.input(Self.pdEvicting([4], evicted: [4]), maintenances: [F.maintenance(4)], plans: [ran]))
        #expect(both.plans == [ran])
    }

    @Test func whenPDReleasesTheStoreThePlanNotYetStartedGetsItsOwnEvictionAsANewRevision() throws {
        let m = F.maintenance(4)
        let first = PlanningReconciler.reconcile(F.input(Self.pdEvicting([4]), maintenances: [m]))
        var leaning = try #require(F.plan("drain-store-4", in: first.plans))
        // Approved for leaning on PD (the executor sets this condition from the votes).
        leaning.status.phase = .approved
        leaning.status.conditions.set("Approved", .true, reason: "Approved", message: "alice", observedGeneration: 1, now: F.now)
        let remembered = try #require(first.maintenances.first)
        let released = PlanningReconciler.reconcile(F.input(Self.pdEvicting([]), maintenances: [remembered], plans: [leaning]))
        let plan = try #require(F.plan("drain-store-4", in: released.plans))
        #expect(plan.name == leaning.name)
        #expect(plan.spec.steps.map(\.action.kind) == [.addEvictLeaderScheduler, .waitForLeadersDrained])
        #expect(plan.spec.revision != leaning.spec.revision)
        #expect(plan.status.phase == .pending)
        #expect(plan.status.conditions[type: "Approved"]?.reason == "RevisionChanged", "approving the wait approved no scheduler")
        #expect(plan.spec.reason.contains("released store 4 before the maintenance ended"), "\(plan.spec.reason)")
        let revised = try #require(released.events.first { $0.reason == "PlanRevised" })
        #expect(revised.message.contains("released store 4"))
        let status = try #require(released.maintenances.first?.status)
        #expect(status.conditions[type: "EvictedByPD"]?.reason == "Released")
        // The release is remembered: the next pass keeps the same reason and writes nothing.
        let again = PlanningReconciler.reconcile(F.input(Self.pdEvicting([]), maintenances: released.maintenances, plans: released.plans))
        #expect(again.plans == released.plans)
        #expect(again.maintenances.isEmpty)
        #expect(again.events.isEmpty)
    }

    @Test func aSucceededDrainThatLeanedOnPDStandsUntilPDReleasesThenANewPlanHoldsTheStore() throws {
        let m = F.maintenance(4)
        let first = PlanningReconciler.reconcile(F.input(Self.pdEvicting([4]), maintenances: [m]))
        var done = try #require(F.plan("drain-store-4", in: first.plans))
        done.status.phase = .succeeded
        done.status.steps = Self.sent(done)
        let maintenances = first.maintenances
        // PD still evicts: the drain stands.
        let still = PlanningReconciler.reconcile(F.input(Self.pdEvicting([4]), maintenances: maintenances, plans: [done]))
        #expect(still.plans == [done])
        // PD released the recovered store: a new plan, which a person approves like any other.
        let released = PlanningReconciler.reconcile(F.input(Self.pdEvicting([]), maintenances: maintenances, plans: [done]))
        let next = try #require(released.plans.first { $0.name == "drain-store-4-prod-2" })
        #expect(next.spec.steps.map(\.action.kind) == [.addEvictLeaderScheduler, .waitForLeadersDrained])
        #expect(next.status.phase == .pending)
        #expect(next.status.conditions[type: "Approved"]?.reason == "AwaitingApproval")
        #expect(next.spec.reason.contains("released store 4"))
    }

    @Test func aDrainThatLeanedOnPDIsKeptOnceTheStoreIsRemoved() throws {
        // Offline, then Tombstone: PD releases a removed store, which takes no leaders back; nothing is re-planned.
        let m = F.maintenance(4, offline: true)
        let first = PlanningReconciler.reconcile(F.input(Self.pdEvicting([4]), maintenances: [m]))
        var done = try #require(F.plan("drain-store-4", in: first.plans))
        done.status.phase = .succeeded
        done.status.steps = Self.sent(done)
        var stores = Self.healthy().stores
        stores[3].state = .tombstone
        stores[3].stateName = "Tombstone"
        let removed = PlanningReconciler.reconcile(F.input(Self.pdEvicting([], stores: stores), maintenances: first.maintenances, plans: [done]))
        #expect(removed.plans == [done])
    }

    @Test func endingAMaintenanceRemovesOnlyWhatTheControllerAdded() throws {
        let ended = F.maintenance(4, until: F.now.addingTimeInterval(-1))
        // The drain leaned on PD and succeeded; the maintenance ends while PD still evicts the store: nothing to remove.
        var leaning = try #require(F.plan("drain-store-4", in: PlanningReconciler.reconcile(
            F.input(Self.pdEvicting([4]), maintenances: [F.maintenance(4)])).plans))
        leaning.status.phase = .succeeded
        leaning.status.steps = Self.sent(leaning)
        let afterPD = PlanningReconciler.reconcile(F.input(Self.pdEvicting([4]), maintenances: [ended], plans: [leaning]))
        #expect(F.plan("end-maintenance-store-4", in: afterPD.plans) == nil)
        #expect(afterPD.plans == [leaning])
        // An evict-leader scheduler someone else added is not the drain's to remove either (the drain found it there).
        var found = try #require(F.plan("drain-store-4", in: PlanningReconciler.reconcile(
            F.input(Self.pdEvicting([]), maintenances: [F.maintenance(4)])).plans))
        found.status.phase = .succeeded
        found.status.steps = Self.sent(found)
        found.status.steps[0].phase = .skipped
        found.status.steps[0].attempts = 0
        let notOurs = PlanningReconciler.reconcile(F.input(Self.pdEvicting([], evicted: [4]), maintenances: [ended], plans: [found]))
        #expect(F.plan("end-maintenance-store-4", in: notOurs.plans) == nil)
        // The scheduler the drain sent is removed — with PD's evict-slow-store beside it, a person looks first.
        found.status.steps[0].attempts = 1
        let ours = PlanningReconciler.reconcile(F.input(Self.pdEvicting([], evicted: [4]), maintenances: [ended], plans: [found]))
        let cleanup = try #require(F.plan("end-maintenance-store-4", in: ours.plans))
        #expect(cleanup.spec.steps.map(\.action) == [.store(.removeEvictLeaderScheduler, 4)])
        #expect(cleanup.spec.risk == .low)
        let besidePD = PlanningReconciler.reconcile(F.input(Self.pdEvicting([4], evicted: [4]), maintenances: [ended], plans: [found]))
        let cautious = try #require(F.plan("end-maintenance-store-4", in: besidePD.plans))
        #expect(cautious.spec.steps.map(\.action) == [.store(.removeEvictLeaderScheduler, 4)], "never PD's scheduler")
        #expect(cautious.spec.risk == .medium)
        #expect(cautious.spec.steps[0].preconditions.contains { $0.contains("PD's evict-slow-store-scheduler is evicting it") })
    }

    /// Issue 16 item 6 for maintenance plans: ending a maintenance hands the store leaders again, so it is never low
    /// risk on a store with an open ticket, a liveness change within the flapping window, or PD's eviction.
    @Test(arguments: ["ticket", "flapping window", "PD evicting", "none"])
    func endOfMaintenanceIsLowRiskOnlyOnASettledStore(_ caution: String) throws {
        let ended = F.maintenance(4, until: F.now.addingTimeInterval(-1))
        var ran = try #require(F.plan("drain-store-4", in: PlanningReconciler.reconcile(
            F.input(Self.pdEvicting([]), maintenances: [F.maintenance(4)])).plans))
        ran.status.phase = .succeeded
        ran.status.steps = Self.sent(ran)
        var cluster = F.cluster()
        var tickets: [Ticket] = []
        var snapshot = Self.pdEvicting([], evicted: [4])
        switch caution {
        case "ticket": tickets = [F.ticket("lowSpace", "store/4")]
        case "flapping window": cluster.status.storeHistory = [StoreHistory(storeID: 4, alive: true, transitions: [F.now.addingTimeInterval(-60)])]
        case "PD evicting": snapshot = Self.pdEvicting([4], evicted: [4])
        default: break
        }
        let result = PlanningReconciler.reconcile(F.input(snapshot, cluster: cluster, maintenances: [ended], tickets: tickets, plans: [ran]))
        let cleanup = try #require(F.plan("end-maintenance-store-4", in: result.plans))
        #expect(cleanup.spec.risk == (caution == "none" ? .low : .medium))
        #expect(cleanup.spec.steps[0].preconditions.contains { $0.contains("needs a person's look") } == (caution != "none"))
    }
}
