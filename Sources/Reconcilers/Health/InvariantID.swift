/// A health invariant's name, as in a ticket's `spec.invariant` and its dedup key (`storeDown/store/4`). Open: a
/// subject names its own invariants (`InvariantRegistry`); TiKV's are the static members below, named as in
/// `spec.invariants`. Tickets are stored by these names, so an id is its raw string alone, also when encoded.
public struct InvariantID: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let storeDown = InvariantID(rawValue: "storeDown")
    public static let storeFlapping = InvariantID(rawValue: "storeFlapping")
    public static let highLatency = InvariantID(rawValue: "highLatency")
    public static let lowSpace = InvariantID(rawValue: "lowSpace")
    public static let leaderSkew = InvariantID(rawValue: "leaderSkew")
    public static let regionSkew = InvariantID(rawValue: "regionSkew")
    public static let regionHealth = InvariantID(rawValue: "regionHealth")
    public static let regionsUnavailable = InvariantID(rawValue: "regionsUnavailable")
    public static let regionsAtRisk = InvariantID(rawValue: "regionsAtRisk")
    public static let writeStall = InvariantID(rawValue: "writeStall")
    public static let pdMembers = InvariantID(rawValue: "pdMembers")
    public static let leftoverScheduler = InvariantID(rawValue: "leftoverScheduler")
    public static let hotSpot = InvariantID(rawValue: "hotSpot")
    public static let replicaIsolation = InvariantID(rawValue: "replicaIsolation")

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public static func < (a: InvariantID, b: InvariantID) -> Bool { a.rawValue < b.rawValue }

    /// The name alone, as the enum this replaced printed in messages.
    public var description: String { rawValue }
}

/// What an invariant is judged on: the second half of a ticket's dedup key (`storeDown/store/4`).
public enum HealthSubject {
    public static let cluster = "cluster"
    public static func store(_ id: UInt64) -> String { "store/\(id)" }
    public static func member(_ name: String) -> String { "member/\(name)" }
    /// A `location-labels` level, e.g. `label/zone`.
    public static func labelLevel(_ name: String) -> String { "label/\(name)" }
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
