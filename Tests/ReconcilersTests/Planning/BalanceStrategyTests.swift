import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// `spec.balance.strategy`: through PD's store weights while PD's balancers run, explicit moves otherwise.
@Suite struct BalanceStrategyTests {
    typealias F = PlanningFixtures
    static let leader = "balance-leader-scheduler"
    static let region = "balance-region-scheduler"

    /// Store 1 leads 30 of 40 regions (as `BalancePlannerTests.skewed`), PD running `running` and pausing `paused`.
    static func skewed(running: [String] = [leader, region], paused: [String] = [], weights: [UInt64: (Double, Double)] = [:])
        -> ClusterSnapshot {
        let (stores, regions) = BalancePlannerTests.skewed()
        var snapshot = F.snapshot(stores.map { s in
            var s = s
            if let w = weights[s.id] { (s.leaderWeight, s.regionWeight) = w }
            return s
        }, regions: regions)
        snapshot.schedulers = SchedulerSnapshot(names: running.sorted(), paused: paused)
        return snapshot
    }

    static func cluster(_ strategy: BalanceStrategy = .auto, weights: [StoreWeight] = []) -> TiKVCluster {
        F.cluster(balance: BalancePolicy(storeWeights: weights, strategy: strategy))
    }

    @Test(arguments: [
        (BalanceStrategy.auto, [leader], [String](), BalanceStrategyChoice.Way.weights, BalanceStrategyChoice.SchedulerState.running),
        (.auto, [leader], [leader], .moves, .paused),
        (.auto, [], [], .moves, .absent),
        (.moves, [leader], [], .moves, .running),
        (.weights, [leader], [leader], .weights, .paused),
        (.weights, [], [], .weights, .absent),
    ])
    func theStrategyFollowsPDsSchedulerState(strategy: BalanceStrategy, names: [String], paused: [String],
                                             way: BalanceStrategyChoice.Way, state: BalanceStrategyChoice.SchedulerState) {
        let choice = BalanceStrategyChoice.choose(strategy, .leaders, schedulers: SchedulerSnapshot(names: names, paused: paused))
        #expect(choice.way == way)
        #expect(choice.scheduler == state)
        // Regions follow their own scheduler, which none of these lists runs.
        let regions = BalanceStrategyChoice.choose(strategy, .regions, schedulers: SchedulerSnapshot(names: names, paused: paused))
        #expect(regions.scheduler == .absent)
        #expect(regions.way == (strategy == .weights ? .weights : .moves))
    }

    @Test func withPDBalancingAndTheWeightsRightNothingIsPlanned() {
        let result = PlanningReconciler.reconcile(F.input(Self.skewed(), cluster: Self.cluster()))
        // The skew is PD's to undo: no move plan to fight it, no weight plan since PD already has the spec's weights.
        #expect(result.plans.isEmpty, "plans: \(result.plans.map(\.name))")
    }

    @Test func withPDBalancingADifferentWeightIsAWeightPlanAndNoMoves() throws {
        let cluster = Self.cluster(weights: [StoreWeight(storeID: 2, leader: 2, region: 1)])
        let result = PlanningReconciler.reconcile(F.input(Self.skewed(weights: [3: (1, 0.5)]), cluster: cluster))
        #expect(F.plan("balance-leaders", in: result.plans) == nil)
        let plan = try #require(F.plan("balance-weights", in: result.plans))
        #expect(plan.name == "balance-weights-prod")
        // Store 2 gets its leader weight, store 3 its region weight back to 1; stores 1 and 4 already match.
        #expect(plan.spec.steps.map(\.action) == [
            .setStoreWeight(2, leader: 2, region: 1), .setStoreWeight(3, leader: 1, region: 1),
            .waitForBalance(.leaders, maxSkewPercent: 10), .waitForBalance(.regions, maxSkewPercent: 15),
        ])
        #expect(plan.spec.steps.map(\.batch) == [1, 1, 2, 2])
        #expect(plan.spec.risk == .medium)
        #expect(plan.spec.steps[2].timeout == .minutes(10), "the wait is bounded by execution.slowStepTimeout")
        #expect(plan.spec.reason.hasPrefix("PD's balance-leader-scheduler is running: balancing leaders through store weights; PD's balance-region-scheduler is running: balancing regions through store weights."))
        #expect(plan.spec.reason.contains("store 2 leader 1 → 2; store 3 region 0.5 → 1"))
        #expect(PDCall.forAction(plan.spec.steps[0].action)?.description == #"POST /pd/api/v1/store/2/weight {"leader":2.0,"region":1.0}"#)
    }

    @Test func aPausedOrRemovedBalancerMeansMovesExactlyAsBefore() throws {
        // The move planner with no PD balancer in sight is the reference: pausing or removing PD's, or asking for
        // moves while it runs, plans the very same steps.
        let reference = try #require(F.plan("balance-leaders", in: PlanningReconciler.reconcile(
            F.input(Self.skewed(running: []), cluster: Self.cluster())).plans))
        #expect(reference.spec.steps.count == 20)
        let cases: [(ClusterSnapshot, TiKVCluster, String)] = [
            (Self.skewed(paused: [Self.leader]), Self.cluster(), "PD's balance-leader-scheduler is paused: balancing leaders through explicit moves."),
            (Self.skewed(running: [Self.region]), Self.cluster(), "PD's balance-leader-scheduler is not running (removed): balancing leaders through explicit moves."),
            (Self.skewed(), Self.cluster(.moves), "spec.balance.strategy is moves: balancing leaders through explicit moves (PD's balance-leader-scheduler is running and may undo them)."),
        ]
        for (snapshot, cluster, reason) in cases {
            let plan = try #require(F.plan("balance-leaders", in: PlanningReconciler.reconcile(F.input(snapshot, cluster: cluster)).plans))
            #expect(plan.spec.steps == reference.spec.steps)
            #expect(plan.spec.reason.hasPrefix(reason), "\(plan.spec.reason)")
        }
        // Moves for leaders do not stop the regions going through weights while PD's balance-region runs.
        let mixed = PlanningReconciler.reconcile(F.input(Self.skewed(paused: [Self.leader]),
                                                         cluster: Self.cluster(weights: [StoreWeight(storeID: 1, leader: 3, region: 2)])))
        let weights = try #require(F.plan("balance-weights", in: mixed.plans))
        #expect(weights.spec.steps.map(\.action) == [.setStoreWeight(1, leader: 1, region: 2), .waitForBalance(.regions, maxSkewPercent: 15)],
                "the leader weight PD reports is kept while leaders are balanced through moves")
    }

    @Test func strategyWeightsSetsWeightsEvenWithPDsBalancerPaused() throws {
        let cluster = Self.cluster(.weights, weights: [StoreWeight(storeID: 4, leader: 0.5, region: 1)])
        let result = PlanningReconciler.reconcile(F.input(Self.skewed(running: [Self.leader, Self.region], paused: [Self.leader]), cluster: cluster))
        #expect(F.plan("balance-leaders", in: result.plans) == nil)
        let plan = try #require(F.plan("balance-weights", in: result.plans))
        #expect(plan.spec.steps.first?.action == .setStoreWeight(4, leader: 0.5, region: 1))
        #expect(plan.spec.reason.hasPrefix("spec.balance.strategy is weights: balancing leaders through store weights (PD's balance-leader-scheduler is paused: nothing acts on the weights until it runs)"))
    }

    @Test func aPendingMovePlanIsSupersededWhenPDResumesBalancing() throws {
        let paused = PlanningReconciler.reconcile(F.input(Self.skewed(paused: [Self.leader]), cluster: Self.cluster()))
        #expect(F.plan("balance-leaders", in: paused.plans)?.status.phase == .pending)
        let resumed = PlanningReconciler.reconcile(F.input(Self.skewed(), cluster: Self.cluster(), plans: paused.plans))
        let plan = try #require(F.plan("balance-leaders", in: resumed.plans))
        #expect(plan.status.phase == .superseded)
        #expect(plan.status.conditions[type: "Superseded"]?.reason == "BalancingThroughWeights")
        #expect(plan.status.conditions[type: "Superseded"]?.message.hasPrefix("PD's balance-leader-scheduler is running") == true)
    }

    @Test func aWeightPlanIsProposedAgainWhenTheWeightsAreChangedBackOutsideIt() throws {
        let cluster = Self.cluster(weights: [StoreWeight(storeID: 2, leader: 2, region: 1)])
        var plan = try #require(F.plan("balance-weights", in: PlanningReconciler.reconcile(F.input(Self.skewed(), cluster: cluster)).plans))
        plan.status.phase = .succeeded
        // Set: no plan. Reset by hand in PD: the same steps again, as a new plan.
        let done = PlanningReconciler.reconcile(F.input(Self.skewed(weights: [2: (2, 1)]), cluster: cluster, plans: [plan]))
        #expect(done.plans == [plan])
        let undone = PlanningReconciler.reconcile(F.input(Self.skewed(), cluster: cluster, plans: [plan]))
        #expect(undone.plans.map(\.name) == ["balance-weights-prod", "balance-weights-prod-2"])
    }

    @Test func aWeightStepHoldsWhenPDReportsTheWeights() {
        let action = Action.setStoreWeight(2, leader: 2, region: 0.5)
        let before = Self.skewed()
        #expect(StepEffect.check(action, snapshot: before, region: nil)
            == .notYet("PD reports store 2's weights as leader 1, region 1, not leader 2, region 0.5"))
        #expect(StepEffect.check(action, snapshot: Self.skewed(weights: [2: (2, 0.5)]), region: nil)
            == .holds("PD reports store 2's weights as leader 2, region 0.5"))
        #expect(Preconditions.check(.setStoreWeight(9, leader: 1, region: 1), snapshot: before, region: nil, limits: Limits())
            == "the store is not in the cluster")
        #expect(Preconditions.check(action, snapshot: before, region: nil, limits: Limits()) == nil)
    }

    @Test func theWaitHoldsOnlyWhenEveryStoreIsWithinItsWeightedBand() {
        func snapshot(leaders: [Int], weights: [Double]) -> ClusterSnapshot {
            let stores = (1...4).map { i in
                var s = F.store(UInt64(i), leaders: leaders[i - 1], regions: 60)
                s.leaderWeight = weights[i - 1]
                return s
            }
            var snap = F.snapshot(stores)
            snap.schedulers = SchedulerSnapshot(names: [Self.leader])
            return snap
        }
        let wait = Action.waitForBalance(.leaders, maxSkewPercent: 10)
        // 100 leaders, weights 2:1:1:1 → shares 40, 20, 20, 20.
        #expect(StepEffect.check(wait, snapshot: snapshot(leaders: [40, 21, 19, 20], weights: [2, 1, 1, 1]), region: nil).holds)
        #expect(StepEffect.check(wait, snapshot: snapshot(leaders: [25, 25, 25, 25], weights: [2, 1, 1, 1]), region: nil)
            == .notYet("store 1 holds 25 leaders, 38% from its weighted share of 40 (limit 10%)"))
        // Unweighted, the same counts are balanced.
        #expect(StepEffect.check(wait, snapshot: snapshot(leaders: [25, 25, 25, 25], weights: [1, 1, 1, 1]), region: nil).holds)
        var partial = snapshot(leaders: [25, 25, 25, 25], weights: [1, 1, 1, 1])
        partial.sources[.schedulers] = .failed("timeout")
        #expect(!StepEffect.check(wait, snapshot: partial, region: nil).holds)
    }

    @Test func aWeightPlanRunsSetsTheWeightsAndWaitsForPDWithinItsBound() throws {
        var spec = TiKVClusterSpec(pd: PDEndpoint(urls: ["http://127.0.0.1:2379"]))
        spec.mode = .execute
        spec.approval.medium = TierPolicy(requiredApprovals: 0)
        spec.balance.storeWeights = [StoreWeight(storeID: 1, leader: 2, region: 1)]
        let cluster = TiKVCluster(metadata: ObjectMeta(name: "prod", generation: 1), spec: spec)
        func snapshot(_ weight: Double, leaders: [Int], at now: Date) -> ClusterSnapshot {
            let stores = (1...4).map { i in
                var s = F.store(UInt64(i), leaders: leaders[i - 1], regions: 60)
                s.leaderWeight = i == 1 ? weight : 1
                return s
            }
            var snap = F.snapshot(stores)
            snap.observedAt = now
            snap.completedAt = now
            snap.schedulers = SchedulerSnapshot(names: [Self.leader, Self.region])
            return snap
        }
        let t0 = F.now
        let planned = PlanningReconciler.reconcile(F.input(snapshot(1, leaders: [25, 25, 25, 25], at: t0), cluster: cluster))
        let plan = try #require(F.plan("balance-weights", in: planned.plans))
        func advance(_ plans: [RemediationPlan], _ snap: ClusterSnapshot, _ now: Date) -> ExecutionResult {
            PlanExecution.advance(ExecutionInput(cluster: cluster, snapshot: snap, plans: plans, votes: [], killSwitch: false, now: now))
        }
        // 1. The one weight that differs is sent.
        let first = advance([plan], snapshot(1, leaders: [25, 25, 25, 25], at: t0), t0)
        #expect(first.calls.map(\.call.description) == [#"POST /pd/api/v1/store/1/weight {"leader":2.0,"region":1.0}"#])
        // 2. PD reports it: the step is done, the waits start and PD has not moved yet.
        let t1 = t0.addingTimeInterval(5)
        let second = advance(first.plans, snapshot(2, leaders: [25, 25, 25, 25], at: t1), t1)
        #expect(second.calls.isEmpty)
        let running = try #require(second.plans.first)
        // Only the leader weight changed: the plan waits for leaders, not for regions.
        #expect(running.spec.steps.map(\.name) == ["set-store-weight-1", "wait-for-leaders-balance"])
        #expect(running.status.steps.map(\.phase) == [.succeeded, .running])
        // 3. PD converged on leaders (40/20/20/20) and regions are even: done, observed.
        let t2 = t1.addingTimeInterval(120)
        let third = advance(second.plans, snapshot(2, leaders: [40, 20, 20, 20], at: t2), t2)
        #expect(third.plans.first?.status.phase == .succeeded)
        #expect(third.plans.first?.status.steps[1].observedEffect?.hasPrefix("every store holds leaders within 10%") == true)
        // Otherwise the wait fails its attempt after slowStepTimeout (10 min), and PD gets no call from it.
        let late = t1.addingTimeInterval(601)
        let stuck = advance(second.plans, snapshot(2, leaders: [25, 25, 25, 25], at: late), late)
        #expect(stuck.calls.isEmpty)
        #expect(stuck.plans.first?.status.steps[1].lastError?.hasPrefix("no effect observed within 600s") == true)
    }

    @Test func theStrategyIsParsedAndValidated() throws {
        let base = minimalCluster
        func cluster(_ text: String) throws -> TiKVCluster? {
            guard case .tikvCluster(let c) = try #require(SpecParser.parse(file: "c.yaml", text: text).documents.first).object else { return nil }
            return c
        }
        #expect(try cluster(base)?.spec.balance.strategy == .auto)
        #expect(try cluster(base + "  balance:\n    leaders: {maxSkewPercent: 5}\n")?.spec.balance.strategy == .auto)
        #expect(try cluster(base + "  balance:\n    strategy: weights\n")?.spec.balance.strategy == .weights)
        #expect(try cluster(base + "  balance: {strategy: moves}\n")?.spec.balance.strategy == .moves)
        #expect(SpecParser.parse(file: "specs/c.yaml", text: base + "  balance:\n    strategy: balanced\n").errors.map(\.description) ==
            ["specs/c.yaml:9:15: spec.balance.strategy: unsupported value \"balanced\": must be one of auto, moves, weights"])
        #expect(SpecParser.parse(file: "specs/c.yaml", text: base + "  balance:\n    strategy: [weights]\n").errors.count == 1)
    }
}
