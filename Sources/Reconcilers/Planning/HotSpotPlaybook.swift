import Foundation

/// A store carrying hot flow (`hotSpot`): split its hottest region, then move the hotter half's leader to the coolest
/// store that may lead it. One concern per store, `hot-spot-store-<id>`, in two plans:
///
/// 1. `splitRegion` of the hottest region PD lists under the store (PD's `split-region` operator, approximate middle).
///    Which half carries the flow only shows once TiKV has split it, so this plan ends there.
/// 2. Once the split is observed and PD's hot statistics have had two region heartbeats to describe the halves, the
///    next pass plans the concern's next generation: a `transferLeader` of the hottest region inside the split range to
///    the legal leader target (a store holding a healthy voter of it) that leads the least hot flow.
///
/// PD refuses `scatter-region` for a hot region (`region %d is a hot region`), so a region no other store may lead gets
/// no plan at all. A single hot key cannot be spread: its flow follows its leader whole, so a region a hot-spot plan
/// moved within the hour gets no second plan wherever it lands (no ping-pong between stores).
extension Playbooks {
    /// How long a hot-spot plan's split and leader move are remembered: a moved region gets no further hot-spot plan,
    /// and the split's range tells its halves from other regions.
    static let hotSpotMemory: TimeInterval = 3600
    /// PD's hot statistics are fed by region heartbeats (TiKV sends one a minute): two of them describe the halves.
    static let hotStatisticsSettle: TimeInterval = 120

    static func hotSpot(_ store: UInt64, _ ticket: Ticket, _ ctx: PlanningContext) -> PlannerOutcome? {
        let concern = "hot-spot-store-\(store)"
        func vanished(_ reason: String, _ message: String) -> PlannerOutcome {
            PlannerOutcome(concern: concern, decision: .vanished(reason: reason, message: message))
        }
        // The plan follows the diagnosis: a model (or a person's rules) may explain the flow otherwise.
        if let cause = ticket.status.diagnosis?.primary.cause, cause != .hotRegion {
            return vanished("DiagnosisSaysWait", "the diagnosis names \(cause.rawValue), not a hot region: no region is split")
        }
        guard let s = ctx.snapshot.store(store), s.isUpAndAlive else { return nil }
        if let why = slowStore(s, ctx) { return vanished("SlowStore", why) }
        let led = ctx.snapshot.hotRegions.filter { $0.storeID == store }
        guard let top = led.max(by: { ($0.bytesPerSecond, $1.regionID) < ($1.bytesPerSecond, $0.regionID) }) else { return nil }
        let memory = HotSpotMemory(ctx)
        if let move = memory.moved[top.regionID] {
            return vanished("SingleHotKey", "plan \(move.plan) moved region \(top.regionID)'s leader from store \(move.from) within the hour, and its flow went along: a single hot key; splitting no further helps; consider the application's key design (e.g. spread the key's writes over several keys)")
        }
        // PD acting on the region comes first (its hot-region scheduler, a checker): nothing is proposed over it.
        if ctx.regionsWithOperator.contains(top.regionID) {
            return PlannerOutcome(concern: concern, decision: .undecided)
        }
        let scope = RegionScope.stores([store])
        guard let regions = ctx.regions(covering: [store]), let region = regions.first(where: { $0.id == top.regionID }),
              region.leaderStoreID == store, let keys = region.keys else {
            // Not read yet, or PD's hot statistics and its region list disagree for now: the next pass reads it.
            return PlannerOutcome(concern: concern, decision: .undecided, regionScope: scope)
        }
        let targets = leaderTargets(region, from: store, direction: top.direction, ctx)
        let flow = "region \(top.regionID) leads \(HealthText.bytesPerSecond(top.bytesPerSecond)) of hot \(top.direction.rawValue) flow on store \(store) (\(ticket.spec.summary))"
        guard let target = targets.first else {
            let refusals = region.voterStoreIDs.filter { $0 != store }.compactMap { id in
                ctx.legality.moveRefusal(.transferLeader(region: region.id, from: store, to: id), region: region).map { "store \(id): \($0)" }
            }
            return vanished("NoLegalMove", "\(flow), but no other store holding a voter of it may lead it (\(refusals.joined(separator: "; "))); PD refuses scatter-region for a hot region, so nothing is proposed")
        }
        if let split = memory.split(containing: keys) {
            let settled = split.at.addingTimeInterval(hotStatisticsSettle)
            guard ctx.now >= settled else { return PlannerOutcome(concern: concern, decision: .undecided, regionScope: scope) }
            return moveHotLeader(region, top, to: target, from: store, split: split, flow: flow, ticket: ticket, ctx, scope: scope)
        }
        let step = PlanStep(name: "split-region-\(region.id)", action: .splitRegion(region.id, keys: keys),
                            preconditions: ["region \(region.id) is not in a joint state", "PD runs no other operator on region \(region.id)"],
                            expectedEffect: "region \(region.id) no longer spans \(keys.text): TiKV split it in two",
                            timeout: ctx.spec.execution.fastStepTimeout)
        return desired(ctx, concern: concern,
                       reason: "Store \(store) carries hot flow: \(flow). Splitting region \(region.id) at its approximate middle (PD's split-region operator) separates its keys; once PD's hot statistics describe the halves, the next plan moves the hotter half's leader to the coolest store that may lead it (now store \(target.store)). PD refuses scatter-region for a hot region. If one key carries the flow, it stays whole in one half and lands on that store.",
                       ticket: ticket, steps: [step], scope: scope)
    }

    /// The second plan: the hotter half's leader to the coolest legal store.
    static func moveHotLeader(_ region: RegionPlacement, _ top: HotRegion, to target: (store: UInt64, flow: Double), from store: UInt64,
                              split: HotSpotMemory.Split, flow: String, ticket: Ticket, _ ctx: PlanningContext, scope: RegionScope) -> PlannerOutcome {
        var step = PlanStep(name: "move-hot-leader-\(region.id)", action: .transferLeader(region: region.id, from: store, to: target.store),
                            preconditions: ["store \(target.store) holds a healthy voter of region \(region.id) and may lead it"],
                            expectedEffect: "region \(region.id)'s leader is on store \(target.store)", timeout: ctx.spec.execution.fastStepTimeout)
        if let why = ctx.caution(onto: target.store, besides: ticket.name) {
            step.risk = max(step.risk, .medium)
            step.preconditions.append("store \(target.store) needs a person's look before it takes the hot leader: \(why)")
        }
        return desired(ctx, concern: "hot-spot-store-\(store)",
                       reason: "Plan \(split.plan) split region \(split.regionID) (\(split.range.text)); its hotter half: \(flow). Moving its leader to store \(target.store), the coolest store holding a voter of it (it leads \(HealthText.bytesPerSecond(target.flow)) of hot \(top.direction.rawValue) flow), takes that flow off store \(store). A single hot key moves whole: no further hot-spot plan moves region \(region.id) within the hour.",
                       ticket: ticket, steps: [step], scope: scope)
    }

    /// Legal leader targets for the region, coolest first: least hot flow led in the direction, then fewest leaders.
    static func leaderTargets(_ region: RegionPlacement, from store: UInt64, direction: HotRegion.Direction,
                              _ ctx: PlanningContext) -> [(store: UInt64, flow: Double)] {
        var flow: [UInt64: Double] = [:]
        for h in ctx.snapshot.hotRegions where h.direction == direction { flow[h.storeID, default: 0] += h.bytesPerSecond }
        let leaders = Dictionary(ctx.snapshot.stores.map { ($0.id, $0.leaderCount) }, uniquingKeysWith: { a, _ in a })
        return region.voterStoreIDs.filter { id in
            id != store && ctx.legality.moveRefusal(.transferLeader(region: region.id, from: store, to: id), region: region) == nil
        }
        .map { (store: $0, flow: flow[$0] ?? 0) }
        .sorted { ($0.flow, leaders[$0.store] ?? 0, $0.store) < ($1.flow, leaders[$1.store] ?? 0, $1.store) }
    }

    /// Why a hot store's flow is not the story: its disk is slow, and PD (or the eviction playbook) moves its leaders.
    static func slowStore(_ s: StoreSnapshot, _ ctx: PlanningContext) -> String? {
        if ctx.snapshot.schedulers.evictSlowStores.contains(s.id) {
            return "PD's evict-slow-store-scheduler is evicting store \(s.id): its disk is slow and PD is already moving its leaders"
        }
        if s.slowScore >= TargetLegality.slowScoreLine {
            return "store \(s.id)'s slow score is \(s.slowScore) (PD's slow-store line is \(TargetLegality.slowScoreLine)): a slow disk, which splitting does not cure"
        }
        if let slow = ctx.openTicket(invariant: "highLatency", subject: HealthSubject.store(s.id)),
           slow.status.diagnosis?.primary.cause == .slowDisk {
            return "ticket \(slow.name) diagnoses a slow disk on store \(s.id): its leaders are moved by the eviction playbook, not by splitting"
        }
        return nil
    }
}
