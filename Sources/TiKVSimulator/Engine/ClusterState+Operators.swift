/// Building moves and executing operators (`pkg/schedule/operator`); admission is in `ClusterState+Admission.swift`.
extension ClusterState {
    /// Joint-consensus move (`buildStepsWithJointConsensus`): add learner, [transfer leader], enter joint,
    /// leave joint, remove.
    mutating func movePeerSteps(_ r: RegionRecord, from: UInt32, to: UInt32) -> ([OpStep], OpKind) {
        let pid = allocId()
        var steps: [OpStep] = [.addLearner(peerId: pid, store: to)]
        var kind: OpKind = [.region]
        let old = r.peers.first { $0.storeId == from }
        let newRef = OpStep.PeerRef(peerId: pid, store: to)
        if let old, old.role == .learner {
            steps.append(.removePeer(store: from))
            return (steps, kind)
        }
        if r.leaderStoreId == from {
            // The builder picks a leader the leader-target filter allows (builder.go:660-695).
            if let other = r.peers.first(where: { $0.storeId != from && allowLeader($0, in: r) && storeIsUp($0.storeId) }) {
                steps.append(.transferLeader(from: from, to: other.storeId))
                kind.insert(.leader)
            }
        }
        let oldRef = OpStep.PeerRef(peerId: old?.id ?? 0, store: from)
        steps.append(.enterJoint(promote: [newRef], demote: [oldRef]))
        steps.append(.leaveJoint(promote: [newRef], demote: [oldRef]))
        steps.append(.removePeer(store: from))
        return (steps, kind)
    }

    /// Inserts an operator built elsewhere (fixtures, scenarios) as is.
    public mutating func insertOperator(_ op: SimOperator) { operators[op.regionId] = op }

    public mutating func cancelOperator(region: UInt64) throws(PDError) {
        guard operators[region] != nil else { throw .operatorNotFound }
        finish(regionId: region, status: .cancel)
    }

    public mutating func cancelAllOperators() {
        for id in Array(operators.keys) { finish(regionId: id, status: .cancel) }
    }

    mutating func finish(regionId: UInt64, status: OpStatus) {
        guard var op = operators.removeValue(forKey: regionId) else { return }
        op.status = status
        op.finishedAtNanos = nowNanos
        endedOperatorCounts["\(op.desc) \(status.pdpbName)", default: 0] += 1
        recordFate(op, .ended(status))
        if case .addLearner(_, let store)? = op.steps.indices.contains(op.currentStep) ? op.steps[op.currentStep] : nil,
           let si = storeIndexById[UInt64(store)], op.snapshotBytesLeft > 0 {
            stores[si].receivingSnapCount = stores[si].receivingSnapCount > 0 ? stores[si].receivingSnapCount - 1 : 0
        }
        records[regionId] = op
    }

    /// Notes how an admin operator left PD (`adminOperatorFates`).
    mutating func recordFate(_ op: SimOperator, _ outcome: AdminOperatorFate.Outcome) {
        guard op.kind.contains(.admin) else { return }
        adminOperatorFates.append(AdminOperatorFate(regionId: op.regionId, desc: op.desc, startAtNanos: op.startAtNanos,
                                                    leftAtNanos: nowNanos, outcome: outcome,
                                                    stepsDone: min(op.currentStep, op.steps.count), stepCount: op.steps.count))
    }

    /// Runs every operator's current step for one tick.
    mutating func stepOperators() {
        guard !operators.isEmpty else { return }
        for id in operators.keys.sorted() {
            guard var op = operators[id], let slot = slotByRegionId[id] else { continue }
            if nowNanos - op.startAtNanos > op.timeoutNanos {
                finish(regionId: id, status: .timeout)
                continue
            }
            // Raft needs a live leader for any change.
            guard let leader = truth[slot].leader, storeIsUp(leader.storeId) else { continue }
            var progressed = true
            while progressed, op.currentStep < op.steps.count {
                progressed = execute(step: op.steps[op.currentStep], op: &op, slot: slot)
                if progressed {
                    op.currentStep += 1
                    op.stepStartedNanos = nowNanos
                    op.snapshotBytesLeft = -1
                    immediateReports.append(slot)
                    // A leader transfer and a conf change each take at least one tick.
                    break
                }
            }
            if op.currentStep >= op.steps.count {
                operators[id] = op
                finish(regionId: id, status: .success)
            } else {
                operators[id] = op
            }
        }
    }

    /// Applies a step to the truth; returns true when it is complete.
    mutating func execute(step: OpStep, op: inout SimOperator, slot: Int) -> Bool {
        switch step {
        case .transferLeader(_, let to):
            guard storeIsUp(to), let p = truth[slot].peers.first(where: { $0.storeId == to && $0.role.isVoter }) else { return false }
            guard !targetLogLags(p) else { return false }
            truth[slot].leaderPeerId = p.id
            return true
        case .addLearner(let pid, let store):
            guard let si = storeIndexById[UInt64(store)] else { return false }
            if truth[slot].peers.index(ofPeer: pid) == nil {
                guard truth[slot].peers.append(Peer(id: pid, storeId: store, role: .learner, pending: true)) else { return false }
                truth[slot].confVer += 1
                op.snapshotBytesLeft = Double(truth[slot].approximateSizeMiB) * 1_048_576
                stores[si].receivingSnapCount += 1
                let bytes = UInt64(truth[slot].approximateSizeMiB) << 20
                stores[si].usedBytes += bytes
                stores[si].availableBytes = stores[si].availableBytes > bytes ? stores[si].availableBytes - bytes : 0
                immediateReports.append(slot)
                return false
            }
            guard stores[si].isUp else { return false }
            // Snapshot I/O is shared by the store's concurrent incoming snapshots and slowed by a slow disk.
            let share = Double(max(1, stores[si].receivingSnapCount))
            op.snapshotBytesLeft -= stores[si].snapshotBytesPerSecond / share / max(1, stores[si].slowFactor)
            guard op.snapshotBytesLeft <= 0 else { return false }
            if let i = truth[slot].peers.index(ofPeer: pid) { truth[slot].peers[i].pending = false }
            stores[si].receivingSnapCount = stores[si].receivingSnapCount > 0 ? stores[si].receivingSnapCount - 1 : 0
            return true
        case .enterJoint(let promote, let demote):
            for p in promote {
                if let i = truth[slot].peers.index(ofPeer: p.peerId) {
                    // A single promotion is applied directly by TiKV (no joint state to leave).
                    truth[slot].peers[i].role = demote.isEmpty ? .voter : .incomingVoter
                }
            }
            for d in demote {
                if let i = truth[slot].peers.index(ofStore: d.store) { truth[slot].peers[i].role = .demotingVoter }
            }
            truth[slot].confVer += UInt64(promote.count + demote.count)
            return true
        case .promoteLearner(let pid, _):
            guard let i = truth[slot].peers.index(ofPeer: pid) else { return true }
            truth[slot].peers[i].role = .voter
            truth[slot].confVer += 1
            return true
        case .leaveJoint(let promote, let demote):
            for p in promote {
                if let i = truth[slot].peers.index(ofPeer: p.peerId) { truth[slot].peers[i].role = .voter }
            }
            for d in demote {
                if let i = truth[slot].peers.index(ofStore: d.store) { truth[slot].peers[i].role = .learner }
            }
            truth[slot].confVer += UInt64(promote.count + demote.count)
            return true
        case .mergeRegion(let from, let to, let passive):
            // The passive side is done once the source is gone; the active side merges when both still line up.
            if passive { return slotByRegionId[from] == nil }
            return mergeNow(source: from, target: to)
        case .splitRegion(let policy, let keys, let start, let end):
            // Finished once the range changed, whoever split it (step.go `IsFinish`).
            if keyOrder.startCode(slot: slot) != start || keyOrder.endCode(slot: slot) != end { return true }
            // TiKV halves the region for SCAN and APPROXIMATE; USEKEY splits at the first key strictly inside the
            // range and ignores the others, so a key outside it leaves the region whole until the operator times out.
            let at: UInt64?
            if policy == "USEKEY" {
                let upper = end == 0 ? UInt64.max : end
                at = keys.lazy.compactMap(RegionKey.code(encodedKey:)).first { $0 > start && $0 < upper }
                guard at != nil else { return false }
            } else {
                at = nil
            }
            return splitNow(slot: slot, at: at, byOwnOperator: true)
        case .removePeer(let store):
            guard let i = truth[slot].peers.index(ofStore: store) else { return true }
            if truth[slot].peers[i].id == truth[slot].leaderPeerId { return false }
            truth[slot].peers.remove(at: i)
            truth[slot].confVer += 1
            if let si = storeIndexById[UInt64(store)] {
                let bytes = UInt64(truth[slot].approximateSizeMiB) << 20
                stores[si].usedBytes = stores[si].usedBytes > bytes ? stores[si].usedBytes - bytes : 0
                stores[si].availableBytes = min(stores[si].capacityBytes, stores[si].availableBytes + bytes)
            }
            return true
        }
    }
}
