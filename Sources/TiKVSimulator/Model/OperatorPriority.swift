/// PD's operator priority levels (v8.5.7:pkg/core/constant/kind.go:22-25). Only a strictly higher level replaces
/// a running operator (operator_controller.go:462, 522-524), and Urgent skips the store-limit check (1013-1021).
public enum OperatorPriority: Int, Sendable, Comparable {
    case low, medium, high, urgent

    public static func < (a: OperatorPriority, b: OperatorPriority) -> Bool { a.rawValue < b.rawValue }

    /// The level PD's producer sets, derived from kind and desc so every producer gets it without wiring:
    /// admin operators are Urgent (operator.go:93-96); evict-leader (evict_leader.go:385) and evict-slow-store
    /// (its operators are built by the same evict-leader code) Urgent; the rule checker's add/replace High
    /// (rule_checker.go:232, 307-310); hot-region High (hot_region.go:1544); shuffle-* Low; the rest Medium.
    public static func of(desc: String, kind: OpKind) -> OperatorPriority {
        if kind.contains(.admin) { return .urgent }
        switch desc {
        case "evict-leader-scheduler", "evict-slow-store-scheduler": return .urgent
        case "add-rule-peer", "add-rule-peer-fast-failover", "fix-demote-voter", "fix-leader-role": return .high
        default: break
        }
        if desc.hasPrefix("replace-rule-") || kind.contains(.hotRegion) { return .high }
        if desc.hasPrefix("shuffle-") { return .low }
        return .medium
    }
}
