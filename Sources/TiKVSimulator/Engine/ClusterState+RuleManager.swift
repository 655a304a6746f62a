/// Changing the placement rules as PD's rule manager does (v8.5.7:pkg/schedule/placement/rule_manager.go):
/// every change validates each rule (`AdjustRule`), then commits only if the whole rule list still builds.
extension ClusterState {
    /// One `RuleOp` of `POST /config/rules/batch`.
    public enum RuleOp: Sendable {
        case add(PlacementRuleSet.Rule)
        case delete(PlacementRuleSet.RuleKey, byPrefix: Bool)
    }

    private var allStoreLabels: [[(key: String, value: String)]] { stores.map(\.labels) }

    private mutating func adjusted(_ rules: [PlacementRuleSet.Rule], groupId: String = "") throws(PDError) -> [PlacementRuleSet.Rule] {
        var out: [PlacementRuleSet.Rule] = []
        for var r in rules {
            try PlacementRuleSet.adjust(&r, groupId: groupId, storeLabels: allStoreLabels, maxReplicas: config.maxReplicas)
            out.append(r)
        }
        return out
    }

    /// `SetRule`/`SetRules`/`DeleteRule` (rule_manager.go:305-332, 538-555). Setting `pd/default` also sets
    /// max-replicas to its count (server/api/rule.go:274-285).
    public mutating func changeRules(set: [PlacementRuleSet.Rule], delete: [PlacementRuleSet.RuleKey]) throws(PDError) {
        let rules = try adjusted(set)
        try placement.commit(set: rules, delete: delete, nowSeconds: UInt64(nowNanos / Self.second))
        syncMaxReplicasFromDefaultRule()
    }

    /// `Batch` (rule_manager.go:580-618).
    public mutating func batchRules(_ ops: [RuleOp]) throws(PDError) {
        // Every added rule is checked first; then the operations land in one patch in order, so a later operation
        // on the same (group, id) wins, as in PD's patch map.
        var patch: [PlacementRuleSet.RuleKey: PlacementRuleSet.Rule?] = [:]
        var order: [PlacementRuleSet.RuleKey] = []
        func put(_ k: PlacementRuleSet.RuleKey, _ r: PlacementRuleSet.Rule?) {
            if patch[k] == nil { order.append(k) }
            patch[k] = .some(r)
        }
        var adds: [PlacementRuleSet.Rule] = []
        for op in ops { if case .add(let r) = op { adds += try adjusted([r]) } }
        var next = adds.makeIterator()
        for op in ops {
            switch op {
            case .add: if let r = next.next() { put(r.key, r) }
            case .delete(let k, let byPrefix):
                if byPrefix {
                    for key in placement.rules.keys.sorted() where key.group == k.group && key.id.hasPrefix(k.id) { put(key, nil) }
                } else {
                    put(k, nil)
                }
            }
        }
        let set = order.compactMap { patch[$0] ?? nil }
        let delete = order.filter { (patch[$0] ?? nil) == nil }
        try placement.commit(set: set, delete: delete, nowSeconds: UInt64(nowNanos / Self.second))
        syncMaxReplicasFromDefaultRule()
    }

    /// `SetAllGroupBundles` (rule_manager.go:715-757): with `override`, every old rule and group goes; otherwise
    /// only those of the groups given.
    public mutating func setAllGroupBundles(_ bundles: [(group: PlacementRuleSet.Group, rules: [PlacementRuleSet.Rule])],
                                            override: Bool) throws(PDError) {
        let ids = Set(bundles.map(\.group.id))
        let delete = placement.rules.keys.filter { override || ids.contains($0.group) }
        var groups = placement.groups.keys.filter { override || ids.contains($0) }.map { PlacementRuleSet.Group(id: $0) }
        var set: [PlacementRuleSet.Rule] = []
        for b in bundles {
            groups.append(b.group)
            set += try adjusted(b.rules, groupId: b.group.id)
        }
        let added = Set(set.map { PlacementRuleSet.RuleKey(group: $0.groupId, id: $0.id) })
        try placement.commit(set: set, delete: delete.filter { !added.contains($0) }, groups: groups, nowSeconds: UInt64(nowNanos / Self.second))
        syncMaxReplicasFromDefaultRule()
    }

    private mutating func syncMaxReplicasFromDefaultRule() {
        guard let d = placement.rules[PlacementRuleSet.RuleKey(group: "pd", id: "default")], d.count != config.maxReplicas else { return }
        try? config.set("replication.max-replicas", to: .int(Int64(d.count)))
    }
}
