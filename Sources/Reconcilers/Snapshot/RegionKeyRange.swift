/// A region's key range as PD prints it (upper-case hex of the raw keys; "" is the open end). Kept on fetched
/// regions only while ranged placement rules need it (`PlacementRuleTable.needsRegionKeys`), on the regions PD lists
/// as hot (a hot-spot plan splits them by range) and on the few regions steps in progress read.
public struct RegionKeyRange: Sendable, Hashable {
    public var start: String
    public var end: String

    public init(start: String, end: String) {
        self.start = start.uppercased()
        self.end = end.uppercased()
    }

    /// `[7480…, 7490…)`, the open ends as -∞ and +∞.
    public var text: String { "[\(start.isEmpty ? "-∞" : start), \(end.isEmpty ? "+∞" : end))" }

    /// Whether `other` lies inside this range (both in PD's hex, which compares as the bytes do).
    public func contains(_ other: RegionKeyRange) -> Bool {
        other.start >= start && (end.isEmpty || (!other.end.isEmpty && other.end <= end))
    }
}
