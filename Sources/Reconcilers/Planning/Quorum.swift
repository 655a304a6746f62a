/// Raft quorum arithmetic over region placements: a region commits only while a majority of its
/// voters is alive and healthy.
enum Quorum {
    static func majority(of voters: Int) -> Int { voters / 2 + 1 }

    /// Voters on alive stores whose peer is neither down nor pending.
    static func healthyVoters(_ r: RegionPlacement, alive: Set<UInt64>, excluding store: UInt64? = nil) -> Int {
        r.voterStoreIDs.reduce(0) { n, s in
            n + (s != store && alive.contains(s) && !r.unhealthyStoreIDs.contains(s) ? 1 : 0)
        }
    }

    static func hasQuorum(_ r: RegionPlacement, alive: Set<UInt64>) -> Bool {
        healthyVoters(r, alive: alive) >= majority(of: r.voterStoreIDs.count)
    }

    /// Regions with a voter on `store` that would have no healthy majority once that voter is gone
    /// (PD replaces a removed store's peers from the remaining ones, which needs a quorum), sorted.
    static func regionsLosingQuorum(without store: UInt64, regions: [RegionPlacement], alive: Set<UInt64>) -> [UInt64] {
        regions.filter { r in
            r.voterStoreIDs.contains(store)
                && healthyVoters(r, alive: alive, excluding: store) < majority(of: r.voterStoreIDs.count)
        }.map(\.id).sorted()
    }
}
