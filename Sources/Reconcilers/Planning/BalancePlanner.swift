import Foundation

/// What a balance plan evens out.
public enum BalanceKind: String, Codable, Sendable, CaseIterable {
    case leaders
    case regions

    /// The plan's concern; its name is `<concern>-<cluster>`.
    public var concern: String { "balance-\(rawValue)" }
    /// The health invariant whose ticket the plan answers.
    var invariant: String { self == .leaders ? "leaderSkew" : "regionSkew" }
    var noun: String { self == .leaders ? "leaders" : "regions" }
}

/// One unit moved: region `regionID`'s leader (or one peer) from store `from` to store `to`.
public struct BalanceMove: Sendable, Hashable {
    public var regionID: UInt64
    public var from: UInt64
    public var to: UInt64
    /// 0 for a region's first move, 1 for its second…: only peers can move more than once per region
    /// (from distinct givers to distinct targets), and each move waits for the one before.
    public var round: Int = 0
}

/// Desired leader and region balance → a plan of transfer-leader (transfer-peer) steps, when the resource is
/// balanced through moves (`BalanceStrategyChoice`: PD's balancer paused or removed, or `strategy: moves`).
///
/// Trigger: some eligible store is further than `maxSkewPercent` from its weighted share. Then the
/// planner brings every store into its band [⌊share⌋, ⌈share⌉] (see `BalanceTargets`) with the fewest
/// moves: a maximum flow from over-full to under-full stores through groups of interchangeable regions
/// (same giver, same legal targets), in two stages so that floors are filled before optional room is
/// used. When legal moves allow it, the number of moves equals `BalanceTargets.lowerBound`.
///
/// Legal leader move: the region's leader is on the giver, the target holds a voter of the region whose
/// peer is neither down nor pending, the region is not in a joint state and has no operator in flight,
/// and the target may hold leaders (Up, alive, not evicted, not under maintenance).
/// Legal peer move: the target holds no peer of the region and may hold regions, the region has a known
/// leader, a healthy majority, no joint state and no operator in flight. A region's leader moves at most
/// once per plan; its peers move at most once per giver and per target (so scaling out from 3 to 5
/// stores can move two peers of one region), its moves in successive batches.
public enum BalancePlanner {
    /// More targets (or givers) than this per region, only with more than 5 replicas, are cut to the
    /// lowest ids for leaders and make the region unmovable for peers.
    static let maxPackedTargets = 4

    static func targets(_ ctx: PlanningContext, _ kind: BalanceKind) -> BalanceTargets {
        let weights = Dictionary(ctx.spec.balance.storeWeights.map { ($0.storeID, $0) }, uniquingKeysWith: { a, _ in a })
        let eligible = ctx.snapshot.stores.filter { kind == .leaders ? ctx.mayHoldLeaders($0) : ctx.mayHoldRegions($0) }
        return BalanceTargets(eligible.map { s in
            let w = weights[s.id]
            return (s.id, kind == .leaders ? s.leaderCount : s.regionCount, (kind == .leaders ? w?.leader : w?.region) ?? 1)
        })
    }

    static func plan(_ ctx: PlanningContext, _ kind: BalanceKind) -> PlannerOutcome? {
        let target = kind == .leaders ? ctx.spec.balance.leaders : ctx.spec.balance.regions
        guard target.enabled else { return nil }
        let strategy = BalanceStrategyChoice.choose(ctx.spec.balance.strategy, kind, schedulers: ctx.snapshot.schedulers)
        let how = strategy.explanation(strategy: ctx.spec.balance.strategy)
        // Through weights (`WeightPlanner`), no move is planned: PD's balancer would undo what it disagrees with.
        // A pending move plan is superseded, saying why.
        guard strategy.way == .moves else {
            return PlannerOutcome(concern: kind.concern, decision: .vanished(
                reason: "BalancingThroughWeights", message: "\(how) (concern \(WeightPlanner.concern))"))
        }
        let targets = targets(ctx, kind)
        guard targets.exceeds(maxSkewPercent: target.maxSkewPercent), let worst = targets.mostSkewed else { return nil }
        // A skew that follows from an incident (a store down, PD draining a slow store) is the root's to fix: moves now
        // would be undone when the root is.
        if let skewTicket = ctx.allTickets.first(where: { $0.spec.invariant == kind.invariant && $0.spec.subject == HealthSubject.cluster
                                                         && $0.status.state != .resolved }),
           let why = ctx.heldByIncident(skewTicket) {
            return PlannerOutcome(concern: kind.concern, decision: .vanished(reason: "RootCauseOpen", message: "\(kind.noun) skew is a consequence: \(why)"))
        }
        // Only the stores moved from this pass (bounded), none that missed a heartbeat (`BalanceSources`).
        let missed = BalanceSources.missedHeartbeat(ctx.snapshot)
        let regionCounts = Dictionary(ctx.snapshot.stores.map { ($0.id, $0.regionCount) }, uniquingKeysWith: max)
        let (quotas, cut) = BalanceSources.choose(targets.quotas, regionCounts: regionCounts, excluded: missed)
        let giverIDs = quotas.givers.map(\.id)
        guard !giverIDs.isEmpty else {
            // Every store to move from missed its heartbeat: wait for the next observation rather than plan around it.
            return PlannerOutcome(concern: kind.concern, decision: .undecided)
        }
        let scope = RegionScope.stores(giverIDs)
        guard let regions = ctx.regions(covering: giverIDs) else {
            return PlannerOutcome(concern: kind.concern, decision: .undecided, regionScope: scope)
        }
        let moves = self.moves(kind, quotas: quotas, regions: regions, alive: ctx.aliveStores,
                               regionsWithOperator: ctx.regionsWithOperator, placement: ctx.legality)
        let skew = "store \(worst.id) holds \(worst.count) \(kind.noun), \(percent(BalanceTargets.skewPercent(worst)))% from its weighted share of \(number(worst.share)) (max \(number(target.maxSkewPercent))%)"
        let bounds = scopeText(cut: cut, missed: missed, among: targets)
        if moves.isEmpty, kind == .leaders {
            // Stuck: relays need the regions of the stores out of their band and of relay candidates, asked for
            // on the next pass.
            let everyone = BalanceSources.relay(targets, regionCounts: regionCounts, excluded: missed)
            guard let all = ctx.regions(covering: everyone) else {
                return PlannerOutcome(concern: kind.concern, decision: .undecided, regionScope: .stores(everyone))
            }
            let relayed = LeaderRelay.moves(targets, regions: all, regionsWithOperator: ctx.regionsWithOperator, placement: ctx.legality)
            if !relayed.isEmpty {
                let spec = RemediationPlanSpec(
                    cluster: ctx.clusterName, origin: .reconciler, concern: kind.concern,
                    reason: "\(how). Leader skew: \(skew). No direct move is legal (the stores share no region), so \(relayed.count / 2) leaders go through a relay store: \(relayed.count) moves\(balanced(targets, after: relayed) ? " bring every store within ⌊share⌋…⌈share⌉" : " bring them as close as they can").\(bounds)\(ctx.exclusionText(as: .leader))",
                    ticket: ctx.openTicket(invariant: kind.invariant, subject: "cluster")?.name,
                    steps: steps(kind, relayed, ctx))
                return PlannerOutcome(concern: kind.concern, decision: .desired(DesiredPlan(spec: spec)), regionScope: .stores(everyone))
            }
        }
        guard !moves.isEmpty else {
            return PlannerOutcome(concern: kind.concern, decision: .vanished(reason: "NoLegalMove", message: "\(kind.noun) are out of balance (\(skew)) but no move is legal now"), regionScope: scope)
        }
        let needed = targets.lowerBound
        let count = balanced(targets, after: moves)
            ? "\(moves.count) moves (the minimum) bring every store within ⌊share⌋…⌈share⌉"
            : "legal moves cannot balance every store now: \(moves.count) moves (at most the \(needed) needed) bring them as close as they can"
        let spec = RemediationPlanSpec(
            cluster: ctx.clusterName, origin: .reconciler, concern: kind.concern,
            reason: "\(how). \(kind == .leaders ? "Leader" : "Region") skew: \(skew). \(count).\(bounds)\(ctx.exclusionText(as: kind == .leaders ? .leader : .peer))",
            ticket: ctx.openTicket(invariant: kind.invariant, subject: "cluster")?.name,
            steps: steps(kind, moves, ctx))
        return PlannerOutcome(concern: kind.concern, decision: .desired(DesiredPlan(spec: spec)), regionScope: scope)
    }

    /// What the pass left out of the plan and why: "" when nothing was.
    static func scopeText(cut: Bool, missed: Set<UInt64>, among targets: BalanceTargets) -> String {
        var text = ""
        if cut {
            text += " This pass moves from the most over-full stores only (at most \(BalanceSources.maxStoresPerPass) stores' regions a pass); the others follow once this plan is done."
        }
        let skipped = targets.stores.map(\.id).filter { missed.contains($0) }
        if !skipped.isEmpty {
            text += " Not planned around: " + skipped.map { "store \($0)" }.joined(separator: ", ")
                + " (last heartbeat older than the \(Int(TargetLegality.heartbeatInterval))s interval)."
        }
        return text
    }

    /// Whether every store ends within its band once `moves` are done.
    static func balanced(_ targets: BalanceTargets, after moves: [BalanceMove]) -> Bool {
        var delta: [UInt64: Int] = [:]
        for m in moves {
            delta[m.from, default: 0] -= 1
            delta[m.to, default: 0] += 1
        }
        return targets.stores.allSatisfy { s in
            let c = s.count + (delta[s.id] ?? 0)
            return c >= s.lower && c <= s.upper
        }
    }

    /// Steps in (round, region id) order, in batches no larger than PD's schedule limit and the cluster's
    /// in-flight limit; a region's later move is always in a later batch (PD runs one operator per region).
    static func steps(_ kind: BalanceKind, _ moves: [BalanceMove], _ ctx: PlanningContext) -> [PlanStep] {
        let pdLimit = kind == .leaders ? ctx.snapshot.settings.leaderScheduleLimit : ctx.snapshot.settings.regionScheduleLimit
        let batchSize = max(1, min(pdLimit, ctx.spec.limits.maxInFlightSteps))
        let timeout = kind == .leaders ? ctx.spec.execution.fastStepTimeout : ctx.spec.execution.slowStepTimeout
        var steps: [PlanStep] = []
        steps.reserveCapacity(moves.count)
        var batch = 1, inBatch = 0
        var lastBatch: [UInt64: Int] = [:]
        for m in moves {
            if inBatch == batchSize || (m.round > 0 && lastBatch[m.regionID] == batch) {
                batch += 1
                inBatch = 0
            }
            inBatch += 1
            if kind == .regions { lastBatch[m.regionID] = batch }
            var step: PlanStep
            switch kind {
            case .leaders:
                step = PlanStep(name: "transfer-leader-\(m.regionID)", action: .transferLeader(region: m.regionID, from: m.from, to: m.to),
                                expectedEffect: "region \(m.regionID)'s leader is on store \(m.to)", timeout: timeout, batch: batch)
            case .regions:
                step = PlanStep(name: "move-peer-\(m.regionID)-from-\(m.from)", action: .transferPeer(region: m.regionID, from: m.from, to: m.to),
                                expectedEffect: "region \(m.regionID) has a peer on store \(m.to) and none on store \(m.from)",
                                timeout: timeout, batch: batch)
            }
            // Low risk means low risk: work sent to a store with a recent past waits for a person.
            if let why = ctx.cautionedTargets[m.to] {
                step.risk = max(step.risk, .medium)
                step.preconditions.append("target store \(m.to) needs a person's look: \(why)")
            }
            steps.append(step)
        }
        return steps
    }

    /// The moves that realise `quotas` over `regions`, sorted by region id. Pure and deterministic:
    /// the result depends on the set of regions, not on their order. With `placement`, PD's placement rules keep
    /// each region's leader (peers) off the stores they do not admit for it.
    public static func moves(_ kind: BalanceKind, quotas: BalanceTargets.Quotas, regions: [RegionPlacement],
                             alive: Set<UInt64>, regionsWithOperator: Set<UInt64>, placement: TargetLegality? = nil) -> [BalanceMove] {
        let giverIDs = quotas.givers.map(\.id)
        let receiverIDs = quotas.receivers.map(\.id)
        guard !giverIDs.isEmpty, !receiverIDs.isEmpty else { return [] }
        let giverIndex = StoreIndex(giverIDs)
        let receiverIndex = StoreIndex(receiverIDs)
        let rules = placement.flatMap { $0.snapshot.placement.enabled ? $0 : nil }
        // Per rule piece, the receivers (by index) its rules do not admit for a voter or a learner peer: a short list
        // each region of the piece adds to its excluded receivers, instead of a look-up per region and store.
        let barred: [(voter: [Int32], learner: [Int32])] = (rules?.admitted ?? []).map { admits in
            (receiverIDs.indices.filter { !admits[receiverIDs[$0], default: []].contains(.voter) }.map { Int32($0) },
             receiverIDs.indices.filter { !admits[receiverIDs[$0], default: []].contains(.learner) }.map { Int32($0) })
        }

        // Regions grouped into interchangeable sets: same givers holding them (for leaders: the
        // leader), same packed receiver set (for leaders the legal targets, for peers the receivers that
        // already hold a peer, the targets being all other receivers). Any region of a group can go from
        // any of its givers to any of its targets, so the group is one node of capacity = its size.
        struct GroupKey: Hashable, Comparable {
            var givers: UInt64
            var receivers: UInt64
            static func < (a: GroupKey, b: GroupKey) -> Bool { (a.givers, a.receivers) < (b.givers, b.receivers) }
        }
        func pack(_ values: inout [Int32], _ n: Int) -> UInt64 {
            // Insertion sort in place: n ≤ 4, and sorting a slice would copy it a million times.
            var i = 1
            while i < n {
                let v = values[i]
                var j = i - 1
                while j >= 0 && values[j] > v { values[j + 1] = values[j]; j -= 1 }
                values[j + 1] = v
                i += 1
            }
            var word: UInt64 = 0
            for i in 0..<n { word |= UInt64(values[i] + 1) << (16 * UInt64(i)) }
            return word
        }
        func unpack(_ word: UInt64) -> [Int] {
            (0..<maxPackedTargets).map { Int((word >> (16 * UInt64($0))) & 0xFFFF) }.prefix { $0 != 0 }.map { $0 - 1 }
        }
        var groupOf: [GroupKey: Int32] = [:]
        var groupRegions: [[UInt64]] = []
        var groupKeys: [GroupKey] = []
        var gs = [Int32](repeating: 0, count: maxPackedTargets)
        var rs = [Int32](repeating: 0, count: maxPackedTargets)

        let anyOperator = !regionsWithOperator.isEmpty
        for r in regions {
            guard !r.inJointState, !anyOperator || !regionsWithOperator.contains(r.id) else { continue }
            var ng = 0, nr = 0
            switch kind {
            case .leaders:
                let g = giverIndex(r.leaderStoreID)
                guard g >= 0 else { continue }
                gs[0] = g; ng = 1
                for s in r.voterStoreIDs where s != r.leaderStoreID && !r.unhealthyStoreIDs.contains(s)
                    && rules.map({ $0.placementAllows(region: r, store: s, as: .leader) }) ?? true {
                    let t = receiverIndex(s)
                    if t >= 0 && nr < maxPackedTargets { rs[nr] = t; nr += 1 }
                }
                guard nr > 0 else { continue }
            case .regions:
                guard r.leaderStoreID != 0, Quorum.hasQuorum(r, alive: alive) else { continue }
                var overflow = false
                var learnerGiver = false, voterGiver = false
                for s in r.storeIDs {
                    let g = giverIndex(s), t = receiverIndex(s)
                    if g >= 0 {
                        if ng == maxPackedTargets { overflow = true } else { gs[ng] = g; ng += 1 }
                        if r.learnerStoreIDs.contains(s) { learnerGiver = true } else { voterGiver = true }
                    }
                    if t >= 0 { if nr == maxPackedTargets { overflow = true } else { rs[nr] = t; nr += 1 } }
                }
                // Receivers the rules do not admit for a peer any giver could hand over are excluded like holders.
                if let rules, ng > 0 {
                    guard case .segment(let piece) = rules.snapshot.placement.lookup(r.keys), piece < barred.count else { continue }
                    for j in (voterGiver ? barred[piece].voter : []) + (learnerGiver ? barred[piece].learner : [])
                    where !r.storeIDs.contains(receiverIDs[Int(j)]) && !rs[0..<nr].contains(j) {
                        if nr == maxPackedTargets { overflow = true } else { rs[nr] = j; nr += 1 }
                    }
                }
                guard ng > 0, !overflow, nr < receiverIDs.count else { continue }
            }
            let key = GroupKey(givers: pack(&gs, ng), receivers: pack(&rs, nr))
            if let g = groupOf[key] {
                groupRegions[Int(g)].append(r.id)
            } else {
                groupOf[key] = Int32(groupKeys.count)
                groupKeys.append(key)
                groupRegions.append([r.id])
            }
        }

        // Groups in key order, so the flow does not depend on the order regions arrived in.
        let order = groupKeys.indices.sorted { groupKeys[$0] < groupKeys[$1] }

        // Network: source → giver → group in → group out → receiver → sink.
        let source = 0, sink = 1
        let giverNode = { (i: Int) in 2 + i }
        let receiverNode = { (j: Int) in 2 + giverIDs.count + j }
        var net = MaxFlow(nodes: 2 + giverIDs.count + receiverIDs.count)
        let giverEdges = quotas.givers.indices.map { net.addEdge(source, giverNode($0), capacity: quotas.givers[$0].must) }
        let receiverEdges = quotas.receivers.indices.map { net.addEdge(receiverNode($0), sink, capacity: quotas.receivers[$0].must) }
        var inEdges: [[(store: Int, edge: Int)]] = []
        var outEdges: [[(store: Int, edge: Int)]] = []
        inEdges.reserveCapacity(order.count)
        outEdges.reserveCapacity(order.count)
        for g in order {
            let key = groupKeys[g]
            let size = groupRegions[g].count
            let givers = unpack(key.givers)
            let listed = unpack(key.receivers)
            let targets = kind == .leaders ? listed : Array(Set(0..<receiverIDs.count).subtracting(listed)).sorted()
            // Each region moves at most once per giver and once per target, so a group carries up to
            // size × min(givers, targets) units (1 × size for leaders: a region has one leader).
            let groupIn = net.addNode(), groupOut = net.addNode()
            net.addEdge(groupIn, groupOut, capacity: size * min(givers.count, targets.count))
            inEdges.append(givers.map { i in (i, net.addEdge(giverNode(i), groupIn, capacity: size)) })
            outEdges.append(targets.map { j in (j, net.addEdge(groupOut, receiverNode(j), capacity: size)) })
        }
        _ = net.run(from: source, to: sink)
        for (i, q) in quotas.givers.enumerated() where q.may > q.must { net.raiseCapacity(ofEdge: giverEdges[i], by: q.may - q.must) }
        for (j, q) in quotas.receivers.enumerated() where q.may > q.must { net.raiseCapacity(ofEdge: receiverEdges[j], by: q.may - q.must) }
        _ = net.run(from: source, to: sink)

        // Deal each group's units to its regions in id order, cyclically: unit k goes to region k mod size.
        // A store's units are contiguous and at most `size`, so no region gets two units from one giver or
        // to one target, and every region gets as many sources as targets.
        var moves: [BalanceMove] = []
        for (position, g) in order.enumerated() {
            let ids = groupRegions[g].sorted()
            let from = inEdges[position].flatMap { Array(repeating: giverIDs[$0.store], count: net.flow(onEdge: $0.edge)) }
            let to = outEdges[position].flatMap { Array(repeating: receiverIDs[$0.store], count: net.flow(onEdge: $0.edge)) }
            for k in 0..<min(from.count, to.count) {
                moves.append(BalanceMove(regionID: ids[k % ids.count], from: from[k], to: to[k], round: k / ids.count))
            }
        }
        moves.sort { ($0.round, $0.regionID) < ($1.round, $1.regionID) }
        return moves
    }

    private static func number(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x)
    }
    private static func percent(_ x: Double) -> String {
        x.isFinite ? String(Int(x.rounded())) : "∞"
    }
}
