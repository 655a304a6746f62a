import Foundation

/// Desired balance → PD store weights, for every resource balanced through weights (`BalanceStrategyChoice`).
///
/// The plan (concern `balance-weights`) sets, in one batch, the weights of each store whose weights PD reports
/// differently from the spec (`balance.storeWeights`, 1 for a store not listed), then waits, within
/// `execution.slowStepTimeout`, until PD's balancers have brought every eligible store within the spec's skew
/// limit of its weighted share, for each resource whose weights change: done is observed, never assumed. A resource balanced through moves keeps the
/// weight PD reports (the call carries both). When PD already reports the spec's weights there is no plan: PD's
/// balancers are doing the work, and a pending plan is superseded.
enum WeightPlanner {
    static let concern = "balance-weights"

    static func plan(_ ctx: PlanningContext) -> PlannerOutcome? {
        let strategy = ctx.spec.balance.strategy
        let choices = BalanceKind.allCases.map { BalanceStrategyChoice.choose(strategy, $0, schedulers: ctx.snapshot.schedulers) }
        let weighted = choices.filter { $0.way == .weights && target(ctx, $0.kind).enabled }
        // No resource through weights: the concern is not raised, and a plan left pending is superseded.
        guard !weighted.isEmpty else { return nil }
        let leaders = weighted.contains { $0.kind == .leaders }
        let regions = weighted.contains { $0.kind == .regions }
        let why = weighted.map { $0.explanation(strategy: strategy) }.joined(separator: "; ")

        let spec = Dictionary(ctx.spec.balance.storeWeights.map { ($0.storeID, $0) }, uniquingKeysWith: { a, _ in a })
        var steps: [PlanStep] = []
        var changes: [String] = []
        var changed = Set<BalanceKind>()
        for s in ctx.snapshot.stores.sorted(by: { $0.id < $1.id }) where !s.isTombstone {
            let leader = leaders ? spec[s.id]?.leader ?? 1 : s.leaderWeight
            let region = regions ? spec[s.id]?.region ?? 1 : s.regionWeight
            guard !same(leader, s.leaderWeight) || !same(region, s.regionWeight) else { continue }
            let action = Action.setStoreWeight(s.id, leader: leader, region: region)
            var change: [String] = []
            if !same(leader, s.leaderWeight) { change.append("leader \(Action.weightText(s.leaderWeight)) → \(Action.weightText(leader))") }
            if !same(region, s.regionWeight) { change.append("region \(Action.weightText(s.regionWeight)) → \(Action.weightText(region))") }
            if !same(leader, s.leaderWeight) { changed.insert(.leaders) }
            if !same(region, s.regionWeight) { changed.insert(.regions) }
            changes.append("store \(s.id) \(change.joined(separator: ", "))")
            steps.append(PlanStep(name: "set-store-weight-\(s.id)", action: action,
                                  expectedEffect: "PD reports store \(s.id)'s weights as leader \(Action.weightText(leader)), region \(Action.weightText(region))",
                                  timeout: ctx.spec.execution.fastStepTimeout, batch: 1))
        }
        guard !steps.isEmpty else {
            return PlannerOutcome(concern: concern, decision: .vanished(
                reason: "WeightsMatch",
                message: "\(why). PD reports the spec's store weights: its balancers converge on their own"))
        }
        // Waits only for what the new weights change: a resource whose weights stay is PD's as before, not this plan's.
        for c in weighted where changed.contains(c.kind) {
            let limit = target(ctx, c.kind).maxSkewPercent
            steps.append(PlanStep(name: "wait-for-\(c.kind.rawValue)-balance", action: .waitForBalance(c.kind, maxSkewPercent: limit),
                                  expectedEffect: "every eligible store holds \(c.kind.noun) within \(Action.weightText(limit))% of its weighted share",
                                  timeout: ctx.spec.execution.slowStepTimeout, batch: 2))
        }
        let skews = weighted.compactMap { c -> String? in
            let t = BalancePlanner.targets(ctx, c.kind)
            guard let worst = t.mostSkewed, t.exceeds(maxSkewPercent: target(ctx, c.kind).maxSkewPercent) else { return nil }
            return "store \(worst.id) holds \(worst.count) \(c.kind.noun) against a weighted share of \(Int(worst.share.rounded()))"
        }
        let reason = "\(why). PD's store weights differ from the spec: \(changes.joined(separator: "; ")). "
            + (skews.isEmpty ? "" : "Now \(skews.joined(separator: "; ")). ")
            + "Setting them lets PD's balancers move toward the weighted target; the plan then waits (at most \(ctx.spec.execution.slowStepTimeout)) until every store is within its skew limit."
        let ticket = weighted.lazy.compactMap { ctx.openTicket(invariant: $0.kind.invariant, subject: "cluster")?.name }.first
        let planSpec = RemediationPlanSpec(cluster: ctx.clusterName, origin: .reconciler, concern: concern, reason: reason,
                                           ticket: ticket, steps: steps)
        // Weights can be changed back outside the plan (pd-ctl): a succeeded plan does not settle the concern for good.
        return PlannerOutcome(concern: concern, decision: .desired(DesiredPlan(spec: planSpec, succeededPlanSatisfies: false)))
    }

    static func target(_ ctx: PlanningContext, _ kind: BalanceKind) -> BalanceTarget {
        kind == .leaders ? ctx.spec.balance.leaders : ctx.spec.balance.regions
    }

    /// PD keeps weights as float64 and the client sends the shortest decimal that round-trips, so equal is equal;
    /// the tolerance only absorbs a PD that rounds.
    static func same(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-9 }
}
