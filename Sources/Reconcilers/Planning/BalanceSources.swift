import Foundation

/// Which stores a balance planner moves work between in one pass, and so whose region lists it downloads.
///
/// A region list is the one expensive read: at 1M regions over 100 stores a store's list is ~30,000 regions and
/// several MiB. Asking for every store above its floor made one store's death cost the lists of 91 stores in one
/// pass (≈49 s, RSS 48 → 239 MiB). So a planner asks only for the stores it will move from — each region lists
/// all its peers, so targets need no list of their own — most over-full first, at most `maxStoresPerPass`
/// stores and about `maxRegionsPerPass` regions (by PD's per-store region counts). What does not fit waits:
/// the plan balances the chosen stores, and once it is done the next pass finds what is left and asks again.
///
/// A store that missed its last heartbeat (`missedHeartbeat`) is neither a source nor a target: it may be
/// dying, and every count around it is about to change.
enum BalanceSources {
    /// Stores whose regions one balance planner downloads in one pass.
    static let maxStoresPerPass = 8
    /// Regions (Σ of PD's region counts of the chosen stores) one balance planner downloads in one pass; the
    /// first store is always taken, whatever its size.
    static let maxRegionsPerPass = 250_000

    /// Stores whose last heartbeat is too old when the store list was asked for: TiKV heartbeats every 10 s, so past `missedHeartbeatAge` (15 s) one has been missed. Not at 10 s exactly: a
    /// heartbeat's age runs up to the interval plus its delivery delay, so a healthy store reads a few ms past 10 s now
    /// and then, and dropping it from one pass's plan would revise the plan and lose its approvals. (`TargetLegality`
    /// refuses targets only past two intervals, PD's Disconnected line; planning around a store is given up earlier.)
    static func missedHeartbeat(_ snapshot: ClusterSnapshot) -> Set<UInt64> {
        Set(snapshot.stores.filter { s in
            guard !s.isTombstone, let age = s.heartbeatAge(at: snapshot.observedAt) else { return false }
            return age > missedHeartbeatAge
        }.map(\.id))
    }

    /// One interval and a half: the next heartbeat is late by half an interval, far beyond delivery jitter.
    static let missedHeartbeatAge = 1.5 * TargetLegality.heartbeatInterval

    /// The quotas a pass plans with: givers and receivers without `excluded`, and only the givers this pass
    /// moves from, within the per-pass bounds: those that must shed first (most over their ceiling first), then
    /// those that may (most room to give first). Within the bounds every giver is kept, so legal moves reach as
    /// far as with all of them; `cut` is true when a giver was left for a later pass.
    static func choose(_ quotas: BalanceTargets.Quotas, regionCounts: [UInt64: Int], excluded: Set<UInt64>)
        -> (quotas: BalanceTargets.Quotas, cut: Bool)
    {
        let receivers = quotas.receivers.filter { !excluded.contains($0.id) }
        let candidates = quotas.givers.filter { !excluded.contains($0.id) }
            .sorted { ($0.must, $0.may, $1.id) > ($1.must, $1.may, $0.id) }
        var chosen: [(id: UInt64, must: Int, may: Int)] = []
        var regions = 0
        for g in candidates {
            let size = regionCounts[g.id] ?? 0
            guard chosen.count < maxStoresPerPass, chosen.isEmpty || regions + size <= maxRegionsPerPass else { break }
            chosen.append(g)
            regions += size
        }
        return (BalanceTargets.Quotas(givers: chosen.sorted { $0.id < $1.id }, receivers: receivers), chosen.count < candidates.count)
    }

    /// The stores a leader relay needs the lists of: the over-full stores (their leaders leave), the under-full
    /// ones (a relay's region with a voter on one of them is on its list), then the others as relays, within
    /// the same bounds.
    static func relay(_ targets: BalanceTargets, regionCounts: [UInt64: Int], excluded: Set<UInt64>) -> [UInt64] {
        let stores = targets.stores.filter { !excluded.contains($0.id) }
        let over = stores.filter { $0.count > $0.upper }.sorted { ($0.excess, $1.id) > ($1.excess, $0.id) }
        let under = stores.filter { $0.count < $0.lower }.sorted { ($0.deficit, $1.id) > ($1.deficit, $0.id) }
        let rest = stores.filter { $0.count >= $0.lower && $0.count <= $0.upper }.sorted { $0.id < $1.id }
        var chosen: [UInt64] = []
        var regions = 0
        for s in over + under + rest {
            let size = regionCounts[s.id] ?? 0
            guard chosen.count < maxStoresPerPass, chosen.isEmpty || regions + size <= maxRegionsPerPass else { break }
            chosen.append(s.id)
            regions += size
        }
        return chosen.sorted()
    }
}
