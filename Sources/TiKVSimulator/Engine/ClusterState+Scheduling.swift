/// PD-like schedulers (evict-leader, balance-leader, balance-region) and the rule checker.
extension ClusterState {
    public func leaderScore(storeIndex i: Int, delta: Double = 0) -> Double {
        StoreScore.leader(count: storeStats[i].leaderCount, size: storeStats[i].leaderSize,
                          weight: stores[i].leaderWeight, bySize: config.leaderPolicyIsSize, delta: delta)
    }

    public func regionScore(storeIndex i: Int, delta: Double = 0) -> Double {
        StoreScore.regionV2(availableBytes: stores[i].reportedAvailable, capacityBytes: stores[i].reportedCapacity,
                            regionSizeMiB: storeStats[i].regionSize, weight: stores[i].regionWeight,
                            lowSpaceRatio: config.lowSpaceRatio, delta: delta)
    }

    /// Whether PD's store state filter lets store `i` play `scope` (filters.go:490-512): every scheduler and the
    /// rule checker pick sources and targets through it, so limits, busy and snapshot counts throttle them as in PD.
    func passes(_ scope: StoreFilterScope, _ i: Int) -> Bool { storeFilterRefusal(scope, storeIndex: i) == nil }

    func operatorCount(desc: String) -> Int { operators.values.filter { $0.desc == desc }.count }

    /// PD's schedulers in a fixed order each tick. They share the store state filter and the placement rules
    /// through `allowLeader`, so no scheduler moves a leader onto an evicted, slow-evicted, stopping, busy or
    /// reject-leader store.
    mutating func runSchedulers() {
        if schedulers.isActive("evict-leader-scheduler", now: nowNanos) {
            scheduleEvictLeaderBatch(name: "evict-leader-scheduler", stores: schedulers.evictLeaderStores, batch: schedulers.evictLeaderBatch)
        }
        if schedulers.isActive("evict-slow-store-scheduler", now: nowNanos) { runEvictSlowStore() }
        if schedulers.isActive("label-scheduler", now: nowNanos) { runLabelScheduler() }
        if schedulers.isActive("balance-leader-scheduler", now: nowNanos) { runBalanceLeader() }
        if schedulers.isActive("balance-region-scheduler", now: nowNanos) { runBalanceRegion() }
        if nowNanos / Self.second % 10 == 0, schedulers.isActive("balance-hot-region-scheduler", now: nowNanos) { runHotRegion() }
    }

    /// Scans the reported view from a rotating cursor for up to `budget` regions matching `pick`.
    mutating func scanRegions(limit: Int, budget: Int = 200_000, _ pick: (Int, RegionRecord) -> Bool) -> [Int] {
        var found: [Int] = []
        let n = reported.count
        guard n > 0 else { return found }
        var visited = 0
        while visited < min(n, budget), found.count < limit {
            let s = (scanCursor + visited) % n
            let r = reported[s]
            if r.known, operators[r.id] == nil, pick(s, r) { found.append(s) }
            visited += 1
        }
        scanCursor = (scanCursor + visited) % n
        return found
    }

    /// Moves one leader out of the store with the highest leader score to the follower store with the lowest score
    /// that the gap still favours (`transferLeaderOut`: pick a region on the source, then its best target; the
    /// tolerance is `shouldBalance`'s 5 leaders under the count policy). Sources pass PD's leader-source filter and
    /// targets its leader-target filter (v8.5.7:pkg/schedule/schedulers/balance_leader.go builds both from
    /// `StoreStateFilter{TransferLeader: true}`); a target must also hold a voter and be allowed to lead by the
    /// placement rules, checked per region through `allowLeader` as the operator builder does.
    mutating func runBalanceLeader() {
        guard operatorCount(desc: "balance-leader-scheduler") < config.leaderScheduleLimit else { return }
        let sources = stores.indices.filter { passes(.leaderSource, $0) && !stores[$0].isRemoving }
        guard let src = sources.max(by: { leaderScore(storeIndex: $0) < leaderScore(storeIndex: $1) }) else { return }
        let tolerant = config.tolerantSizeRatio > 0 ? config.tolerantSizeRatio : 5
        let influence = config.leaderPolicyIsSize ? Double(storeStats[src].leaderSize) / Double(max(1, storeStats[src].leaderCount)) : 1
        let srcScore = leaderScore(storeIndex: src, delta: -influence - tolerant)
        // Targets the filter allows, that hold some voter, that the rules let lead, and that the score gap still favours.
        var targetScore: [UInt32: Double] = [:]
        for i in stores.indices where i != src && passes(.leaderTarget, i)
            && storeStats[i].regionCount > storeStats[i].learnerCount && placementMayLead(storeIndex: i) {
            if srcScore > leaderScore(storeIndex: i, delta: influence + tolerant) { targetScore[UInt32(stores[i].id)] = leaderScore(storeIndex: i) }
        }
        guard !targetScore.isEmpty else { return }
        let s = UInt32(stores[src].id)
        // The scan mutates its cursor; the leader check reads a copy (copy-on-write, no region is copied).
        let view = self
        func eligible(_ p: Peer, _ r: RegionRecord) -> Bool {
            p.role == .voter && !p.pending && p.downSeconds == 0 && targetScore[p.storeId] != nil && view.allowLeader(p, in: r)
        }
        let slots = scanRegions(limit: 1) { _, r in r.leaderStoreId == s && !r.isInJointState && r.peers.contains { eligible($0, r) } }
        for slot in slots {
            let r = reported[slot]
            guard let d = r.peers.filter({ eligible($0, r) }).min(by: { (targetScore[$0.storeId] ?? 0, $0.storeId) < (targetScore[$1.storeId] ?? 0, $1.storeId) })?.storeId else { continue }
            try? addOperator(slot: slot, desc: "balance-leader-scheduler", brief: "transfer leader: store \(s) to \(d)",
                             kind: [.leader], steps: [.transferLeader(from: s, to: d)])
        }
    }

    /// Moves one peer from the highest to the lowest region score when the gap exceeds the tolerance.
    mutating func runBalanceRegion() {
        guard operatorCount(desc: "balance-region-scheduler") < min(config.regionScheduleLimit, 4 * max(1, stores.count)) else { return }
        // Sources: Up, not removing (the rule checker drains those), region-source filter; targets: region-target filter.
        // Stores with an exclusive label (TiFlash) hold only the peers their own rules put there.
        func exclusive(_ i: Int) -> Bool { stores[i].labels.contains { PlacementRuleSet.Rule.isExclusive($0.key) } }
        let sources = stores.indices.filter {
            stores[$0].state == .up && !stores[$0].isRemoving && !isDisconnected(stores[$0]) && passes(.regionSource, $0) && !exclusive($0)
        }
        let targets = stores.indices.filter { passes(.regionTarget, $0) && !exclusive($0) }
        guard let src = sources.max(by: { regionScore(storeIndex: $0) < regionScore(storeIndex: $1) }),
              let dst = targets.min(by: { regionScore(storeIndex: $0) < regionScore(storeIndex: $1) }), src != dst else { return }
        let avgSize = Double(storeStats.reduce(Int64(0)) { $0 + $1.regionSize }) / Double(max(1, storeStats.reduce(0) { $0 + $1.regionCount }))
        let maxCount = Double(storeStats.map(\.regionCount).max() ?? 0)
        let tolerant = avgSize * (config.tolerantSizeRatio > 0 ? config.tolerantSizeRatio : max(maxCount * 0.005, 1))
        let influence = avgSize * 5
        guard regionScore(storeIndex: src, delta: -influence - tolerant) > regionScore(storeIndex: dst, delta: influence + tolerant) else { return }
        let s = UInt32(stores[src].id), d = UInt32(stores[dst].id)
        let want = uniformDesiredReplicas ?? config.maxReplicas
        let view = self
        let slots = scanRegions(limit: 1) { _, r in
            !r.isInJointState && !r.hasDownPeers && !r.hasPendingPeers && r.peers.count == want
                && r.peers.contains { $0.storeId == s } && !r.peers.contains { $0.storeId == d } && view.keepsLocation(r, from: s, to: d)
        }
        for slot in slots {
            let (steps, kind) = movePeerSteps(reported[slot], from: s, to: d)
            try? addOperator(slot: slot, desc: "balance-region-scheduler", brief: "mv peer: store [\(s)] to [\(d)]", kind: kind, steps: steps)
        }
    }

    /// The best store for a new peer of `r`: schedulable, not already holding a peer, lowest region score; never a
    /// store with an exclusive label (TiFlash), which the default rule cannot match.
    func replacementTarget(for r: RegionRecord, replacing old: UInt32? = nil) -> UInt32? {
        // PD keeps the stores most distinct from the region's other stores over location-labels, then picks the lowest
        // region score (v8.5.7:pkg/schedule/checker/replica_strategy.go:82-91); without location-labels every score is 0.
        let others = r.peers.map(\.storeId).filter { $0 != old }
        return stores.indices
            .filter { passes(.regionTarget, $0) && r.peers.index(ofStore: UInt32(stores[$0].id)) == nil
                && !stores[$0].labels.contains { PlacementRuleSet.Rule.isExclusive($0.key) } }
            .map { (index: $0, distinct: distinctScore(of: UInt32(stores[$0].id), against: others)) }
            .min(by: { ($1.distinct, regionScore(storeIndex: $0.index)) < ($0.distinct, regionScore(storeIndex: $1.index)) })
            .map { UInt32(stores[$0.index].id) }
    }

    /// The rule checker (default rule: `max-replicas` voters): replaces offline peers at once, down peers after
    /// max-store-down-time, makes up missing replicas and removes extra ones.
    mutating func runRuleChecker() {
        if config.placementRulesEnabled, !placement.isDefaultOnly {
            runRuleCheckerWithRules()
            return
        }
        let removing = Set(stores.filter { $0.nodeState == .removing }.map { UInt32($0.id) })
        let down = Set(stores.filter { $0.state == .up && isDown($0) }.map { UInt32($0.id) })
        var budget = config.replicaScheduleLimit - operators.values.filter { $0.kind.contains(.replica) }.count
        guard budget > 0 else { return }
        let want = config.maxReplicas
        for slot in reported.indices {
            guard budget > 0 else { break }
            let r = reported[slot]
            guard r.known, operators[r.id] == nil, r.leader != nil else { continue }
            if r.isInJointState {
                // A region left in joint state (its operator was lost with a PD leader) is brought out of it
                // first (v8.5.7:pkg/schedule/operator/create_operator.go:280-284).
                let promote = r.peers.filter { $0.role == .incomingVoter }.map { OpStep.PeerRef(peerId: $0.id, store: $0.storeId) }
                let demote = r.peers.filter { $0.role == .demotingVoter }.map { OpStep.PeerRef(peerId: $0.id, store: $0.storeId) }
                try? addOperator(slot: slot, desc: "leave-joint-state", brief: "leave joint state", kind: [.replica, .region],
                                 steps: [.leaveJoint(promote: promote, demote: demote)])
                budget -= 1
                continue
            }
            if let p = r.peers.first(where: { down.contains($0.storeId) && $0.downSeconds > 0 }) {
                guard let to = replacementTarget(for: r, replacing: p.storeId) else { continue }
                let (steps, kind) = movePeerSteps(r, from: p.storeId, to: to)
                try? addOperator(slot: slot, desc: "replace-rule-down-peer", brief: "mv peer: store [\(p.storeId)] to [\(to)]",
                                 kind: kind.union(.replica), steps: steps)
                budget -= 1
            } else if let p = r.peers.first(where: { removing.contains($0.storeId) }), r.peers.count <= want {
                guard let to = replacementTarget(for: r, replacing: p.storeId) else { continue }
                let (steps, kind) = movePeerSteps(r, from: p.storeId, to: to)
                try? addOperator(slot: slot, desc: "replace-rule-offline-peer", brief: "mv peer: store [\(p.storeId)] to [\(to)]",
                                 kind: kind.union(.replica), steps: steps)
                budget -= 1
            } else if r.peers.count < want {
                guard let to = replacementTarget(for: r) else { continue }
                let pid = allocId()
                try? addOperator(slot: slot, desc: "add-rule-peer", brief: "add peer: store [\(to)]", kind: [.replica, .region],
                                 steps: [.addLearner(peerId: pid, store: to), .promoteLearner(peerId: pid, store: to)])
                budget -= 1
            } else if r.peers.count > want {
                // Prefer dropping a learner or a peer on a removing or down store; never the leader.
                let victim = r.peers.first { $0.role == .learner && $0.id != r.leaderPeerId }
                    ?? r.peers.first { (removing.contains($0.storeId) || down.contains($0.storeId)) && $0.id != r.leaderPeerId }
                guard let v = victim else { continue }
                try? addOperator(slot: slot, desc: "remove-orphan-peer", brief: "rm peer: store [\(v.storeId)]", kind: [.replica, .region],
                                 steps: [.removePeer(store: v.storeId)])
                budget -= 1
            }
        }
    }
}
