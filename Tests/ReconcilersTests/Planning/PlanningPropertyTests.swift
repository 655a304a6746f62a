import Foundation
import PDWire
import Testing
import TestSupport
@testable import Reconcilers

/// Random clusters and desired balances from a seeded generator: every case replays exactly.
@Suite struct PlanningPropertyTests {
    typealias F = PlanningFixtures

    struct Case {
        var input: PlanningInput
        var regions: [RegionPlacement]
    }

    /// A noisy cluster: dead, evicted and maintained stores, unhealthy, joint and busy regions, random
    /// weights and skew limits, tickets for a down store and for skew.
    static func noisy(seed: UInt64) -> Case {
        var rng = SeededGenerator(seed: seed)
        let n = Int.random(in: 4...9, using: &rng)
        let ids = (1...UInt64(n)).map { $0 }
        let hot = ids.randomElement(using: &rng) ?? 1
        var regions: [RegionPlacement] = []
        for i in 0..<Int.random(in: 30...250, using: &rng) {
            let voters = Array(ids.shuffled(using: &rng).prefix(3)).sorted()
            let leader = voters.contains(hot) && Bool.random(using: &rng) ? hot : voters.randomElement(using: &rng) ?? voters[0]
            var r = RegionPlacement(id: UInt64(1000 + i), leaderStoreID: leader, voterStoreIDs: voters,
                                    approximateSizeMiB: Int64.random(in: 1...96, using: &rng))
            if Double.random(in: 0..<1, using: &rng) < 0.05 { r.unhealthyStoreIDs = [voters.first { $0 != leader } ?? voters[0]] }
            if Double.random(in: 0..<1, using: &rng) < 0.02 { r.inJointState = true }
            regions.append(r)
        }
        var stores = F.counted(ids.map { F.store($0) }, regions)
        let down = Double.random(in: 0..<1, using: &rng) < 0.3 ? ids.randomElement(using: &rng) : nil
        if let down, let i = stores.firstIndex(where: { $0.id == down }) { stores[i].liveness = .down }
        let evicted = ids.filter { _ in Double.random(in: 0..<1, using: &rng) < 0.1 }
        let operators = regions.filter { _ in Double.random(in: 0..<1, using: &rng) < 0.02 }.map(\.id)
        let weights = ids.compactMap { id -> StoreWeight? in
            Double.random(in: 0..<1, using: &rng) < 0.3
                ? StoreWeight(storeID: id, leader: [0.5, 2, 3].randomElement(using: &rng) ?? 1, region: [0.5, 2].randomElement(using: &rng) ?? 1) : nil
        }
        let balance = BalancePolicy(leaders: BalanceTarget(maxSkewPercent: Double.random(in: 5...40, using: &rng)),
                                    regions: BalanceTarget(maxSkewPercent: Double.random(in: 5...40, using: &rng)), storeWeights: weights)
        var maintenances: [StoreMaintenance] = []
        if Bool.random(using: &rng), let m = ids.randomElement(using: &rng) {
            maintenances.append(F.maintenance(m, offline: Bool.random(using: &rng)))
        }
        var tickets = [F.ticket("leaderSkew", "cluster")]
        if let down { tickets.append(F.ticket("storeDown", "store/\(down)")) }
        var snapshot = F.snapshot(stores, regions: regions, evicted: evicted, operators: operators)
        // What PD is doing and what TiKV reports: PD's own eviction of a slow store, slow scores, busy stores,
        // heartbeats going stale, reject-leader labels. Drawn last so the cases above replay as before.
        snapshot.schedulers.evictSlowStores = ids.filter { _ in Double.random(in: 0..<1, using: &rng) < 0.1 }
        for i in snapshot.stores.indices {
            if Double.random(in: 0..<1, using: &rng) < 0.1 { snapshot.stores[i].slowScore = UInt64.random(in: 80...100, using: &rng) }
            if Double.random(in: 0..<1, using: &rng) < 0.05 { snapshot.stores[i].isBusy = true }
            let age = Double.random(in: 0..<1, using: &rng) < 0.1 ? Double.random(in: 21...29, using: &rng) : Double.random(in: 0...9, using: &rng)
            snapshot.stores[i].lastHeartbeat = F.now.addingTimeInterval(-age)
            snapshot.stores[i].labels = ["zone": "z\(Int.random(in: 1...3, using: &rng))"]
        }
        if Double.random(in: 0..<1, using: &rng) < 0.3 { snapshot.settings.rejectLeaderLabels = [StoreLabel(key: "zone", value: "z3")] }
        // PD's placement rules: none, a zone whose peers may only follow, or ranged rules that let only one zone lead
        // a key range (regions then carry keys, some across the boundary); and store limits with PD's operators.
        let rules = Int.random(in: 0..<3, using: &rng)
        if rules == 1 {
            let zone = "z\(Int.random(in: 1...3, using: &rng))"
            snapshot.placement = PlacementRuleTable(enabled: true, rules: [
                .init(groupID: "pd", id: "default", role: "voter", count: 2, labelConstraints: [PlacementLabelConstraint(key: "zone", op: "notIn", values: [zone])]),
                .init(groupID: "pd", id: "followers", role: "follower", count: 1, labelConstraints: [PlacementLabelConstraint(key: "zone", op: "in", values: [zone])]),
            ])
        } else if rules == 2 {
            let zone = "z\(Int.random(in: 1...3, using: &rng))"
            snapshot.placement = PlacementRuleTable(enabled: true, rules: [
                .init(groupID: "pd", id: "default", role: "voter", count: 3),
                .init(groupID: "t", id: "leader", groupIndex: 1, groupOverride: true, startKey: "2000", endKey: "4000", role: "leader", count: 1,
                      labelConstraints: [PlacementLabelConstraint(key: "zone", op: "in", values: [zone])]),
                .init(groupID: "t", id: "rest", groupIndex: 1, groupOverride: true, startKey: "2000", endKey: "4000", role: "follower", count: 2),
            ])
            for i in regions.indices {
                let start = Int.random(in: 0..<100, using: &rng) * 100
                let keys = RegionKeyRange(start: String(format: "%04X", start), end: String(format: "%04X", start + Int.random(in: 1...300, using: &rng)))
                regions[i].keys = keys
            }
            snapshot.regions = regions
        }
        snapshot.settings.storeLimits = StoreLimitSettings(addPeerPerMinute: Dictionary(uniqueKeysWithValues: ids.map { ($0, [1, 15, 600].randomElement(using: &rng) ?? 15) }))
        snapshot.operators = snapshot.operators.map {
            var op = $0
            op.admittedAt = F.now.addingTimeInterval(-Double.random(in: 0...5, using: &rng))
            op.addsPeerOn = [ids.randomElement(using: &rng) ?? 1]
            op.sizeMiB = 96
            return op
        }
        return Case(input: F.input(snapshot, cluster: F.cluster(balance: balance), maintenances: maintenances, tickets: tickets), regions: regions)
    }

    /// A rich cluster: every 3-store voter set several times, all healthy, leaders and peers skewed by
    /// random weights; legal moves are plentiful, so plans must reach the lower bound exactly.
    static func rich(seed: UInt64) -> Case {
        var rng = SeededGenerator(seed: seed)
        let n = Int.random(in: 4...7, using: &rng)
        let ids = (1...UInt64(n)).map { $0 }
        var triples: [[UInt64]] = []
        for a in ids { for b in ids where b > a { for c in ids where c > b { triples.append([a, b, c]) } } }
        let hot = Set(ids.shuffled(using: &rng).prefix(Int.random(in: 1...2, using: &rng)))
        var regions: [RegionPlacement] = []
        for copy in 0..<Int.random(in: 3...6, using: &rng) {
            for (k, voters) in triples.enumerated() {
                let hotVoter = voters.first { hot.contains($0) }
                let leader = hotVoter ?? voters.randomElement(using: &rng) ?? voters[0]
                regions.append(RegionPlacement(id: UInt64(copy * 1000 + k + 1), leaderStoreID: leader, voterStoreIDs: voters))
            }
        }
        // Scale-out: one or two stores hold no region yet.
        let fresh = (1...UInt64(Int.random(in: 1...2, using: &rng))).map { UInt64(n) + $0 }
        let stores = F.counted((ids + fresh).map { F.store($0) }, regions)
        let weights = (ids + fresh).map { StoreWeight(storeID: $0, leader: Double(Int.random(in: 1...3, using: &rng)), region: Double(Int.random(in: 1...2, using: &rng))) }
        let balance = BalancePolicy(leaders: BalanceTarget(maxSkewPercent: 5), regions: BalanceTarget(maxSkewPercent: 5), storeWeights: weights)
        return Case(input: F.input(F.snapshot(stores, regions: regions), cluster: F.cluster(balance: balance)), regions: regions)
    }

    static func weights(_ input: PlanningInput, _ kind: BalanceKind) -> [UInt64: Double] {
        Dictionary(uniqueKeysWithValues: input.cluster.spec.balance.storeWeights.map { ($0.storeID, kind == .leaders ? $0.leader : $0.region) })
    }

    /// Checks every property; returns how many balance plans reached the lower bound and balanced.
    @discardableResult
    static func check(_ c: Case, exactLowerBound: Bool) -> Int {
        var reachedLowerBound = 0
        let result = PlanningReconciler.reconcile(c.input)
        let snapshot = c.input.snapshot
        let ctx = PlanningContext(c.input)

        // Same inputs → same plans and revisions, whatever the order regions arrive in.
        var shuffled = c.input
        shuffled.snapshot.regions = c.regions.reversed()
        #expect(PlanningReconciler.reconcile(c.input) == result)
        #expect(PlanningReconciler.reconcile(shuffled).plans == result.plans)

        // Running on its own output is stable: nothing changes, nothing is announced.
        var again = c.input
        again.plans = result.plans
        let second = PlanningReconciler.reconcile(again)
        #expect(second.plans == result.plans)
        #expect(second.events.isEmpty)

        // One plan per concern, valid names, revision = hash of the steps.
        #expect(Set(result.plans.map(\.spec.concern)).count == result.plans.count)
        for plan in result.plans {
            #expect(validateObjectName(plan.name) == nil)
            #expect(plan.spec.revision == RemediationPlanSpec.revision(of: plan.spec.steps))
            #expect(Set(plan.spec.steps.map(\.name)).count == plan.spec.steps.count)
        }

        // No planner emits a move the legality rule refuses, on the snapshot it planned from.
        for plan in result.plans {
            for step in plan.spec.steps where PlanExecution.isRegionLevel(step.action.kind) {
                let region = c.regions.first { $0.id == step.action.regionID }
                #expect(ctx.legality.moveRefusal(step.action, region: region) == nil, "plan \(plan.name) step \(step.name)")
            }
        }

        // No executable plan breaks quorum.
        for plan in result.plans where plan.status.conditions[type: "Blocked"]?.status != .true {
            #expect(PlanChecks.keepsQuorum(plan, regions: c.regions, alive: ctx.aliveStores), "plan \(plan.name) breaks quorum")
        }

        for kind in BalanceKind.allCases {
            let targets = BalancePlanner.targets(ctx, kind)
            let limit = kind == .leaders ? c.input.cluster.spec.balance.leaders.maxSkewPercent : c.input.cluster.spec.balance.regions.maxSkewPercent
            guard let plan = F.plan(kind.concern, in: result.plans) else {
                #expect(!targets.exceeds(maxSkewPercent: limit) || !exactLowerBound, "\(kind): skewed but no plan")
                continue
            }
            if kind == .leaders {
                PlanChecks.expectLegalLeaderMoves(plan, regions: c.regions, snapshot: snapshot, maintained: ctx.maintainedStores)
            } else {
                PlanChecks.expectLegalPeerMoves(plan, regions: c.regions, snapshot: snapshot)
            }
            // A relay plan (no direct move was legal for some leaders) spends two moves, of two different regions,
            // per leader it shifts through a third store; its moves are legal, checked above.
            if plan.spec.reason.contains("relay store") {
                #expect(plan.spec.steps.count <= 2 * targets.lowerBound, "\(kind)")
                continue
            }
            #expect(plan.spec.steps.count <= targets.lowerBound, "\(kind)")
            if kind == .leaders {
                // As many moves as any legal plan can make (checked against an ungrouped reference flow).
                let best = ReferenceLeaderFlow.maximumMoves(quotas: targets.quotas, regions: c.regions, operators: ctx.regionsWithOperator) {
                    ctx.legality.placementAllows(region: $0, store: $1, as: .leader)
                }
                #expect(plan.spec.steps.count == best, "leaders: \(plan.spec.steps.count) moves, reference \(best)")
            }
            // Whenever the plan says it balances, it does so with exactly the lower bound.
            if plan.spec.reason.contains("(the minimum)") {
                #expect(plan.spec.steps.count == targets.lowerBound, "\(kind): \(plan.spec.steps.count) moves for lower bound \(targets.lowerBound)")
                let eligible = snapshot.stores.filter { kind == .leaders ? ctx.mayHoldLeaders($0) : ctx.mayHoldRegions($0) }
                PlanChecks.expectBalanced(plan, stores: eligible, kind: kind, weights: weights(c.input, kind), label: "\(kind)")
            }
            if exactLowerBound, plan.spec.steps.count == targets.lowerBound, BalancePlanner.balanced(targets, after: moves(plan)) {
                reachedLowerBound += 1
            }
        }
        return reachedLowerBound
    }

    static func moves(_ plan: RemediationPlan) -> [BalanceMove] {
        plan.spec.steps.compactMap { s in
            guard let r = s.action.regionID, let f = s.action.fromStoreID, let t = s.action.toStoreID else { return nil }
            return BalanceMove(regionID: r, from: f, to: t)
        }
    }

    @Test(arguments: TestSeed.cases(0..<200))
    func noisyClusters(seed: Int) {
        TestSeed.announce(seed)
        Self.check(Self.noisy(seed: UInt64(seed) &* 7919 &+ 17), exactLowerBound: false)
    }

    /// In rich clusters nearly every skewed case can be balanced: the planner must then use exactly the
    /// lower bound. (A few are truly infeasible, e.g. a receiver shares too few regions with the giver;
    /// the reference flow above proves the planner still makes every legal move there.)
    @Test func richClustersReachTheLowerBound() {
        var plans = 0, reached = 0
        // The bound is over all hundred cases, so these seeds are fixed (no OPERATOR_TEST_SEED).
        print("richClustersReachTheLowerBound: seeds 0..<100")
        for seed in 0..<100 {
            let c = Self.rich(seed: UInt64(seed) &* 104_729 &+ 3)
            reached += Self.check(c, exactLowerBound: true)
            let result = PlanningReconciler.reconcile(c.input)
            plans += result.plans.filter { $0.spec.concern.hasPrefix("balance-") }.count
        }
        #expect(plans >= 150)
        #expect(Double(reached) >= 0.9 * Double(plans), "\(reached) of \(plans) balance plans reached the lower bound")
    }
}
