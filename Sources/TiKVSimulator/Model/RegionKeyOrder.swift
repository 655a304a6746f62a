/// The key order of the regions, kept apart from where their records live.
///
/// Region records sit in stable slots (a slot never changes while its region exists), so everything that refers
/// to a region by slot (indices by id, per-store slot sets, pending reports) stays correct when regions split
/// or merge. Only this index is in key order: a split or merge inserts or removes one entry in two flat arrays,
/// an O(n) memmove of 12 bytes per region (about a millisecond at a million regions), and lookups by key are a
/// binary search over integer codes.
public struct RegionKeyOrder: Sendable {
    /// Start-key codes in key order (rank order). Code 0 is the open start.
    public private(set) var startCodes: [UInt64] = []
    /// The slot of the region at each rank.
    public private(set) var slots: [Int32] = []
    /// Per slot: the region's start and end codes (end 0 is the open end). Unused for vacant slots.
    private(set) var startOfSlot: [UInt64] = []
    private(set) var endOfSlot: [UInt64] = []

    public init() {}

    public var count: Int { slots.count }

    mutating func reserveCapacity(_ n: Int) {
        startCodes.reserveCapacity(n)
        slots.reserveCapacity(n)
        startOfSlot.reserveCapacity(n)
        endOfSlot.reserveCapacity(n)
    }

    /// Grows the per-slot arrays so `slot` is addressable.
    private mutating func ensureSlot(_ slot: Int) {
        while startOfSlot.count <= slot {
            startOfSlot.append(0)
            endOfSlot.append(0)
        }
    }

    /// Appends a region after the last one (building in key order); `start` must exceed the previous start.
    mutating func append(slot: Int, start: UInt64) {
        ensureSlot(slot)
        if let last = slots.last { endOfSlot[Int(last)] = start }
        startCodes.append(start)
        slots.append(Int32(slot))
        startOfSlot[slot] = start
        endOfSlot[slot] = 0
    }

    public func startCode(slot: Int) -> UInt64 { startOfSlot[slot] }
    public func endCode(slot: Int) -> UInt64 { endOfSlot[slot] }

    /// The rank of a region's slot: binary search for its start code.
    public func rank(ofSlot slot: Int) -> Int? {
        guard slot < startOfSlot.count else { return nil }
        let code = startOfSlot[slot]
        var lo = 0, hi = startCodes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if startCodes[mid] < code { lo = mid + 1 } else { hi = mid }
        }
        return lo < startCodes.count && startCodes[lo] == code && slots[lo] == Int32(slot) ? lo : nil
    }

    /// The rank of the region containing an encoded key (the last start key ≤ key).
    public func rank(containing key: [UInt8]) -> Int? {
        guard !startCodes.isEmpty else { return nil }
        if key.isEmpty { return 0 }
        var lo = 0, hi = startCodes.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            let start = RegionKey.encodedKey(code: startCodes[mid])
            if RegionKey.less(key, start) { hi = mid - 1 } else { lo = mid }
        }
        return lo
    }

    /// The rank of the region containing a key given as a code (codes sort like their keys).
    public func rank(containingCode code: UInt64) -> Int? {
        guard !startCodes.isEmpty else { return nil }
        var lo = 0, hi = startCodes.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if code < startCodes[mid] { hi = mid - 1 } else { lo = mid }
        }
        return lo
    }

    /// A split: the region at `slot` keeps `[mid, end)`; `newSlot` takes `[start, mid)` just before it in key order.
    mutating func split(slot: Int, at mid: UInt64, newSlot: Int) -> Bool {
        guard let r = rank(ofSlot: slot) else { return false }
        ensureSlot(newSlot)
        let start = startOfSlot[slot]
        startCodes.insert(start, at: r)
        slots.insert(Int32(newSlot), at: r)
        startCodes[r + 1] = mid
        startOfSlot[newSlot] = start
        endOfSlot[newSlot] = mid
        startOfSlot[slot] = mid
        return true
    }

    /// A merge: `target` takes over the range of the adjacent `source`, whose entry disappears.
    mutating func merge(source: Int, into target: Int) -> Bool {
        guard let rs = rank(ofSlot: source), let rt = rank(ofSlot: target), abs(rs - rt) == 1 else { return false }
        if rs < rt {
            // The source lies left of the target: the target now starts where the source started.
            let start = startOfSlot[source]
            startCodes.remove(at: rs)
            slots.remove(at: rs)
            startCodes[rs] = start
            startOfSlot[target] = start
        } else {
            startCodes.remove(at: rs)
            slots.remove(at: rs)
            endOfSlot[target] = endOfSlot[source]
        }
        return true
    }
}
