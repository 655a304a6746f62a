import Foundation
import Testing
@testable import Reconcilers

/// Plans that follow the diagnosis and the incident: quorum loss's two ways out, consequences that wait for their
/// root, and a dead store taken offline only when its diagnosis allows it.
@Suite struct IncidentPlaybookTests {
    typealias F = PlanningFixtures

    /// Six stores, 4 and 5 dead, and 40 regions without a quorum counted by the observer.
    static func quorumLost() -> ClusterSnapshot {
        var (stores, regions) = MaintenancePlannerTests.healthy(stores: 6)
        stores[3].liveness = .disconnected
        stores[4].liveness = .disconnected
        var snapshot = F.snapshot(stores, regions: regions)
        snapshot.availability = RegionAvailability(storesRead: [4, 5], unavailableCount: 40, atRiskCount: 100,
                                                   unavailableByStores: [.init(stores: [4, 5], regions: 40)],
                                                   unavailableSample: [.init(id: 7, startKey: "7480", endKey: "7490", lostVoterStores: [4, 5], aliveVoterStores: [6])])
        return snapshot
    }

    @Test func quorumLossOffersBringingTheStoresBackAndATwoPersonUnsafeRecovery() throws {
        let ticket = F.ticket("regionsUnavailable", "cluster")
        let result = PlanningReconciler.reconcile(F.input(Self.quorumLost(), tickets: [ticket]))
        let restore = try #require(F.plan("restore-stores-4-5", in: result.plans))
        #expect(restore.spec.steps.map(\.action) == [.stores(.waitForStoresUp, [4, 5])])
        #expect(restore.spec.risk == .low && !restore.spec.steps.contains { $0.action.kind.mutates })
        #expect(restore.spec.ticket == ticket.name)

        let recover = try #require(F.plan("unsafe-recovery-stores-4-5", in: result.plans))
        #expect(recover.spec.steps.map(\.action) == [.stores(.removeFailedStores, [4, 5])])
        #expect(recover.spec.risk == .high)
        #expect(recover.spec.reason.contains("DATA LOSS"))
        #expect(PDCall.forAction(recover.spec.steps[0].action)?.description == #"POST /pd/api/v1/admin/unsafe/remove-failed-stores {"stores":[4,5]}"#)
        // Two people whatever the policy says, even a policy that lets high risk run alone.
        #expect(ApprovalEvaluator.required(for: recover.spec, policy: ApprovalPolicy()) == 2)
        #expect(ApprovalEvaluator.required(for: recover.spec, policy: ApprovalPolicy(high: TierPolicy(requiredApprovals: 0))) == 2)
        #expect(ApprovalEvaluator.required(for: recover.spec, policy: ApprovalPolicy(high: TierPolicy(requiredApprovals: 3))) == 3)
        #expect(ApprovalEvaluator.required(for: restore.spec, policy: ApprovalPolicy()) == 1)

        // One of them running withdraws the other.
        var running = result.plans
        let i = try #require(running.firstIndex { $0.spec.concern == "restore-stores-4-5" })
        running[i].status.phase = .executing
        let next = PlanningReconciler.reconcile(F.input(Self.quorumLost(), tickets: [ticket], plans: running))
        #expect(F.plan("unsafe-recovery-stores-4-5", in: next.plans)?.status.phase == .superseded)
    }

    @Test func unsafeRecoveryIsRefusedForAStoreThatIsAlive() {
        let snapshot = Self.quorumLost()
        #expect(Preconditions.check(.stores(.removeFailedStores, [4, 5]), snapshot: snapshot, region: nil, limits: Limits()) == nil)
        #expect(Preconditions.check(.stores(.removeFailedStores, [3, 4]), snapshot: snapshot, region: nil, limits: Limits())?.contains("store 3 is alive") == true)
        #expect(Preconditions.check(.stores(.removeFailedStores, [4, 9]), snapshot: snapshot, region: nil, limits: Limits())?.contains("not in the cluster") == true)
    }

    @Test func aDeadStoreIsTakenOfflineOnlyPastMaxStoreDownTimeAndNeverWhenPartitioned() throws {
        var (stores, regions) = MaintenancePlannerTests.healthy()
        let ticket = F.ticket("storeDown", "store/2")
        // Disconnected, not Down yet: restart first.
        stores[1].liveness = .disconnected
        let early = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, scope: .stores([2])), tickets: [ticket]))
        #expect(F.plan("offline-store-2", in: early.plans) == nil)
        // Down: the offline plan.
        stores[1].liveness = .down
        let down = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, scope: .stores([2])), tickets: [ticket]))
        #expect(F.plan("offline-store-2", in: down.plans) != nil)
        // Down but its process still scraped after its last heartbeat: partitioned, never offline.
        var partitioned = stores
        partitioned[1].lastHeartbeat = F.now.addingTimeInterval(-3600)
        partitioned[1].metrics = StoreMetrics(p99Latency: .value(0.01), qps: .value(10), writeStall: .value(0), up: .value(1),
                                              scrapedAt: F.now.addingTimeInterval(-5))
        let cut = PlanningReconciler.reconcile(F.input(F.snapshot(partitioned, regions: regions, scope: .stores([2])), tickets: [ticket],
                                                       plans: down.plans))
        let withdrawn = try #require(F.plan("offline-store-2", in: cut.plans))
        #expect(withdrawn.status.phase == .superseded)
        // The same when its diagnosis says so, whatever the metrics.
        var diagnosed = ticket
        diagnosed.status.diagnosis = Diagnosis(ticket: ticket.name, primary: Hypothesis(cause: .networkPartition, title: "partitioned", confidence: .high, evidence: []),
                                               recommendedAction: "fix the network", provider: "rules", model: "rules-v1", createdAt: F.now, contextDigest: "x")
        let byDiagnosis = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions, scope: .stores([2])), tickets: [diagnosed]))
        #expect(F.plan("offline-store-2", in: byDiagnosis.plans) == nil)
    }

    /// A skew that follows from an open root gets no balance plan; once the root resolves, it does.
    @Test func aConsequenceWaitsForItsRoot() throws {
        let regions = (0..<30).map { i -> RegionPlacement in
            let a = UInt64(i % 3 + 1), b = UInt64((i + 1) % 3 + 1), c = UInt64((i + 2) % 3 + 1)
            return RegionPlacement(id: UInt64(i + 1), leaderStoreID: 1, voterStoreIDs: [a, b, c].sorted())
        }
        let stores = F.counted((1...3).map { F.store($0) }, regions)
        var balance = BalancePolicy()
        balance.strategy = .moves
        let cluster = F.cluster(balance: balance)
        var skew = F.ticket("leaderSkew", "cluster")
        let root = F.ticket("highLatency", "store/2")
        skew.status.incident = TicketIncident(cause: .storeNotAlive, store: 2, root: root.name, message: "store 2 is not alive")
        let held = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), cluster: cluster, tickets: [skew, root]))
        #expect(F.plan("balance-leaders", in: held.plans) == nil)
        var resolved = root
        resolved.status.state = .resolved
        let free = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), cluster: cluster, tickets: [skew, resolved]))
        #expect(F.plan("balance-leaders", in: free.plans) != nil)
        // PD draining a slow store is PD acting: no plan, root ticket or not.
        skew.status.incident = TicketIncident(cause: .slowStoreEvictedByPD, store: 2, root: nil, message: "PD drains store 2")
        let pd = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), cluster: cluster, tickets: [skew]))
        #expect(F.plan("balance-leaders", in: pd.plans) == nil)
    }
}
