/// PD's region statistics (`statistics.RegionStatistics`, v8.5.7:pkg/statistics/region_collection.go): which
/// regions each `regions/check/*` list holds. PD refreshes a region's entry only when a heartbeat is saved to
/// the cache (meta, leader, flow, size, down/pending peers changed; v8.5.7:server/cluster/cluster.go:1235-1318)
/// or `RegionStatsNeedUpdate` fires (region_collection.go:151-174), so the lists lag store-state and config
/// changes. The sets are kept per slot, so a report costs O(1) and a query touches only the regions it lists.
public struct RegionCheckIndex: Sendable, Equatable {
    /// One bit per statistic, as `RegionStatisticType`; `observed` marks a region PD has observed since it became
    /// leader (region_collection.go:176-182).
    public struct Bits: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        static let observed = Bits(rawValue: 1), down = Bits(rawValue: 2), pending = Bits(rawValue: 4)
        static let learner = Bits(rawValue: 8), empty = Bits(rawValue: 16), oversized = Bits(rawValue: 32)
        static let undersized = Bits(rawValue: 64), miss = Bits(rawValue: 128), extra = Bits(rawValue: 256)
        static let offline = Bits(rawValue: 512)
        static let all: [Bits] = [.down, .pending, .learner, .empty, .oversized, .undersized, .miss, .extra, .offline]
    }

    /// Statistics bits per slot (empty: not observed).
    public private(set) var bits: [Bits] = []
    /// Slots per statistic, in `Bits.all` order.
    private var sets: [Set<Int32>] = Array(repeating: [], count: Bits.all.count)

    public init() {}

    /// `empty-region`: at most 1 MiB (`core.EmptyRegionApproximateSize`, region_collection.go:250).
    static func isEmpty(_ r: RegionRecord) -> Bool { r.approximateSizeMiB <= 1 }
    /// `oversized-region`: at least region-max-size (144 MiB) or region-max-keys (1,440,000).
    static func isOversized(_ r: RegionRecord) -> Bool { r.approximateSizeMiB >= 144 || r.approximateKeys >= 1_440_000 }

    public func slots(_ b: Bits) -> Set<Int32> {
        guard let k = Bits.all.firstIndex(of: b) else { return [] }
        return sets[k]
    }

    public func isObserved(slot: Int) -> Bool { slot < bits.count && bits[slot].contains(.observed) }
    public func has(_ b: Bits, slot: Int) -> Bool { slot < bits.count && bits[slot].contains(b) }
    public var observedCount: Int { observed }
    private var observed = 0

    /// `Observe` (region_collection.go:185-319): the region's entry becomes exactly `new` (which includes `.observed`).
    mutating func set(slot: Int, _ new: Bits) {
        if slot >= bits.count { bits.append(contentsOf: repeatElement([], count: slot + 1 - bits.count)) }
        let old = bits[slot]
        guard old != new else { return }
        if old.contains(.observed) != new.contains(.observed) { observed += new.contains(.observed) ? 1 : -1 }
        bits[slot] = new
        let s = Int32(slot)
        for (k, b) in Bits.all.enumerated() where old.contains(b) != new.contains(b) {
            if new.contains(b) { sets[k].insert(s) } else { sets[k].remove(s) }
        }
    }

    /// `ClearDefunctRegion` (region_collection.go:322-331): a region merged away or gone.
    mutating func clear(slot: Int) { set(slot: slot, []) }
}
