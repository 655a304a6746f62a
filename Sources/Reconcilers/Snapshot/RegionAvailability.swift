import PDWire

/// Which regions lost their Raft quorum, or are one failure from losing it, because voters sit on stores that are not
/// alive. Counted from the regions of those stores only (`GET /regions/store/{id}`): a region whose voters are all on
/// alive stores has its quorum whatever else happens, so the rest of the cluster is never downloaded.
///
/// A region is **unavailable** when, in its configuration (both configurations while it is in a joint state), the
/// voters on alive stores are fewer than a majority: it can elect no leader and commit nothing until those stores
/// return or PD's online unsafe recovery removes them. It is **at risk** when it still has its majority but exactly
/// one more failure of an alive voter loses it.
public struct RegionAvailability: Sendable, Hashable {
    /// Not-alive stores whose regions were read, sorted.
    public var storesRead: [UInt64]
    /// Not-alive stores left unread (beyond the observer's bound), sorted: the counts are then lower bounds.
    public var storesUnread: [UInt64]
    public var unavailableCount: Int
    public var atRiskCount: Int
    /// How many unavailable regions each set of not-alive stores took down, largest first: which stores must come
    /// back (or be removed) for which regions.
    public var unavailableByStores: [StoreSetCount]
    /// The first unavailable regions by id, with their key ranges (what data is out of reach), capped.
    public var unavailableSample: [LostRegion]

    public struct StoreSetCount: Sendable, Hashable {
        /// The not-alive stores holding the region's lost voters, sorted.
        public var stores: [UInt64]
        public var regions: Int
        public init(stores: [UInt64], regions: Int) {
            self.stores = stores
            self.regions = regions
        }
    }

    public struct LostRegion: Sendable, Hashable {
        public var id: UInt64
        /// Upper-case hex of the encoded keys, as PD prints them; "" is the start or end of the key space.
        public var startKey: String
        public var endKey: String
        /// Stores of the region's voters that are not alive, sorted.
        public var lostVoterStores: [UInt64]
        /// Stores of its voters that are alive, sorted (none: no replica survives anywhere).
        public var aliveVoterStores: [UInt64]
        public init(id: UInt64, startKey: String, endKey: String, lostVoterStores: [UInt64], aliveVoterStores: [UInt64]) {
            self.id = id
            self.startKey = startKey
            self.endKey = endKey
            self.lostVoterStores = lostVoterStores
            self.aliveVoterStores = aliveVoterStores
        }
    }

    public static let sampleCap = 20

    public init(storesRead: [UInt64] = [], storesUnread: [UInt64] = [], unavailableCount: Int = 0, atRiskCount: Int = 0,
                unavailableByStores: [StoreSetCount] = [], unavailableSample: [LostRegion] = []) {
        self.storesRead = storesRead
        self.storesUnread = storesUnread
        self.unavailableCount = unavailableCount
        self.atRiskCount = atRiskCount
        self.unavailableByStores = unavailableByStores
        self.unavailableSample = unavailableSample
    }

    /// Every not-alive store was read: the counts are exact.
    public var isExact: Bool { storesUnread.isEmpty }

    /// The not-alive stores holding lost voters of some unavailable region, sorted.
    public var storesHoldingLostVoters: [UInt64] {
        Array(Set(unavailableByStores.flatMap(\.stores))).sorted()
    }

    /// The tally over the regions read from the not-alive stores (a region listed by two of them counts once).
    /// `alive` holds the stores whose peers vote now: alive and not Tombstone.
    public static func tally(_ regions: [RegionInfo], alive: Set<UInt64>, storesRead: [UInt64], storesUnread: [UInt64]) -> RegionAvailability {
        var t = Tally(alive: alive)
        for r in regions { t.add(r) }
        return t.result(storesRead: storesRead, storesUnread: storesUnread)
    }

    /// Counts regions as they stream in, holding only their ids and a capped sample: the regions of a dead store are
    /// never kept whole.
    public struct Tally: Sendable {
        let alive: Set<UInt64>
        var seen = Set<UInt64>()
        var unavailable = 0, atRisk = 0
        var byStores: [[UInt64]: Int] = [:]
        var sample: [LostRegion] = []

        public init(alive: Set<UInt64>) { self.alive = alive }

        public mutating func add(_ r: RegionInfo) {
            guard seen.insert(r.id).inserted else { return }
            switch quorum(r, alive: alive) {
            case .lost:
                unavailable += 1
                let voters = r.peers.filter { $0.role.isVoter }.map(\.storeID)
                let lost = Array(Set(voters.filter { !alive.contains($0) })).sorted()
                byStores[lost, default: 0] += 1
                sample.append(LostRegion(id: r.id, startKey: r.startKey, endKey: r.endKey, lostVoterStores: lost,
                                         aliveVoterStores: Array(Set(voters.filter { alive.contains($0) })).sorted()))
                // Keep the lowest ids whatever order the stores listed them in.
                if sample.count > RegionAvailability.sampleCap * 2 { trimSample() }
            case .oneFailureAway: atRisk += 1
            case .safe: return
            }
        }

        private mutating func trimSample() {
            sample = Array(sample.sorted { $0.id < $1.id }.prefix(RegionAvailability.sampleCap))
        }

        public func result(storesRead: [UInt64], storesUnread: [UInt64]) -> RegionAvailability {
            let counts = byStores.map { StoreSetCount(stores: $0.key, regions: $0.value) }
                .sorted { $0.regions != $1.regions ? $0.regions > $1.regions : $0.stores.lexicographicallyPrecedes($1.stores) }
            return RegionAvailability(storesRead: storesRead.sorted(), storesUnread: storesUnread.sorted(), unavailableCount: unavailable,
                                      atRiskCount: atRisk, unavailableByStores: counts,
                                      unavailableSample: Array(sample.sorted { $0.id < $1.id }.prefix(RegionAvailability.sampleCap)))
        }
    }

    enum QuorumState { case lost, oneFailureAway, safe }

    /// Raft's rule: a majority of the voters of the configuration; in a joint state a majority of both the outgoing
    /// (Voter + DemotingVoter) and the incoming (Voter + IncomingVoter) configuration.
    static func quorum(_ r: RegionInfo, alive: Set<UInt64>) -> QuorumState {
        let configurations: [[UInt64]]
        if r.isInJointState {
            configurations = [r.peers.filter { $0.role == .voter || $0.role == .demotingVoter }.map(\.storeID),
                              r.peers.filter { $0.role == .voter || $0.role == .incomingVoter }.map(\.storeID)]
        } else {
            configurations = [r.peers.filter { $0.role.isVoter }.map(\.storeID)]
        }
        var state = QuorumState.safe
        for voters in configurations where !voters.isEmpty {
            let up = voters.filter { alive.contains($0) }.count
            let majority = voters.count / 2 + 1
            if up < majority { return .lost }
            if up == majority { state = .oneFailureAway }
        }
        return state
    }
}
