/// The slots of PD's reported regions that the steady-state region checks list, kept in step with every region
/// report so `regions/check/{down,pending,learner,miss,extra}-peer`, `empty-region` and `oversized-region`
/// answer from a few small sets instead of scanning a million regions under the cluster lock.
///
/// Only predicates that depend on the region alone are indexed. Peer counts are indexed for every count but the
/// usual 3, so miss/extra-peer are cheap whenever max-replicas is 3 (and fall back to a scan otherwise).
public struct RegionCheckIndex: Sendable, Equatable {
    /// The peer count left out of `byPeerCount` (nearly every region has it).
    static let commonPeerCount = 3

    public private(set) var down: Set<Int32> = []
    public private(set) var pending: Set<Int32> = []
    public private(set) var learner: Set<Int32> = []
    public private(set) var empty: Set<Int32> = []
    public private(set) var oversized: Set<Int32> = []
    /// Slots by peer count (index 0 … PeerList.capacity); the common count's set stays empty.
    public private(set) var byPeerCount: [Set<Int32>] = Array(repeating: [], count: PeerList.capacity + 1)

    public init() {}

    /// `empty-region`: at most 1 MiB.
    static func isEmpty(_ r: RegionRecord) -> Bool { r.approximateSizeMiB <= 1 }
    /// `oversized-region`: at least region-max-size (144 MiB) or region-max-keys (1,440,000).
    static func isOversized(_ r: RegionRecord) -> Bool { r.approximateSizeMiB >= 144 || r.approximateKeys >= 1_440_000 }

    /// Moves a slot between sets when a report changes what PD knows of its region (nil: not known to PD).
    mutating func update(slot: Int, old: RegionRecord?, new: RegionRecord?) {
        let s = Int32(slot)
        Self.move(s, in: &down, was: old?.hasDownPeers ?? false, is: new?.hasDownPeers ?? false)
        Self.move(s, in: &pending, was: old?.hasPendingPeers ?? false, is: new?.hasPendingPeers ?? false)
        Self.move(s, in: &learner, was: old.map(Self.hasLearner) ?? false, is: new.map(Self.hasLearner) ?? false)
        Self.move(s, in: &empty, was: old.map(Self.isEmpty) ?? false, is: new.map(Self.isEmpty) ?? false)
        Self.move(s, in: &oversized, was: old.map(Self.isOversized) ?? false, is: new.map(Self.isOversized) ?? false)
        let before = old.map(\.peers.count), after = new.map(\.peers.count)
        if before != after {
            if let b = before, b != Self.commonPeerCount { byPeerCount[b].remove(s) }
            if let a = after, a != Self.commonPeerCount { byPeerCount[a].insert(s) }
        }
    }

    static func hasLearner(_ r: RegionRecord) -> Bool { r.peers.contains { $0.role == .learner } }

    private static func move(_ s: Int32, in set: inout Set<Int32>, was: Bool, is now: Bool) {
        guard was != now else { return }
        if now { set.insert(s) } else { set.remove(s) }
    }
}
