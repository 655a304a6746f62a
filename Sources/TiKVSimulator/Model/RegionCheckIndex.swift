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

    /// The checks a region matches, one bit each, plus its peer count in the high bits (0: not known to PD).
    /// Computed once per report so an unchanged region costs two small computations and one comparison.
    static func signature(_ r: RegionRecord) -> UInt16 {
        guard r.known else { return 0 }
        var down = false, pending = false, learner = false
        for p in r.peers {
            if p.downSeconds > 0 { down = true }
            if p.pending { pending = true }
            if p.role == .learner { learner = true }
        }
        var bits: UInt16 = 1
        if down { bits |= 2 }
        if pending { bits |= 4 }
        if learner { bits |= 8 }
        if isEmpty(r) { bits |= 16 }
        if isOversized(r) { bits |= 32 }
        return bits | UInt16(r.peers.count) << 8
    }

    /// Moves a slot between sets when a report changes what PD knows of its region.
    mutating func update(slot: Int, old: UInt16, new: UInt16) {
        guard old != new else { return }
        let s = Int32(slot)
        Self.move(s, in: &down, was: old & 2 != 0, is: new & 2 != 0)
        Self.move(s, in: &pending, was: old & 4 != 0, is: new & 4 != 0)
        Self.move(s, in: &learner, was: old & 8 != 0, is: new & 8 != 0)
        Self.move(s, in: &empty, was: old & 16 != 0, is: new & 16 != 0)
        Self.move(s, in: &oversized, was: old & 32 != 0, is: new & 32 != 0)
        let before = old & 1 != 0 ? Int(old >> 8) : nil, after = new & 1 != 0 ? Int(new >> 8) : nil
        if before != after {
            if let b = before, b != Self.commonPeerCount { byPeerCount[b].remove(s) }
            if let a = after, a != Self.commonPeerCount { byPeerCount[a].insert(s) }
        }
    }

    private static func move(_ s: Int32, in set: inout Set<Int32>, was: Bool, is now: Bool) {
        guard was != now else { return }
        if now { set.insert(s) } else { set.remove(s) }
    }
}
