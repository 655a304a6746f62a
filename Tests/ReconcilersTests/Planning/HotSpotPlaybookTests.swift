import Foundation
import Testing
@testable import Reconcilers

/// The hot-spot playbook: split the hottest region, then move the hotter half's leader to the coolest legal store; no
/// plan for a slow store, over PD's own operator, against the diagnosis, or for a region a hot-spot plan already moved.
@Suite struct HotSpotPlaybookTests {
    typealias F = PlanningFixtures
    static let mib = 1024.0 * 1024
    static let whole = RegionKeyRange(start: "7480", end: "7490")
    static let lower = RegionKeyRange(start: "7480", end: "7488")
    static let upper = RegionKeyRange(start: "7488", end: "7490")

    /// Five stores; region 1 (voters 1, 2, 3, led by store 1) carries 90 MiB/s of writes; store 2 leads 20 MiB/s of hot
    /// writes elsewhere, store 3 5 MiB/s.
    static func hot(_ edit: (inout [StoreSnapshot], inout [RegionPlacement]) -> Void = { _, _ in }) -> ClusterSnapshot {
        var (stores, regions) = MaintenancePlannerTests.healthy()
        regions[0].keys = whole
        edit(&stores, &regions)
        var snapshot = F.snapshot(F.counted(stores, regions), regions: regions, scope: .stores([1]))
        snapshot.hotRegions = [
            HotRegion(regionID: 1, storeID: 1, direction: .write, bytesPerSecond: 90 * mib),
            HotRegion(regionID: 2, storeID: 2, direction: .write, bytesPerSecond: 20 * mib),
            HotRegion(regionID: 3, storeID: 3, direction: .write, bytesPerSecond: 5 * mib),
        ]
        return snapshot
    }

    /// The same cluster once TiKV split region 1: it keeps the upper half, region 21 takes the lower one with the hot key.
    static func split() -> ClusterSnapshot {
        var snapshot = hot { _, regions in
            regions[0].keys = upper
            regions.append(RegionPlacement(id: 21, leaderStoreID: 1, voterStoreIDs: [1, 2, 3], keys: lower))
        }
        snapshot.hotRegions[0].regionID = 21
        return snapshot
    }

    static func ticket(_ store: UInt64 = 1, diagnosed cause: DiagnosisCause? = .hotRegion, invariant: String = "hotSpot") -> Ticket {
        var t = F.ticket(invariant, "store/\(store)")
        t.status.diagnosis = cause.map {
            Diagnosis(ticket: t.name, primary: Hypothesis(cause: $0, title: "\($0)", confidence: .high, evidence: []),
                      recommendedAction: "", provider: "rules", model: "", createdAt: F.now, contextDigest: "d")
        }
        return t
    }

    /// Every step of `plan` observed done at `at`.
    static func succeeded(_ plan: RemediationPlan, at: Date) -> RemediationPlan {
        var p = plan
        p.status.phase = .succeeded
        p.status.steps = p.spec.steps.map { step in
            var s = StepStatus(name: step.name)
            s.recordEffect("observed", now: at)
            return s
        }
        return p
    }

    /// A pending plan for store `store`'s hot spot, as an earlier pass proposed it.
    static func pending(_ store: UInt64 = 1, ticket: Ticket) -> RemediationPlan {
        RemediationPlan(metadata: ObjectMeta(name: "hot-spot-store-\(store)-prod"),
                        spec: RemediationPlanSpec(cluster: "prod", origin: .reconciler, concern: "hot-spot-store-\(store)", reason: "",
                                                  ticket: ticket.name, steps: []))
    }

    /// Why the pending plan of store 1's hot spot was withdrawn in a pass over `snapshot`, or nil when it was not.
    static func withdrawal(_ snapshot: ClusterSnapshot, tickets: [Ticket]) -> String? {
        let result = PlanningReconciler.reconcile(F.input(snapshot, tickets: tickets, plans: [pending(ticket: tickets[0])]))
        let plan = F.plan("hot-spot-store-1", in: result.plans)
        return plan?.status.phase == .superseded ? plan?.status.conditions[type: .superseded]?.reason : nil
    }

    @Test func splitsTheHottestRegionThenMovesTheHotterHalfsLeaderToTheCoolestStore() throws {
        let ticket = Self.ticket()
        let first = PlanningReconciler.reconcile(F.input(Self.hot(), tickets: [ticket]))
        let split = try #require(F.plan("hot-spot-store-1", in: first.plans))
        #expect(split.name == "hot-spot-store-1-prod")
        #expect(split.spec.steps.map(\.action) == [.splitRegion(1, keys: Self.whole)])
        #expect(split.spec.ticket == ticket.name)
        #expect(split.spec.risk == .low)
        #expect(split.spec.reason.contains("store 3"), "the reason names the coolest store: \(split.spec.reason)")
        #expect(first.regionScope == .stores([1]))
        #expect(PDCall.forAction(split.spec.steps[0].action)?.description
                == #"POST /pd/api/v1/operators {"name":"split-region","region_id":1,"policy":"approximate"}"#)

        // Verified by the region's range: the same range is not yet, another one is the split.
        let action = split.spec.steps[0].action
        let before = RegionPlacement(id: 1, leaderStoreID: 1, voterStoreIDs: [1, 2, 3], keys: Self.whole)
        var after = before
        after.keys = Self.upper
        #expect(!StepEffect.check(action, snapshot: Self.hot(), region: before).holds)
        #expect(StepEffect.check(action, snapshot: Self.hot(), region: after).holds)
        if case .unknown = StepEffect.check(action, snapshot: Self.hot(), region: RegionPlacement(id: 1, leaderStoreID: 1, voterStoreIDs: [1, 2, 3])) {
        } else {
            Issue.record("a region read without its keys cannot tell")
        }

        // Split: until PD's hot statistics have had two heartbeats to describe the halves, nothing new is planned.
        let done = Self.succeeded(split, at: F.now)
        let early = PlanningReconciler.reconcile(F.input(Self.split(), tickets: [ticket], plans: [done], now: F.now.addingTimeInterval(60)))
        #expect(early.plans.map(\.name) == [done.name])

        // Then the hotter half (region 21, inside the split range) moves to store 3: it holds a voter and leads the
        // least hot flow (store 2 leads 20 MiB/s).
        let later = F.now.addingTimeInterval(180)
        let second = PlanningReconciler.reconcile(F.input(Self.split(), tickets: [ticket], plans: [done], now: later))
        let move = try #require(second.plans.first { $0.name == "hot-spot-store-1-prod-2" }, "\(second.plans.map(\.name))")
        #expect(move.spec.steps.map(\.action) == [.transferLeader(region: 21, from: 1, to: 3)])
        #expect(move.spec.risk == .low)
        #expect(move.spec.reason.contains(split.name))

        // The move done, store 3 is hot with the same flow: a single hot key. No plan moves region 21 on, not even in the
        // pass that sees PD's leader moved before the step is observed done.
        let moved = Self.succeeded(move, at: later)
        var running = move
        running.status.phase = .executing
        var step = StepStatus(name: move.spec.steps[0].name)
        (step.phase, step.attempts, step.startedAt) = (.running, 1, later)
        running.status.steps = [step]
        var onStore3 = Self.split()
        onStore3.hotRegions[0].storeID = 3
        onStore3.regions = onStore3.regions?.map { r in
            var r = r
            if r.id == 21 { r.leaderStoreID = 3 }
            return r
        }
        onStore3.regionScope = .all
        let hotThree = Self.ticket(3)
        let third = PlanningReconciler.reconcile(F.input(onStore3, tickets: [hotThree], plans: [done, moved], now: later.addingTimeInterval(600)))
        #expect(F.plan("hot-spot-store-3", in: third.plans) == nil, "\(third.plans.map(\.name))")
        let racing = PlanningReconciler.reconcile(F.input(onStore3, tickets: [hotThree], plans: [done, running], now: later.addingTimeInterval(5)))
        #expect(F.plan("hot-spot-store-3", in: racing.plans) == nil, "\(racing.plans.map(\.name))")
        // A plan proposed earlier for it says why it is withdrawn.
        let stale = Self.pending(3, ticket: hotThree)
        let withdrawn = PlanningReconciler.reconcile(F.input(onStore3, tickets: [hotThree], plans: [done, moved, stale], now: later.addingTimeInterval(600)))
        let superseded = try #require(F.plan("hot-spot-store-3", in: withdrawn.plans))
        #expect(superseded.status.phase == .superseded)
        #expect(superseded.status.conditions[type: .superseded]?.reason == "SingleHotKey")
        #expect(superseded.status.conditions[type: .superseded]?.message.contains("consider the application's key design") == true)

        // An hour later the move is forgotten, and store 3's hot spot is planned like any other.
        let forgotten = PlanningReconciler.reconcile(F.input(onStore3, tickets: [hotThree], plans: [done, moved], now: later.addingTimeInterval(3700)))
        #expect(F.plan("hot-spot-store-3", in: forgotten.plans) != nil)
    }

    @Test func aSlowStoreGetsNoHotSpotPlan() {
        let slowScore = Self.hot { stores, _ in stores[0].slowScore = 100 }
        #expect(F.plan("hot-spot-store-1", in: PlanningReconciler.reconcile(F.input(slowScore, tickets: [Self.ticket()])).plans) == nil)

        var evictedByPD = Self.hot()
        evictedByPD.schedulers.evictSlowStores = [1]
        #expect(F.plan("hot-spot-store-1", in: PlanningReconciler.reconcile(F.input(evictedByPD, tickets: [Self.ticket()])).plans) == nil)

        let slowDisk = Self.ticket(diagnosed: .slowDisk, invariant: "highLatency")
        let withSlowDisk = PlanningReconciler.reconcile(F.input(Self.hot(), tickets: [Self.ticket(), slowDisk]))
        #expect(F.plan("hot-spot-store-1", in: withSlowDisk.plans) == nil)
        #expect(Self.withdrawal(slowScore, tickets: [Self.ticket()]) == "SlowStore")
        #expect(Self.withdrawal(evictedByPD, tickets: [Self.ticket()]) == "SlowStore")
        #expect(Self.withdrawal(Self.hot(), tickets: [Self.ticket(), slowDisk]) == "SlowStore")
    }

    @Test func pdsOwnOperatorOnTheRegionBlocksThePlan() {
        var snapshot = Self.hot()
        snapshot.operators = [OperatorSnapshot(regionID: 1, description: "move-hot-write-leader")]
        let result = PlanningReconciler.reconcile(F.input(snapshot, tickets: [Self.ticket()]))
        #expect(F.plan("hot-spot-store-1", in: result.plans) == nil)
        // PD acting comes first, but a plan already proposed is left as it is: its step waits at the gate for PD's operator.
        #expect(Self.withdrawal(snapshot, tickets: [Self.ticket()]) == nil)
    }

    @Test func theDiagnosisAndTheIncidentDecide() {
        // A diagnosis naming another cause: no split.
        let other = PlanningReconciler.reconcile(F.input(Self.hot(), tickets: [Self.ticket(diagnosed: .leaderImbalance)]))
        #expect(F.plan("hot-spot-store-1", in: other.plans) == nil)
        #expect(Self.withdrawal(Self.hot(), tickets: [Self.ticket(diagnosed: .leaderImbalance)]) == "DiagnosisSaysWait")
        // Before any diagnosis the ticket's own evidence (PD's hot statistics) is enough.
        let undiagnosed = PlanningReconciler.reconcile(F.input(Self.hot(), tickets: [Self.ticket(diagnosed: nil)]))
        #expect(F.plan("hot-spot-store-1", in: undiagnosed.plans) != nil)
        // A consequence of an open root waits for it.
        let root = Self.ticket(2, invariant: "storeFlapping")
        var consequence = Self.ticket()
        consequence.status.incident = TicketIncident(cause: .storeFlapping, store: 2, root: root.name, message: "store 2 flaps")
        let held = PlanningReconciler.reconcile(F.input(Self.hot(), tickets: [root, consequence]))
        #expect(F.plan("hot-spot-store-1", in: held.plans) == nil)
    }

    @Test func noPlanWhenNoOtherStoreMayLeadTheRegion() {
        // PD refuses scatter-region for a hot region: with stores 2 and 3 evicted nothing can spread region 1.
        var evicted = Self.hot()
        evicted.schedulers = SchedulerSnapshot(names: ["evict-leader-scheduler"], evictLeaderStores: [2, 3])
        let result = PlanningReconciler.reconcile(F.input(evicted, tickets: [Self.ticket()]))
        #expect(F.plan("hot-spot-store-1", in: result.plans) == nil)
        #expect(Self.withdrawal(evicted, tickets: [Self.ticket()]) == "NoLegalMove")
    }

    @Test func regionsAreAskedForBeforeAnyPlan() {
        var snapshot = Self.hot()
        snapshot.regions = nil
        snapshot.regionScope = .none
        let result = PlanningReconciler.reconcile(F.input(snapshot, tickets: [Self.ticket()]))
        #expect(result.plans.isEmpty)
        #expect(result.regionScope == .stores([1]))
    }
}
