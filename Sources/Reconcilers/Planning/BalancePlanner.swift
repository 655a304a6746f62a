import Foundation

/// What a balance plan evens out.
public enum BalanceKind: String, Sendable, CaseIterable {
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
}

/// Desired leader and region balance → a plan of transfer-leader (transfer-peer) steps.
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
/// leader, a healthy majority, no joint state and no operator in flight. A region moves at most once per plan.
public enum BalancePlanner {
    /// More targets than this per region (only with very high replica counts) are cut to the lowest ids
    /// for leaders, and make the region unmovable for peers.
    static let maxPackedTargets = 8

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
        let targets = targets(ctx, kind)
        guard targets.exceeds(maxSkewPercent: target.maxSkewPercent), let worst = targets.mostSkewed else { return nil }
        let quotas = targets.quotas
        let giverIDs = quotas.givers.map(\.id)
        let scope = RegionScope.stores(giverIDs)
        guard let regions = ctx.regions(covering: giverIDs) else {
            return PlannerOutcome(concern: kind.concern, decision: .undecided, regionScope: scope)
        }
        let moves = self.moves(kind, quotas: quotas, regions: regions, alive: ctx.aliveStores,
                               regionsWithOperator: ctx.regionsWithOperator)
        let skew = "store \(worst.id) holds \(worst.count) \(kind.noun), \(percent(BalanceTargets.skewPercent(worst)))% from its weighted share of \(number(worst.share)) (max \(number(target.maxSkewPercent))%)"
        guard !moves.isEmpty else {
            return PlannerOutcome(concern: kind.concern, decision: .vanished(reason: "NoLegalMove", message: "\(kind.noun) are out of balance (\(skew)) but no move is legal now"), regionScope: scope)
        }
        let needed = targets.lowerBound
        let count = moves.count == needed
            ? "\(moves.count) moves (the minimum) bring every store within ⌊share⌋…⌈share⌉"
            : "only \(moves.count) of the \(needed) moves needed are legal now"
        let spec = RemediationPlanSpec(
            cluster: ctx.clusterName, origin: .reconciler, concern: kind.concern,
            reason: "\(kind == .leaders ? "Leader" : "Region") skew: \(skew). \(count).",
            ticket: ctx.openTicket(invariant: kind.invariant, subject: "cluster")?.name,
            steps: steps(kind, moves, ctx))
        return PlannerOutcome(concern: kind.concern, decision: .desired(DesiredPlan(spec: spec)), regionScope: scope)
    }

    /// Steps in region-id order, in batches no larger than PD's schedule limit and the cluster's in-flight limit.
    static func steps(_ kind: BalanceKind, _ moves: [BalanceMove], _ ctx: PlanningContext) -> [PlanStep] {
        let pdLimit = kind == .leaders ? ctx.snapshot.settings.leaderScheduleLimit : ctx.snapshot.settings.regionScheduleLimit
        let batchSize = max(1, min(pdLimit, ctx.spec.limits.maxInFlightSteps))
        let timeout = kind == .leaders ? ctx.spec.execution.fastStepTimeout : ctx.spec.execution.slowStepTimeout
        var steps: [PlanStep] = []
        steps.reserveCapacity(moves.count)
        for (i, m) in moves.enumerated() {
            switch kind {
            case .leaders:
                steps.append(PlanStep(name: "transfer-leader-\(m.regionID)", action: .transferLeader(region: m.regionID, from: m.from, to: m.to),
                                      expectedEffect: "region \(m.regionID)'s leader is on store \(m.to)", timeout: timeout, batch: i / batchSize + 1))
            case .regions:
                steps.append(PlanStep(name: "move-peer-\(m.regionID)", action: .transferPeer(region: m.regionID, from: m.from, to: m.to),
                                      expectedEffect: "region \(m.regionID) has a peer on store \(m.to) and none on store \(m.from)",
                                      timeout: timeout, batch: i / batchSize + 1))
            }
        }
        return steps
    }

    /// The moves that realise `quotas` over `regions`, sorted by region id. Pure and deterministic:
    /// the result depends on the set of regions, not on their order.
    public static func moves(_ kind: BalanceKind, quotas: BalanceTargets.Quotas, regions: [RegionPlacement],
                             alive: Set<UInt64>, regionsWithOperator: Set<UInt64>) -> [BalanceMove] {
        let giverIDs = quotas.givers.map(\.id)
        let receiverIDs = quotas.receivers.map(\.id)
        guard !giverIDs.isEmpty, !receiverIDs.isEmpty else { return [] }
        let giverIndex = StoreIndex(giverIDs)
        let receiverIndex = StoreIndex(receiverIDs)

        // Regions grouped by (giver, packed receiver set): for leaders the set is the legal targets,
        // for peers the receivers that already hold a peer (the targets are all other receivers).
        struct GroupKey: Hashable { var giver: Int32; var lo: UInt64; var hi: UInt64 }
        var groupOf: [GroupKey: Int32] = [:]
        var groupRegions: [[UInt64]] = []
        var groupKeys: [GroupKey] = []
        var packed = [Int32](repeating: 0, count: maxPackedTargets)

        for r in regions {
            guard !r.inJointState, !regionsWithOperator.contains(r.id) else { continue }
            var giver: Int32 = -1
            var n = 0
            switch kind {
            case .leaders:
                giver = giverIndex(r.leaderStoreID)
                guard giver >= 0 else { continue }
                for s in r.voterStoreIDs where s != r.leaderStoreID && !r.unhealthyStoreIDs.contains(s) {
                    let t = receiverIndex(s)
                    if t >= 0 && n < maxPackedTargets { packed[n] = t; n += 1 }
                }
                guard n > 0 else { continue }
            case .regions:
                guard r.leaderStoreID != 0, Quorum.hasQuorum(r, alive: alive) else { continue }
                var overflow = false
                for s in r.storeIDs {
                    let g = giverIndex(s)
                    if g >= 0 && (giver < 0 || g < giver) { giver = g }
                    let t = receiverIndex(s)
                    if t >= 0 {
                        if n == maxPackedTargets { overflow = true } else { packed[n] = t; n += 1 }
                    }
                }
                guard giver >= 0, !overflow, n < receiverIDs.count else { continue }
            }
            var key = GroupKey(giver: giver, lo: 0, hi: 0)
            packed[0..<n].sort()
            for i in 0..<n {
                let v = UInt64(packed[i] + 1) << (16 * UInt64(i % 4))
                if i < 4 { key.lo |= v } else { key.hi |= v }
            }
            if let g = groupOf[key] {
                groupRegions[Int(g)].append(r.id)
            } else {
                groupOf[key] = Int32(groupKeys.count)
                groupKeys.append(key)
                groupRegions.append([r.id])
            }
        }

        // Groups in key order, so the flow does not depend on the order regions arrived in.
        let order = groupKeys.indices.sorted { a, b in
            let (x, y) = (groupKeys[a], groupKeys[b])
            return (x.giver, x.lo, x.hi) < (y.giver, y.lo, y.hi)
        }

        // Network: source → giver → group → receiver → sink.
        let source = 0, sink = 1
        let giverNode = { (i: Int) in 2 + i }
        let receiverNode = { (j: Int) in 2 + giverIDs.count + j }
        var net = MaxFlow(nodes: 2 + giverIDs.count + receiverIDs.count)
        let giverEdges = quotas.givers.indices.map { net.addEdge(source, giverNode($0), capacity: quotas.givers[$0].must) }
        let receiverEdges = quotas.receivers.indices.map { net.addEdge(receiverNode($0), sink, capacity: quotas.receivers[$0].must) }
        // Per group: (receiver index, edge) in receiver order.
        var groupEdges: [[(receiver: Int, edge: Int)]] = []
        groupEdges.reserveCapacity(groupKeys.count)
        for g in order {
            let key = groupKeys[g]
            let node = net.addNode()
            let size = groupRegions[g].count
            net.addEdge(giverNode(Int(key.giver)), node, capacity: size)
            var listed: [Int] = []
            for i in 0..<maxPackedTargets {
                let word = i < 4 ? key.lo : key.hi
                let v = Int((word >> (16 * UInt64(i % 4))) & 0xFFFF)
                if v == 0 { break }
                listed.append(v - 1)
            }
            let receivers = kind == .leaders ? listed : Array(Set(0..<receiverIDs.count).subtracting(listed)).sorted()
            groupEdges.append(receivers.map { j in (j, net.addEdge(node, receiverNode(j), capacity: size)) })
        }
        _ = net.run(from: source, to: sink)
        for (i, q) in quotas.givers.enumerated() where q.may > q.must { net.raiseCapacity(ofEdge: giverEdges[i], by: q.may - q.must) }
        for (j, q) in quotas.receivers.enumerated() where q.may > q.must { net.raiseCapacity(ofEdge: receiverEdges[j], by: q.may - q.must) }
        _ = net.run(from: source, to: sink)

        var moves: [BalanceMove] = []
        for (position, g) in order.enumerated() {
            let ids = groupRegions[g].sorted()
            var next = 0
            let from = giverIDs[Int(groupKeys[g].giver)]
            for (j, edge) in groupEdges[position] {
                for _ in 0..<net.flow(onEdge: edge) {
                    moves.append(BalanceMove(regionID: ids[next], from: from, to: receiverIDs[j]))
                    next += 1
                }
            }
        }
        moves.sort { $0.regionID < $1.regionID }
        return moves
    }

    private static func number(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x)
    }
    private static func percent(_ x: Double) -> String {
        x.isFinite ? String(Int(x.rounded())) : "∞"
    }
}
