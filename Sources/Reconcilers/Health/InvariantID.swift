/// The health invariants, named as in `spec.invariants` and in a ticket's `spec.invariant`.
public enum InvariantID: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    case storeDown
    case storeFlapping
    case highLatency
    case lowSpace
    case leaderSkew
    case regionSkew
    case regionHealth
    case writeStall
    case pdMembers
    case leftoverScheduler
    case hotSpot

    public static func < (a: InvariantID, b: InvariantID) -> Bool { a.rawValue < b.rawValue }
}

/// What an invariant is judged on: the second half of a ticket's dedup key (`storeDown/store/4`).
public enum HealthSubject {
    public static let cluster = "cluster"
    public static func store(_ id: UInt64) -> String { "store/\(id)" }
    public static func member(_ name: String) -> String { "member/\(name)" }
    /// PD names the per-store part of its single evict-leader scheduler `evict-leader-scheduler-<id>`
    /// (`DELETE /schedulers/evict-leader-scheduler-<id>` removes it), so the subject uses that name.
    public static func evictLeaderScheduler(store id: UInt64) -> String { "scheduler/evict-leader-scheduler-\(id)" }

    /// The store id of a `store/N` or `scheduler/evict-leader-scheduler-N` subject.
    public static func storeID(of subject: String) -> UInt64? {
        for prefix in ["store/", "scheduler/evict-leader-scheduler-"] where subject.hasPrefix(prefix) {
            return UInt64(subject.dropFirst(prefix.count))
        }
        return nil
    }
}
