/// PD's rule checker over non-default placement rules (v8.5.7:pkg/schedule/checker/rule_checker.go:94-153): per
/// region, orphan peers go once every rule is satisfied, then each rule in apply order is made up (`add-rule-peer`,
/// a learner for a learner rule), rid of down/offline peers, and its loosely matched peers fixed
/// (`fix-peer-role`, `fix-leader-role`, `fix-follower-role`). The default rule alone keeps the faster path in
/// `runRuleChecker`.
extension ClusterState {
    mutating func runRuleCheckerWithRules() {
        let removing = Set(stores.filter { $0.nodeState == .removing }.map { UInt32($0.id) })
        let down = Set(stores.filter { $0.state == .up && isDown($0) }.map { UInt32($0.id) })
        var budget = config.replicaScheduleLimit - operators.values.filter { $0.kind.contains(.replica) }.count
        guard budget > 0 else { return }
        for slot in reported.indices {
            guard budget > 0 else { break }
            let r = reported[slot]
            guard r.known, operators[r.id] == nil, !r.isInJointState, r.leader != nil else { continue }
            // A region spanning a rule boundary matches no rules: PD waits for it to be split.
            guard let rules = appliedRules(slot: slot), !rules.isEmpty else { continue }
            if checkRegionAgainstRules(slot: slot, r, rules, removing: removing, down: down) { budget -= 1 }
        }
    }

    /// One `CheckWithFit`; true when it added an operator.
    private mutating func checkRegionAgainstRules(slot: Int, _ r: RegionRecord, _ rules: [PlacementRuleSet.Rule],
                                                  removing: Set<UInt32>, down: Set<UInt32>) -> Bool {
        let (fits, orphans) = fitRegion(r, rules: rules)
        // `fixOrphanPeers` (:411-553), reduced: with every rule satisfied, an orphan goes; an orphan leader first
        // hands its leadership to a peer the rules let lead, as `CreateRemovePeerOperator` does.
        if !orphans.isEmpty, fits.allSatisfy({ $0.peers.count >= $0.rule.count }) {
            if let v = orphans.first(where: { $0.id != r.leaderPeerId }) {
                return (try? addOperator(slot: slot, desc: "remove-orphan-peer", brief: "rm peer: store [\(v.storeId)]",
                                         kind: [.replica, .region], steps: [.removePeer(store: v.storeId)])) != nil
            }
            if let v = orphans.first,
               let to = r.peers.first(where: { $0.id != v.id && !$0.pending && $0.downSeconds == 0 && ruleCheckerAllowsLeader($0, rules: rules) }) {
                return (try? addOperator(slot: slot, desc: "remove-orphan-peer", brief: "rm peer: store [\(v.storeId)]",
                                         kind: [.replica, .region, .leader],
                                         steps: [.transferLeader(from: v.storeId, to: to.storeId), .removePeer(store: v.storeId)])) != nil
            }
        }
        for rf in fits {
            // `addRulePeer` (:197-235): a learner for a learner rule, otherwise a learner promoted to voter.
            if rf.peers.count < rf.rule.count {
                guard let to = ruleTarget(for: r, rule: rf.rule) else { continue }
                let pid = allocId()
                var steps: [OpStep] = [.addLearner(peerId: pid, store: to)]
                if rf.rule.role != .learner { steps.append(.enterJoint(promote: [.init(peerId: pid, store: to)], demote: [])) }
                return (try? addOperator(slot: slot, desc: "add-rule-peer", brief: "add peer: store [\(to)]",
                                         kind: [.replica, .region], steps: steps)) != nil
            }
            // Down (past max-store-down-time) and offline peers are replaced within the rule (:159-195).
            for p in rf.peers {
                let status = down.contains(p.storeId) && p.downSeconds > 0 ? "down" : removing.contains(p.storeId) ? "offline" : nil
                guard let status, let to = ruleTarget(for: r, rule: rf.rule) else { continue }
                let (steps, kind) = movePeerSteps(r, from: p.storeId, to: to)
                return (try? addOperator(slot: slot, desc: "replace-rule-\(status)-peer", brief: "mv peer: store [\(p.storeId)] to [\(to)]",
                                         kind: kind.union(.replica), steps: steps)) != nil
            }
            // `fixLooseMatchPeer` (:314-369).
            for p in rf.looseRole {
                if p.role == .learner, rf.rule.role != .learner {
                    return (try? addOperator(slot: slot, desc: "fix-peer-role", brief: "promote peer: store [\(p.storeId)]",
                                             kind: [.region], steps: [.enterJoint(promote: [.init(peerId: p.id, store: p.storeId)], demote: [])])) != nil
                }
                if rf.rule.role == .leader, p.id != r.leaderPeerId, let from = r.leaderStoreId, ruleCheckerAllowsLeader(p, rules: rules) {
                    return (try? addOperator(slot: slot, desc: "fix-leader-role", brief: "transfer leader: store \(from) to \(p.storeId)",
                                             kind: [.leader], steps: [.transferLeader(from: from, to: p.storeId)])) != nil
                }
                if rf.rule.role == .follower, p.id == r.leaderPeerId,
                   let to = r.peers.first(where: { $0.id != p.id && !$0.pending && $0.downSeconds == 0 && ruleCheckerAllowsLeader($0, rules: rules) }) {
                    return (try? addOperator(slot: slot, desc: "fix-follower-role", brief: "transfer leader: store \(p.storeId) to \(to.storeId)",
                                             kind: [.leader], steps: [.transferLeader(from: p.storeId, to: to.storeId)])) != nil
                }
            }
        }
        return false
    }

    /// Keeps `pd/default`'s count equal to max-replicas after a config change.
    mutating func syncDefaultRuleCount() {
        let key = PlacementRuleSet.RuleKey(group: "pd", id: "default")
        guard var rule = placement.rules[key], rule.count != config.maxReplicas else { return }
        rule.count = config.maxReplicas
        try? placement.commit(set: [rule], delete: [], nowSeconds: UInt64(nowNanos / Self.second))
    }
}
