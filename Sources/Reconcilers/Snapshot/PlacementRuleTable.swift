import PDWire

/// PD's placement rules as one observation read them (`replication.enable-placement-rules` and
/// `GET /config/placement-rule`), arranged as PD's rule manager applies them: the key space cut at every rule's
/// start and end key, and for each piece the rules that apply there after group and rule overrides
/// (v8.5.7:pkg/schedule/placement/rule_list.go:62-128, rule.go:151-208, rangelist/builder.go).
public struct PlacementRuleTable: Sendable, Hashable {
    /// One rule, with its group's index and override (the apply order and overrides need them).
    public struct Rule: Sendable, Hashable {
        public var groupID: String
        public var id: String
        public var groupIndex: Int
        public var groupOverride: Bool
        public var index: Int
        public var override: Bool
        /// Upper-case hex of the raw key, as PD prints region keys; "" is the open end.
        public var startKey: String
        public var endKey: String
        /// `voter`, `leader`, `follower` or `learner`.
        public var role: String
        public var isWitness: Bool
        public var count: Int
        public var labelConstraints: [PlacementLabelConstraint]

        public init(groupID: String, id: String, groupIndex: Int = 0, groupOverride: Bool = false, index: Int = 0,
                    override: Bool = false, startKey: String = "", endKey: String = "", role: String, isWitness: Bool = false,
                    count: Int, labelConstraints: [PlacementLabelConstraint] = []) {
            self.groupID = groupID
            self.id = id
            self.groupIndex = groupIndex
            self.groupOverride = groupOverride
            self.index = index
            self.override = override
            self.startKey = startKey.uppercased()
            self.endKey = endKey.uppercased()
            self.role = role
            self.isWitness = isWitness
            self.count = count
            self.labelConstraints = labelConstraints
        }

        /// `group/id`, as pd-ctl names a rule.
        public var name: String { "\(groupID)/\(id)" }

        /// A peer matching this rule may lead (`Builder.allowLeader`, builder.go:930-940).
        public var mayLead: Bool { role == "leader" || role == "voter" }

        /// Whether a peer of this role may fill the rule: a voter fills leader, voter and follower rules, a learner
        /// only learner rules.
        public func admits(learner: Bool) -> Bool { learner ? role == "learner" : role != "learner" }

        /// `MatchLabelConstraints` (label_constraint.go:81-95): every constraint holds, and the store carries no
        /// exclusive label (`engine`, `exclusive`, `$…`) the constraints do not name.
        public func matches(_ labels: [String: String]) -> Bool {
            for key in labels.keys where Self.isExclusive(key) && !labelConstraints.contains(where: { $0.key == key }) { return false }
            return labelConstraints.allSatisfy { Self.holds($0, labels[$0.key] ?? "") }
        }

        /// `LabelConstraint.MatchStore` (label_constraint.go:53-67): a missing label is the empty value.
        static func holds(_ c: PlacementLabelConstraint, _ value: String) -> Bool {
            switch c.op {
            case "in": !value.isEmpty && c.values.contains(value)
            case "notIn": value.isEmpty || !c.values.contains(value)
            case "exists": !value.isEmpty
            case "notExists": value.isEmpty
            default: false
            }
        }

        static func isExclusive(_ key: String) -> Bool { key.hasPrefix("$") || key == "engine" || key == "exclusive" }

        /// `group/id (role ×count, constraints)` for refusals.
        public var summary: String {
            let constraints = labelConstraints.map { "\($0.key) \($0.op) [\($0.values.joined(separator: ","))]" }
            return "\(name) (\(role) ×\(count)\(constraints.isEmpty ? "" : ": " + constraints.joined(separator: ", ")))"
        }

        /// `compareRule` (rule.go:151-170): group index, group, index, id.
        static func applyOrder(_ a: Rule, _ b: Rule) -> Bool {
            (a.groupIndex, a.groupID, a.index, a.id) < (b.groupIndex, b.groupID, b.index, b.id)
        }
    }

    /// A piece of the key space from `start` to the next piece's start, and the rules PD applies there.
    public struct Segment: Sendable, Hashable {
        public var start: String
        public var apply: [Rule]
    }

    /// `replication.enable-placement-rules` (true by default since PD 5.0). When false PD checks no rule.
    public var enabled: Bool
    /// Every rule, in apply order; nil when they were not read.
    public private(set) var rules: [Rule]?
    public private(set) var segments: [Segment]

    public init(enabled: Bool = false, rules: [Rule]? = nil) {
        self.enabled = enabled
        self.rules = rules?.sorted(by: Rule.applyOrder)
        self.segments = rules.map(Self.segments) ?? []
    }

    /// `GET /config/placement-rule`'s bundles.
    public init(enabled: Bool, bundles: [PlacementRuleBundle]) {
        self.init(enabled: enabled, rules: bundles.flatMap { b in
            b.rules.map { r in
                Rule(groupID: r.groupID.isEmpty ? b.groupID : r.groupID, id: r.id, groupIndex: b.groupIndex, groupOverride: b.groupOverride,
                     index: r.index, override: r.override, startKey: r.startKey, endKey: r.endKey, role: r.role, isWitness: r.isWitness,
                     count: r.count, labelConstraints: r.labelConstraints)
            }
        })
    }

    /// PD checks rules and the controller holds them: only then do they bear on targets.
    public var inForce: Bool { enabled && rules != nil }

    /// Every rule spans the whole key space, so every region has the same rules and its keys are not needed.
    public var isUniform: Bool { segments.count <= 1 }

    /// Region keys must be kept on fetched regions to match the rules.
    public var needsRegionKeys: Bool { inForce && !isUniform }

    /// Where a region falls among the pieces.
    public enum Lookup: Sendable, Hashable {
        /// Inside piece `segments[i]`: its rules apply.
        case segment(Int)
        /// Across a piece boundary: PD applies no rule and builds no operator for it until it is split there.
        case spansBoundary
        /// The region's keys were not kept, and ranged rules need them.
        case keysUnknown
    }

    /// The piece a region with these keys falls in (`GetRulesForApplyRange`, rangelist `GetData`).
    public func lookup(_ keys: RegionKeyRange?) -> Lookup {
        if segments.count <= 1 { return segments.isEmpty ? .spansBoundary : .segment(0) }
        guard let keys else { return .keysUnknown }
        // The first piece starting after the region's start.
        var lo = 0, hi = segments.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if segments[mid].start <= keys.start { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return .spansBoundary }
        if lo < segments.count, keys.end.isEmpty || segments[lo].start < keys.end { return .spansBoundary }
        return .segment(lo - 1)
    }

    /// The rule list's pieces: a cut at every start and (non-empty) end key; each piece holds the rules covering it,
    /// reduced by `prepareRulesForApply`. Upper-case hex compares as the bytes do (digits sort before letters, and
    /// a prefix sorts first), so the hex is compared directly.
    static func segments(_ rules: [Rule]) -> [Segment] {
        var cuts = Set<String>()
        for r in rules {
            cuts.insert(r.startKey)
            if !r.endKey.isEmpty { cuts.insert(r.endKey) }
        }
        return cuts.sorted().map { start in
            let covering = rules.filter { $0.startKey <= start && ($0.endKey.isEmpty || start < $0.endKey) }.sorted(by: Rule.applyOrder)
            return Segment(start: start, apply: prepareForApply(covering))
        }
    }

    /// `prepareRulesForApply` (rule.go:179-208): a group with `group_override` drops every earlier group; a rule
    /// with `override` drops the earlier rules of its own group.
    static func prepareForApply(_ rules: [Rule]) -> [Rule] {
        guard !rules.isEmpty else { return [] }
        var result: [Rule] = []
        var j = 0
        for i in rules.indices.dropFirst() {
            if rules[j].groupID != rules[i].groupID {
                if rules[i].groupOverride { result.removeAll() } else { result += rules[j..<i] }
                j = i
            }
            if rules[i].override { j = i }
        }
        return result + rules[j...]
    }
}
