/// How much an action can hurt if it goes wrong; the approval policy is set per tier.
public enum RiskTier: String, Codable, Sendable, CaseIterable, Comparable, SpecEnum {
    /// Reversible within seconds and cheap: transfer a leader, remove a scheduler we added.
    case low
    /// Moves data or changes scheduling: move a peer, add an evict-leader scheduler.
    case medium
    /// Hard to undo or reduces redundancy: take a store offline.
    case high

    private var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }
    public static func < (a: RiskTier, b: RiskTier) -> Bool { a.rank < b.rank }
}
