import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// The one rule for targets: what PD's store filter refuses, and what the controller holds back.
@Suite struct TargetLegalityTests {
    typealias F = PlanningFixtures

    static func snapshot(_ edit: (inout ClusterSnapshot) -> Void = { _ in }) -> ClusterSnapshot {
        var stores = (1...4).map { F.store(UInt64($0), leaders: 10, regions: 30) }
        for i in stores.indices {
            stores[i].lastHeartbeat = F.now.addingTimeInterval(-3)
            stores[i].labels = ["zone": "z\(i + 1)"]
        }
        var s = F.snapshot(stores)
        edit(&s)
        return s
    }

    @Test func everyRuleHasItsRefusal() {
        let s = Self.snapshot { s in
            s.stores[0].liveness = .disconnected
            s.stores[1].isBusy = true
            s.schedulers.evictSlowStores = [3]
            s.stores[3].slowScore = 85
        }
        let legality = TargetLegality(snapshot: s)
        #expect(legality.refusal(store: 1, as: .leader) == .notAlive(.disconnected))
        #expect(legality.refusal(store: 2, as: .peer) == .busy)
        #expect(legality.refusal(store: 3, as: .leader) == .evictSlowStore)
        #expect(legality.refusal(store: 4, as: .peer) == .slowScore(85))
        #expect(legality.refusal(store: 9, as: .leader) == .notInCluster)
    }

    @Test func leaderOnlyRules() {
        let s = Self.snapshot { s in
            s.schedulers.evictLeaderStores = [1]
            s.settings.rejectLeaderLabels = [StoreLabel(key: "zone", value: "z2")]
        }
        let legality = TargetLegality(snapshot: s, unsettled: [3])
        #expect(legality.refusal(store: 1, as: .leader) == .evictLeader)
        #expect(legality.refusal(store: 1, as: .peer) == nil)
        #expect(legality.refusal(store: 2, as: .leader) == .rejectLeaderLabel(key: "zone", value: "z2"))
        #expect(legality.refusal(store: 2, as: .peer) == nil)
        #expect(legality.refusal(store: 3, as: .leader) == .unsettled)
        #expect(legality.refusal(store: 4, as: .leader) == nil)
    }

    @Test func aHeartbeatOlderThanTwoIntervalsIsStaleAtTheTimeOfTheCall() {
        let s = Self.snapshot()
        // Fresh when observed; 25 s old when the call would go out.
        #expect(TargetLegality(snapshot: s).refusal(store: 1, as: .leader) == nil)
        #expect(TargetLegality(snapshot: s, now: F.now.addingTimeInterval(22)).refusal(store: 1, as: .leader) == .staleHeartbeat(seconds: 25))
    }

    @Test func peersAvoidLowSpaceAndMaintenance() {
        let s = Self.snapshot { s in s.stores[0].availableBytes = 100 * F.gib }
        let legality = TargetLegality(snapshot: s, maintained: [2])
        #expect(legality.refusal(store: 1, as: .peer) == .lowSpace(availablePercent: 10))
        #expect(legality.refusal(store: 1, as: .leader) == nil)
        #expect(legality.refusal(store: 2, as: .leader) == .maintenance)
    }

    @Test func regionLevelRefusalsFollowPDsBuilder() {
        let legality = TargetLegality(snapshot: Self.snapshot())
        let region = RegionPlacement(id: 7, leaderStoreID: 1, voterStoreIDs: [1, 2, 3], learnerStoreIDs: [4], unhealthyStoreIDs: [3])
        #expect(legality.moveRefusal(.transferLeader(region: 7, from: 1, to: 1), region: region) == "store 1 already leads region 7")
        #expect(legality.moveRefusal(.transferLeader(region: 7, from: 1, to: 4), region: region) == "store 4 holds no voter of region 7")
        #expect(legality.moveRefusal(.transferLeader(region: 7, from: 1, to: 3), region: region) == "region 7's peer on store 3 is down or pending")
        #expect(legality.moveRefusal(.transferLeader(region: 7, from: 1, to: 2), region: region) == nil)
        #expect(legality.moveRefusal(.transferPeer(region: 7, from: 1, to: 4), region: region) == "store 4 already holds a peer of region 7")
        #expect(legality.moveRefusal(.transferLeader(region: 7, from: 1, to: 2), region: nil) == "region 7 was not observed")
    }

    /// While PD evicts a slow store, the balance planner sends it nothing and says why.
    @Test func theBalancePlannerNeverTargetsAStorePDIsEvicting() {
        var regions: [RegionPlacement] = []
        for i in 0..<120 {
            let voters: [UInt64] = [1, 2, 3, 4].filter { $0 != UInt64(i % 4 + 1) }
            regions.append(RegionPlacement(id: UInt64(100 + i), leaderStoreID: 1 == voters[0] ? 1 : voters[0], voterStoreIDs: voters))
        }
        var snapshot = F.snapshot(F.counted((1...4).map { F.store($0) }, regions), regions: regions)
        snapshot.schedulers.evictSlowStores = [2]
        snapshot.stores[1].slowScore = 100
        let result = PlanningReconciler.reconcile(F.input(snapshot, tickets: [F.ticket("leaderSkew", "cluster")]))
        let plan = F.plan("balance-leaders", in: result.plans)
        #expect(plan != nil)
        #expect(plan?.spec.steps.allSatisfy { $0.action.toStoreID != 2 } == true)
        #expect(plan?.spec.reason.contains("store 2 (PD's evict-slow-store-scheduler is evicting it)") == true, "\(plan?.spec.reason ?? "")")
    }

    /// Leader moves onto a store with an open ticket or a recent liveness change wait for a person.
    @Test func movesOntoACautionedStoreAreNeverLowRisk() {
        var regions: [RegionPlacement] = []
        for i in 0..<90 { regions.append(RegionPlacement(id: UInt64(100 + i), leaderStoreID: 1, voterStoreIDs: [1, 2, 3])) }
        let snapshot = F.snapshot(F.counted((1...3).map { F.store($0) }, regions), regions: regions)
        var cluster = F.cluster()
        cluster.status.storeHistory = [StoreHistory(storeID: 3, alive: true, transitions: [F.now.addingTimeInterval(-60)])]
        let tickets = [F.ticket("leaderSkew", "cluster"), F.ticket("lowSpace", "store/2")]
        let result = PlanningReconciler.reconcile(F.input(snapshot, cluster: cluster, tickets: tickets))
        let plan = F.plan("balance-leaders", in: result.plans)
        #expect(plan?.spec.steps.isEmpty == false)
        #expect(plan?.spec.steps.allSatisfy { $0.risk == .medium } == true)
        #expect(plan?.spec.risk == .medium)
    }

    /// The cluster's status says, per store, which rule keeps work away, without per-pass readings.
    @Test func theClusterStatusShowsEveryStoresStanding() {
        var snapshot = F.snapshot((1...4).map { F.store($0, leaders: 10, regions: 30) })
        snapshot.schedulers.evictSlowStores = [2]
        snapshot.schedulers.evictLeaderStores = [3]
        snapshot.stores[3].liveness = .disconnected
        let result = ClusterReconciler.reconcile(ClusterReconcileInput(cluster: F.cluster(), snapshot: snapshot, maintenances: [],
                                                                       tickets: [], plans: [], now: F.now))
        let targets = result.cluster.status.targets ?? []
        #expect(targets.map(\.storeID) == [1, 2, 3, 4])
        #expect(targets[0].leader == nil && targets[0].peer == nil)
        #expect(targets[1].leader == "EvictSlowStore: PD's evict-slow-store-scheduler is evicting it")
        #expect(targets[2].leader == "EvictLeader: held by evict-leader-scheduler" && targets[2].peer == nil)
        #expect(targets[3].peer == "NotAlive: heartbeat says disconnected")
        // A second pass over the same cluster changes nothing.
        var again = result.cluster
        again.status = result.cluster.status
        let second = ClusterReconciler.reconcile(ClusterReconcileInput(cluster: again, snapshot: snapshot, maintenances: [], tickets: [],
                                                                       plans: [], now: F.now))
        #expect(second.cluster.status.targets == targets)
    }

    /// PD's own eviction of a slow store is PD acting: no competing evict-leader plan.
    @Test func noEvictionPlanWhilePDEvictsTheSlowStore() {
        var snapshot = F.snapshot((1...4).map { F.store($0, leaders: 10, regions: 30) })
        snapshot.schedulers.evictSlowStores = [2]
        let result = PlanningReconciler.reconcile(F.input(snapshot, tickets: [F.ticket("highLatency", "store/2")]))
        #expect(F.plan("evict-leaders-store-2", in: result.plans) == nil)
    }
}
