/// Placement rules as they bear on scheduling: which rules apply to a region, how its peers fit them
/// (v8.5.7:pkg/schedule/placement/fit.go, reduced to a greedy assignment), and who may lead.
extension ClusterState {
    /// The rules PD applies to the region in `slot` (`GetRulesForApplyRegion`); with placement rules disabled,
    /// nil (callers fall back to max-replicas voters).
    func appliedRules(slot: Int) -> [PlacementRuleSet.Rule]? {
        guard config.placementRulesEnabled else { return nil }
        if let u = placement.uniform { return u }
        return placement.applyRules(start: RegionKey.encodedKey(code: startCode(slot: slot)),
                                    end: RegionKey.encodedKey(code: endCode(slot: slot)))
    }

    func appliedRules(region r: RegionRecord) -> [PlacementRuleSet.Rule]? {
        guard config.placementRulesEnabled else { return nil }
        if let u = placement.uniform { return u }
        guard let slot = slotByRegionId[r.id] else { return [] }
        return appliedRules(slot: slot)
    }

    /// Region statistics' desired peer count (v8.5.7:pkg/statistics/region_collection.go:188-208): the sum of
    /// the applied rules' counts, learners included; max-replicas without placement rules.
    func desiredReplicas(slot: Int) -> Int {
        guard let rules = appliedRules(slot: slot) else { return config.maxReplicas }
        return rules.reduce(0) { $0 + $1.count }
    }

    /// The desired count when it is the same for every region (nil when ranged rules make it vary).
    var uniformDesiredReplicas: Int? {
        guard config.placementRulesEnabled else { return config.maxReplicas }
        return placement.uniform.map { $0.reduce(0) { $0 + $1.count } }
    }

    func storeLabels(_ storeId: UInt32) -> [(key: String, value: String)] {
        storeIndexById[UInt64(storeId)].map { stores[$0].labels } ?? []
    }

    /// The placement-rule half of `Builder.allowLeader` (v8.5.7:pkg/schedule/operator/builder.go:931-940): some
    /// applied rule whose role is leader or voter matches the store's labels; no applied rules, no restriction.
    func placementAllowsLeader(storeIndex i: Int, region r: RegionRecord) -> Bool {
        guard let rules = appliedRules(region: r), !rules.isEmpty else { return true }
        return Self.rulesAllowLeader(rules, labels: stores[i].labels)
    }

    static func rulesAllowLeader(_ rules: [PlacementRuleSet.Rule], labels: [(key: String, value: String)]) -> Bool {
        rules.contains { ($0.role == .leader || $0.role == .voter) && $0.matchesStore(labels) }
    }

    /// Whether any region could be led from this store under the rules: a cheap pre-filter for balance-leader's
    /// targets, so it never settles on a store (a TiFlash or reject-leader one) that no region may move to.
    func placementMayLead(storeIndex i: Int) -> Bool {
        guard config.placementRulesEnabled else { return true }
        return placement.segments.contains { Self.rulesAllowLeader($0.apply, labels: stores[i].labels) }
    }

    /// How a region's peers fill its rules (`RegionFit`): each rule in apply order takes unassigned peers on
    /// matching stores, first those already in the rule's role, then others (`PeersWithDifferentRole`).
    struct RuleFit {
        var rule: PlacementRuleSet.Rule
        var peers: [Peer]
        var looseRole: [Peer]
    }

    func fitRegion(_ r: RegionRecord, rules: [PlacementRuleSet.Rule]) -> (fits: [RuleFit], orphans: [Peer]) {
        var free = Array(r.peers)
        var fits: [RuleFit] = []
        for rule in rules {
            var fit = RuleFit(rule: rule, peers: [], looseRole: [])
            let role = rule.role ?? .voter
            func exact(_ p: Peer) -> Bool {
                switch role {
                case .voter: p.role == .voter
                case .leader: p.id == r.leaderPeerId
                case .follower: p.role == .voter && p.id != r.leaderPeerId
                case .learner: p.role == .learner
                }
            }
            for pass in 0..<2 where fit.peers.count < rule.count {
                var k = 0
                while k < free.count, fit.peers.count < rule.count {
                    let p = free[k]
                    if (pass == 0) == exact(p), rule.matchesStore(storeLabels(p.storeId)) {
                        fit.peers.append(p)
                        if pass == 1 { fit.looseRole.append(p) }
                        free.remove(at: k)
                    } else {
                        k += 1
                    }
                }
            }
            fits.append(fit)
        }
        return (fits, free)
    }

    /// The rule checker's `allowLeader` (v8.5.7:pkg/schedule/checker/rule_checker.go:371-390): a voter on a store
    /// that passes the leader-target filter and matches a leader or voter rule of the region.
    func ruleCheckerAllowsLeader(_ p: Peer, rules: [PlacementRuleSet.Rule]) -> Bool {
        guard p.role == .voter, let i = storeIndexById[UInt64(p.storeId)],
              storeFilterRefusal(.leaderTarget, storeIndex: i) == nil else { return false }
        return Self.rulesAllowLeader(rules, labels: stores[i].labels)
    }

    /// A store for a new peer of `rule`: passing the region-target filter, matching the rule's labels, holding no
    /// peer of `r`; the lowest region score.
    func ruleTarget(for r: RegionRecord, rule: PlacementRuleSet.Rule) -> UInt32? {
        stores.indices
            .filter { passes(.regionTarget, $0) && r.peers.index(ofStore: UInt32(stores[$0].id)) == nil && rule.matchesStore(stores[$0].labels) }
            .min(by: { regionScore(storeIndex: $0) < regionScore(storeIndex: $1) })
            .map { UInt32(stores[$0].id) }
    }
}
