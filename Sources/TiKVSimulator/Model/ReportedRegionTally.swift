/// Counts over PD's reported regions kept in step with every report, so `regions/count` and the size and key
/// histograms (`regions/check/hist-size|hist-keys`, fetched on every steady-state observation) need no scan.
public struct ReportedRegionTally: Sendable, Equatable {
    /// Regions PD knows.
    public private(set) var known = 0
    /// Known regions by exact approximate size (MiB) and by exact approximate keys.
    public private(set) var bySize: [Int64: Int64] = [:]
    public private(set) var byKeys: [Int64: Int64] = [:]

    public init() {}

    mutating func update(old: RegionRecord, new: RegionRecord) {
        if old.known == new.known && (!new.known || (old.approximateSizeMiB == new.approximateSizeMiB
                                                     && old.approximateKeys == new.approximateKeys)) { return }
        known += (new.known ? 1 : 0) - (old.known ? 1 : 0)
        Self.move(&bySize, from: old.known ? Int64(old.approximateSizeMiB) : nil, to: new.known ? Int64(new.approximateSizeMiB) : nil)
        Self.move(&byKeys, from: old.known ? Int64(clamping: old.approximateKeys) : nil, to: new.known ? Int64(clamping: new.approximateKeys) : nil)
    }

    private static func move(_ counts: inout [Int64: Int64], from old: Int64?, to new: Int64?) {
        if let old {
            let left = (counts[old] ?? 0) - 1
            counts[old] = left > 0 ? left : nil
        }
        if let new { counts[new, default: 0] += 1 }
    }

    /// PD's histogram: (bucket start, count) for buckets of `bound`, in ascending order.
    public func histogram(sizes: Bool, bound: Int64) -> [(Int64, Int64)] {
        var buckets: [Int64: Int64] = [:]
        for (v, n) in sizes ? bySize : byKeys { buckets[v / bound * bound, default: 0] += n }
        return buckets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
