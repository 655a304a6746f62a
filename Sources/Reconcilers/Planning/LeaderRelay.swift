import Foundation

/// Leader moves through a relay store, for when no direct move is legal: a leader can only go to a store
/// holding a voter of its region, and stores of one zone (or of a round-robin layout's far side) share no
/// region, so an over-full store may have nothing the under-full one can take. A store in its band that
/// shares regions with both then takes one of the giver's leaders and hands one of its own to the taker:
/// two moves of two different regions, independent of each other, so they run in the same batch.
enum LeaderRelay {
    struct Pair: Hashable {
        var from: UInt64
        var to: UInt64
    }

    /// Pairs of legal moves (giver → relay, relay → taker) until no store is out of its band or no relay
    /// is left; every region moves at most once. Deterministic: stores and regions in id order.
    static func moves(_ targets: BalanceTargets, regions: [RegionPlacement], regionsWithOperator: Set<UInt64>,
                      placement: TargetLegality? = nil) -> [BalanceMove] {
        var count = Dictionary(targets.stores.map { ($0.id, $0.count) }, uniquingKeysWith: { a, _ in a })
        let band = Dictionary(targets.stores.map { ($0.id, ($0.lower, $0.upper)) }, uniquingKeysWith: { a, _ in a })
        // Regions whose leader may move from one eligible store to another, by (leader, target), in id order.
        var candidates: [Pair: [UInt64]] = [:]
        for r in regions.sorted(by: { $0.id < $1.id }) where !r.inJointState && !regionsWithOperator.contains(r.id) && band[r.leaderStoreID] != nil {
            for v in r.voterStoreIDs where v != r.leaderStoreID && !r.unhealthyStoreIDs.contains(v) && band[v] != nil
                && placement.map({ $0.placementAllows(region: r, store: v, as: .leader) }) ?? true {
                candidates[Pair(from: r.leaderStoreID, to: v), default: []].append(r.id)
            }
        }
        var used = Set<UInt64>()
        var next: [Pair: Int] = [:]
        func peek(_ pair: Pair) -> UInt64? {
            guard let list = candidates[pair] else { return nil }
            var i = next[pair] ?? 0
            while i < list.count, used.contains(list[i]) { i += 1 }
            next[pair] = i
            return i < list.count ? list[i] : nil
        }
        let ids = targets.stores.map(\.id).sorted()
        var moves: [BalanceMove] = []
        var progress = true
        while progress {
            progress = false
            search: for giver in ids where (count[giver] ?? 0) > (band[giver]?.1 ?? .max) {
                for taker in ids where (count[taker] ?? 0) < (band[taker]?.0 ?? 0) {
                    for relay in ids where relay != giver && relay != taker {
                        guard let first = peek(Pair(from: giver, to: relay)), let second = peek(Pair(from: relay, to: taker)) else { continue }
                        used.insert(first)
                        used.insert(second)
                        moves.append(BalanceMove(regionID: first, from: giver, to: relay))
                        moves.append(BalanceMove(regionID: second, from: relay, to: taker))
                        count[giver, default: 0] -= 1
                        count[taker, default: 0] += 1
                        progress = true
                        break search
                    }
                }
            }
        }
        return moves
    }
}
