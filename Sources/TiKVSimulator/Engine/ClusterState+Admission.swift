/// Building operators against PD's region view and admitting them (`AddOperator`), with PD's refusals, priorities,
/// store limits and the CANCEL record a refused operator leaves.
extension ClusterState {
    /// The admin operator requests of `POST /operators` the simulator executes.
    public enum AdminRequest: Sendable, Equatable {
        case transferLeader(region: UInt64, toStore: UInt64)
        case transferPeer(region: UInt64, fromStore: UInt64, toStore: UInt64)
        case addPeer(region: UInt64, store: UInt64)
        case addLearner(region: UInt64, store: UInt64)
        case removePeer(region: UInt64, store: UInt64)
        /// `policy` as sent (PD matches it case-insensitively); `keys` hex, used with USEKEY.
        case splitRegion(region: UInt64, policy: String, keys: [String])
    }

    /// `POST /operators`: build against PD's current view, then add (handler.go `addOperator`).
    public mutating func createAdminOperator(_ req: AdminRequest) throws(PDError) {
        let op = try buildAdminOperator(req)
        try admitOperator(op)
    }

    /// Builds the operator as PD's handler and builder do, checking in their order
    /// (v8.5.7:pkg/schedule/handler/handler.go:408-578, pkg/schedule/operator/builder.go:96-548). Nothing is added:
    /// `admitOperator` does that, so a test can change the region in between (PD reads the region, then adds).
    public mutating func buildAdminOperator(_ req: AdminRequest) throws(PDError) -> SimOperator {
        switch req {
        case .transferLeader(let rid, let to):
            let r = try regionForOperator(rid)
            // `GetStoreVoter` (handler.go:418-421): no store check, so an unknown store reads as "no voter".
            guard let target = r.peers.first(where: { UInt64($0.storeId) == to && $0.role != .learner }) else {
                throw PDError(500, "region has no voter in store \(to)")
            }
            // CreateTransferLeaderOperator skips the origin joint-state check (create_operator.go:82-88).
            try checkBuilderOrigin(r, skipJointStateCheck: true)
            if target.pending || target.downSeconds > 0 { throw PDError(500, "cannot transfer leader to \(to): unhealthy") }
            // prepareBuild's allowLeader (builder.go:526-530): the leader-target filter and placement rules.
            guard allowLeader(target, in: r) else { throw PDError(500, "cannot create operator: target leader is not allowed") }
            // Leader already there: nothing to do (builder.go:772-773).
            guard let from = r.leaderStoreId, from != target.storeId else { throw PDError(500, "no operator step is built") }
            return newOperator(r, desc: "admin-transfer-leader", brief: "transfer leader: store \(from) to \(to)",
                               kind: [.admin, .leader], steps: [.transferLeader(from: from, to: UInt32(to))])
        case .transferPeer(let rid, let from, let to):
            let r = try regionForOperator(rid)
            // The source is checked before the target (handler.go:482-489).
            guard let old = r.peers.first(where: { UInt64($0.storeId) == from }) else {
                throw PDError(500, "region has no peer in store \(from)")
            }
            try checkStoreState(to)
            try checkBuilderOrigin(r, skipJointStateCheck: false)
            if let existing = r.peers.first(where: { UInt64($0.storeId) == to }) {
                // builder.go:188-189 prints both peers in protobuf's compact text.
                let wanted = Peer(id: 0, storeId: UInt32(to), role: old.role == .learner ? .learner : .voter)
                throw PDError(500, "cannot add peer \(Self.protoText(wanted)): already have peer \(Self.protoText(existing))")
            }
            let (steps, kind) = movePeerSteps(r, from: UInt32(from), to: UInt32(to))
            return newOperator(r, desc: "admin-move-peer", brief: "mv peer: store [\(from)] to [\(to)]", kind: kind.union(.admin), steps: steps)
        case .addPeer(let rid, let store), .addLearner(let rid, let store):
            let r = try regionForOperator(rid)
            // checkAdminAddPeerOperator (handler.go:498-516): existing peer first, then the store.
            if r.peers.index(ofStore: UInt32(store)) != nil { throw PDError(500, "region already has peer in store \(store)") }
            try checkStoreState(store)
            try checkBuilderOrigin(r, skipJointStateCheck: false)
            let pid = allocId()
            var steps: [OpStep] = [.addLearner(peerId: pid, store: UInt32(store))]
            var desc = "admin-add-learner"
            if case .addPeer = req {
                // A single change needs no joint consensus (builder.go:538-543): add learner, then promote it.
                steps.append(.promoteLearner(peerId: pid, store: UInt32(store)))
                desc = "admin-add-peer"
            }
            return newOperator(r, desc: desc, brief: "add peer: store [\(store)]", kind: [.admin, .region], steps: steps)
        case .removePeer(let rid, let store):
            let r = try regionForOperator(rid)
            guard r.peers.index(ofStore: UInt32(store)) != nil else { throw PDError(500, "region has no peer in store \(store)") }
            try checkBuilderOrigin(r, skipJointStateCheck: false)
            var steps: [OpStep] = []
            var kind: OpKind = [.admin, .region]
            if r.leaderStoreId == UInt32(store) {
                guard let other = r.peers.first(where: { $0.storeId != UInt32(store) && allowLeader($0, in: r) && storeIsUp($0.storeId) }) else {
                    throw PDError(500, "no valid leader")
                }
                steps.append(.transferLeader(from: UInt32(store), to: other.storeId))
                kind.insert(.leader)
            }
            steps.append(.removePeer(store: UInt32(store)))
            return newOperator(r, desc: "admin-remove-peer", brief: "rm peer: store [\(store)]", kind: kind, steps: steps)
        case .splitRegion(let rid, let policyText, let keyTexts):
            // AddSplitRegionOperator (handler.go:618-650), then CreateSplitRegionOperator (create_operator.go:153-176):
            // no builder, so neither a leader nor the stores are checked.
            let r = try regionForOperator(rid)
            let policy = policyText.uppercased()
            guard ["SCAN", "APPROXIMATE", "USEKEY"].contains(policy) else { throw PDError(500, "check policy \(policyText) is not supported") }
            var keys: [[UInt8]] = []
            if policy == "USEKEY" {
                for k in keyTexts {
                    guard let bytes = RegionKey.parseHex(k) else { throw PDError(500, "split key \(k) is not in hex format") }
                    keys.append(bytes)
                }
            }
            if r.isInJointState { throw PDError(500, "cannot split region which is in joint state") }
            guard let slot = slotByRegionId[rid] else { throw .regionNotFound(rid, status: 500) }
            var brief = "split: region \(rid) use policy \(policy)"
            if !keys.isEmpty { brief += " and keys [\(keys.map(RegionKey.hexString).joined(separator: " "))]" }
            return newOperator(r, desc: "admin-split-region", brief: brief, kind: [.admin, .split],
                               steps: [.splitRegion(policy: policy, keys: keys, start: keyOrder.startCode(slot: slot), end: keyOrder.endCode(slot: slot))])
        }
    }

    /// `AddOperator` (v8.5.7:pkg/schedule/operator/operator_controller.go:369-395, 444-500, 526-597): the store
    /// limit unless Urgent, then the region's epoch against PD's view, then priority over a running operator. A
    /// refused operator is cancelled and buried: its CANCEL record overwrites the region's previous one (775).
    public mutating func admitOperator(_ op: SimOperator) throws(PDError) {
        var op = op
        let rid = op.regionId
        let refused: Bool
        if op.priority != .urgent, op.storeLimitCosts.contains(where: { !storeLimits.available($0.store, $0.type, cost: $0.cost, now: nowNanos) }) {
            refused = true
        } else if let slot = slotByRegionId[rid], reported[slot].known {
            let r = reported[slot]
            let epochChanged = r.version != op.epochVersion || r.confVer != op.epochConfVer
            let outranked = operators[rid].map { op.priority <= $0.priority } ?? false
            refused = epochChanged || outranked
        } else {
            refused = true
        }
        if refused {
            op.startAtNanos = Int64.min
            op.status = .cancel
            op.finishedAtNanos = nowNanos
            records[rid] = op
            endedOperatorCounts["\(op.desc) CANCEL", default: 0] += 1
            throw .addOperator
        }
        if operators[rid] != nil { finish(regionId: rid, status: .replaced) }
        op.startAtNanos = nowNanos
        op.stepStartedNanos = nowNanos
        // Every admitted operator takes its tokens; Urgent ones only skipped the check (588-597).
        for c in op.storeLimitCosts { storeLimits.take(c.store, c.type, cost: c.cost, now: nowNanos) }
        operators[rid] = op
    }

    /// Builds and admits a scheduler's or checker's operator on the region in `slot` (PD's view). One that would
    /// exceed a store limit is dropped unrecorded: PD's filters (exceedAddLimit/exceedRemoveLimit) keep its
    /// producers off such stores, and the simulator's rule checker would otherwise bury one per region per patrol.
    mutating func addOperator(slot: Int, desc: String, brief: String, kind: OpKind, steps: [OpStep]) throws(PDError) {
        let op = newOperator(reported[slot], desc: desc, brief: brief, kind: kind, steps: steps)
        if op.priority != .urgent, op.storeLimitCosts.contains(where: { !storeLimits.peekAvailable($0.store, $0.type, cost: $0.cost, now: nowNanos) }) {
            throw .addOperator
        }
        try admitOperator(op)
    }

    func newOperator(_ r: RegionRecord, desc: String, brief: String, kind: OpKind, steps: [OpStep]) -> SimOperator {
        SimOperator(regionId: r.id, desc: desc, brief: brief, kind: kind, epochVersion: r.version, epochConfVer: r.confVer,
                    sizeMiB: r.approximateSizeMiB, steps: steps, createdAtNanos: nowNanos, startAtNanos: nowNanos)
    }

    private func regionForOperator(_ rid: UInt64) throws(PDError) -> RegionRecord {
        guard let slot = slotByRegionId[rid], reported[slot].known else { throw .regionNotFound(rid, status: 500) }
        return reported[slot]
    }

    /// `NewBuilder`'s checks of the origin region (builder.go:130-152).
    private func checkBuilderOrigin(_ r: RegionRecord, skipJointStateCheck: Bool) throws(PDError) {
        guard r.leader != nil else { throw PDError(500, "cannot build operator for region with no leader") }
        if !skipJointStateCheck && r.isInJointState { throw PDError(500, "cannot build operator for region which is in joint state") }
    }

    /// `checkStoreState` (handler.go:730-742).
    private func checkStoreState(_ id: UInt64) throws(PDError) {
        guard let s = store(id) else { throw .storeNotFound(id, status: 500) }
        if s.state == .tombstone { throw PDError(500, "[PD:core:ErrStoreRemoved]store \(id) has been removed") }
        if isUnhealthy(s) { throw PDError(500, "[PD:core:ErrStoreUnhealthy]store \(id) is unhealthy") }
    }

    /// `metapb.Peer.String()`: protobuf compact text, every field followed by a space, zero values left out.
    static func protoText(_ p: Peer) -> String {
        var s = ""
        if p.id != 0 { s += "id:\(p.id) " }
        s += "store_id:\(p.storeId) "
        switch p.role {
        case .voter: break
        case .learner: s += "role:Learner "
        case .incomingVoter: s += "role:IncomingVoter "
        case .demotingVoter: s += "role:DemotingVoter "
        }
        return s
    }
}
