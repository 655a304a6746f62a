import PDWire

/// PD's rule manager state (v8.5.7:pkg/schedule/placement/rule_manager.go, config.go, rule_list.go): the rules by
/// (group, id), the rule groups, and the rules that apply to each key range, rebuilt on every change.
///
/// The common case — rules that all span the whole key space — keeps one apply list (`uniform`), so the rule
/// checker and the region statistics read it without touching region keys; `isDefaultOnly` marks PD's
/// bootstrap rule alone, where the simulator keeps its max-replicas fast path.
public struct PlacementRuleSet: Sendable {
    public private(set) var rules: [RuleKey: Rule] = [:]
    /// Every rule's group plus stored non-default groups (`ruleConfig.adjust`, config.go:36-53).
    public private(set) var groups: [String: Group] = [:]
    /// `ruleList.ranges`: start key and the rules applied there (after group/index override).
    private(set) var segments: [(start: [UInt8], apply: [Rule])] = []

    /// PD's bootstrap rule (rule_manager.go:95-139): `pd/default`, `count` voters.
    public static func initial(maxReplicas: Int, createTimestamp: UInt64) -> PlacementRuleSet {
        var s = PlacementRuleSet()
        var r = Rule(groupId: "pd", id: "default", role: .voter, count: maxReplicas)
        r.createTimestamp = createTimestamp
        s.rules[r.key] = r
        s.groups["pd"] = Group(id: "pd")
        // One rule over the whole key space always builds.
        s.segments = [(start: [], apply: [r])]
        return s
    }

    /// The apply list when it is the same for every region.
    var uniform: [Rule]? { segments.count == 1 ? segments[0].apply : nil }

    /// Only `pd/default`: voters without label constraints.
    var isDefaultOnly: Bool {
        guard rules.count == 1, let r = rules.values.first else { return false }
        return r.groupId == "pd" && r.id == "default" && r.role == .voter && r.labelConstraints.isEmpty && r.coversAllKeys
    }

    /// `GetAllRules`, sorted by (group index, group, index, id) as `sortRules` does (rule.go:151-177).
    public var sortedRules: [Rule] { rules.values.sorted(by: ruleOrder) }

    func ruleOrder(_ a: Rule, _ b: Rule) -> Bool {
        let ga = groups[a.groupId]?.index ?? 0, gb = groups[b.groupId]?.index ?? 0
        return (ga, a.groupId, a.index, a.id) < (gb, b.groupId, b.index, b.id)
    }

    /// The rules PD applies to a region with these encoded keys (`GetRulesForApplyRegion`): empty when the region
    /// spans a range boundary, as PD answers until the region is split there.
    func applyRules(start: [UInt8], end: [UInt8]) -> [Rule] {
        if let u = uniform { return u }
        guard let i = segments.lastIndex(where: { !start.lexicographicallyPrecedes($0.start) }) else { return [] }
        if i + 1 < segments.count {
            let next = segments[i + 1].start
            if end.isEmpty || next.lexicographicallyPrecedes(end) { return [] }
        }
        return segments[i].apply
    }

    // MARK: changes

    static func ruleContent(_ s: String) -> PDError { PDError(400, "[PD:placement:ErrRuleContent]invalid rule content, \(s)") }
    static func hexError(_ s: String) -> PDError { PDError(400, "[PD:hex:ErrHexDecodingString]decode string \(s) error") }

    /// `AdjustRule` (rule_manager.go:219-288): decodes the keys and checks the rule; `groupId` fills an empty group.
    /// `storeLabels` are the known stores' labels (a rule that matches none is refused).
    static func adjust(_ r: inout Rule, groupId: String, storeLabels: [[(key: String, value: String)]], maxReplicas: Int) throws(PDError) {
        guard let start = decodeHex(r.startKeyHex) else { throw hexError(r.startKeyHex) }
        guard let end = decodeHex(r.endKeyHex) else { throw hexError(r.endKeyHex) }
        r.startKey = start
        r.endKey = end
        if !end.isEmpty, !start.lexicographicallyPrecedes(end) { throw ruleContent("endKey should be greater than startKey") }
        if !groupId.isEmpty {
            if r.groupId.isEmpty { r.groupId = groupId }
            else if r.groupId != groupId { throw ruleContent("rule group \(r.groupId) does not match group ID \(groupId)") }
        }
        if r.groupId.isEmpty { throw ruleContent("group ID should not be empty") }
        if r.id.isEmpty { throw ruleContent("ID should not be empty") }
        guard let role = r.role else { throw ruleContent("invalid role \(r.roleText)") }
        if r.count <= 0 { throw ruleContent("invalid count \(r.count)") }
        if role == .leader && r.count > 1 { throw ruleContent("define multiple leaders by count \(r.count)") }
        if r.isWitness && r.count > maxReplicas / 2 { throw ruleContent("define too many witness by count \(r.count)") }
        for c in r.labelConstraints {
            if !["in", "notIn", "exists", "notExists"].contains(c.op) { throw ruleContent("invalid op \(c.op)") }
            if r.isWitness && c.key == "engine" && c.values.contains("tiflash") { throw ruleContent("witness can't combine with tiflash") }
        }
        // `checkRule` (rule_manager.go:829-834).
        if !storeLabels.isEmpty, !storeLabels.contains(where: { r.matchesStore($0) }) {
            throw ruleContent("rule '\(r.id)' from rule group '\(r.groupId)' can not match any store")
        }
    }

    /// `TryCommitPatchLocked` + `commit` (rule_manager.go:483-503, config.go:157-181): applies the patch only if
    /// the resulting rule list builds; a changed rule's version goes up by one and keeps its create time.
    mutating func commit(set: [Rule], delete: [RuleKey], groups newGroups: [Group] = [], nowSeconds: UInt64) throws(PDError) {
        var next = self
        for k in delete { next.rules[k] = nil }
        for g in newGroups { next.groups[g.id] = g }
        for var r in set {
            if let old = rules[r.key] {
                var probe = r
                probe.version = old.version
                probe.createTimestamp = old.createTimestamp
                if probe == old { next.rules[r.key] = old; continue }
                r.version = old.version + 1
                r.createTimestamp = old.createTimestamp
            } else {
                r.createTimestamp = nowSeconds
            }
            next.rules[r.key] = r
        }
        // Default groups are kept only while they have rules (config.go:36-53).
        next.groups = next.groups.filter { !$0.value.isDefault }
        for r in next.rules.values where next.groups[r.groupId] == nil { next.groups[r.groupId] = Group(id: r.groupId) }
        try next.rebuild()
        self = next
    }

    /// `buildRuleList` (rule_list.go:66-117) with `prepareRulesForApply` (rule.go:191-208) and `checkApplyRules`
    /// (rule_list.go:28-45).
    mutating func rebuild() throws(PDError) {
        func fail(_ s: String) -> PDError { PDError(500, "[PD:placement:ErrBuildRuleList]build rule list failed, \(s)") }
        guard !rules.isEmpty else { throw fail("no rule left") }
        var bounds: [[UInt8]] = [[]]
        for r in rules.values {
            bounds.append(r.startKey)
            if !r.endKey.isEmpty { bounds.append(r.endKey) }
        }
        bounds.sort { $0.lexicographicallyPrecedes($1) }
        var unique: [[UInt8]] = []
        for b in bounds where unique.last != b { unique.append(b) }
        let ordered = sortedRules
        var segs: [(start: [UInt8], apply: [Rule])] = []
        for (i, start) in unique.enumerated() {
            let end = i + 1 < unique.count ? unique[i + 1] : []
            let covering = ordered.filter { r in
                !start.lexicographicallyPrecedes(r.startKey) && (r.endKey.isEmpty || start.lexicographicallyPrecedes(r.endKey))
            }
            let range = "{\(RegionKey.hexString(start)), \(RegionKey.hexString(end))}"
            guard !covering.isEmpty else { throw fail("no rule for range \(range)") }
            let apply = prepareForApply(covering)
            let leaders = apply.filter { $0.role == .leader }.reduce(0) { $0 + $1.count }
            let voters = apply.filter { $0.role == .voter }.reduce(0) { $0 + $1.count }
            if leaders > 1 { throw fail("multiple leader replicas for range \(range)") }
            if leaders + voters < 1 { throw fail("needs at least one leader or voter for range \(range)") }
            // Adjacent ranges with the same rules are one range in PD's range list.
            if let last = segs.last, last.apply == apply { continue }
            segs.append((start: start, apply: apply))
        }
        segments = segs
    }

    /// `prepareRulesForApply`: a group with `override` drops every earlier group; a rule with `override` drops the
    /// earlier rules of its group.
    private func prepareForApply(_ sorted: [Rule]) -> [Rule] {
        guard !sorted.isEmpty else { return [] }
        var res: [Rule] = []
        var j = 0
        for i in 1..<sorted.count {
            if sorted[j].groupId != sorted[i].groupId {
                if groups[sorted[i].groupId]?.override == true { res = [] } else { res += sorted[j..<i] }
                j = i
            }
            if sorted[i].override { j = i }
        }
        return res + sorted[j...]
    }

    // MARK: rendering

    /// `GetAllGroupBundles` (rule_manager.go:669-696): groups by (index, id), each with its sorted rules.
    var bundlesJSON: JSONValue {
        let gs = groups.values.sorted { ($0.index, $0.id) < ($1.index, $1.id) }
        let ordered = sortedRules
        return .array(gs.map { g in
            let rs = ordered.filter { $0.groupId == g.id }
            return .object([("group_id", .string(g.id)), ("group_index", .int(Int64(g.index))), ("group_override", .bool(g.override)),
                            ("rules", rs.isEmpty ? .null : .array(rs.map(\.json)))])
        })
    }
}

/// Go's `hex.DecodeString` (either case); nil on odd length or a non-hex digit.
func decodeHex(_ s: String) -> [UInt8]? {
    let u = Array(s.utf8)
    guard u.count % 2 == 0 else { return nil }
    func nib(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }
    var out: [UInt8] = []
    out.reserveCapacity(u.count / 2)
    var i = 0
    while i < u.count {
        guard let h = nib(u[i]), let l = nib(u[i + 1]) else { return nil }
        out.append(h << 4 | l)
        i += 2
    }
    return out
}
