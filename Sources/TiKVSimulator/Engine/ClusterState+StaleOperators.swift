/// What stops a running operator short of its steps: PD's stale check on each region heartbeat, and TiKV refusing
/// to hand leadership to a follower whose log lags.
extension ClusterState {
    /// How long a store that came back keeps lagging (an assumption: TiKV's catch-up of missed raft logs).
    static let logCatchUpNanos: Int64 = 30 * second
    /// A slow-store latency factor at or above which the follower's log falls behind the leader's.
    static let laggingSlowFactor = 5.0

    /// TiKV refuses a leader transfer to a follower whose log lags (raftstore's `leader_transfer_max_log_lag`):
    /// the peer is pending (still applying a snapshot), its store is busy or very slow, or it came back recently.
    /// The step then waits; PD ends it as TIMEOUT at the operator's timeout unless the target catches up.
    func targetLogLags(_ p: Peer) -> Bool {
        guard let si = storeIndexById[UInt64(p.storeId)] else { return true }
        let s = stores[si]
        return p.pending || s.busy || s.slowFactor >= Self.laggingSlowFactor || nowNanos < s.logsCaughtUpAtNanos
    }

    /// `checkStaleOperator` (v8.5.7:pkg/schedule/operator/operator_controller.go:208-241), run when a region
    /// heartbeat reaches PD: CANCEL when the current step can no longer progress (step.go `CheckInProgress`:
    /// target store gone or down longer than max-store-down-time, step.go:1094-1103) or when conf_ver moved more
    /// than the operator's own steps explain ("epoch not match"). v8.5.7 prints no cancel reason in the operator
    /// text, so the record shows only CANCEL.
    mutating func cancelIfStale(regionId: UInt64, region r: RegionRecord) {
        guard let op = operators[regionId], op.currentStep < op.steps.count else { return }
        if !stepInProgress(op.steps[op.currentStep], region: r) {
            finish(regionId: regionId, status: .cancel)
            return
        }
        let changes = r.confVer >= op.epochConfVer ? r.confVer - op.epochConfVer : 0
        if changes > confVerConsumed(op, region: r) { finish(regionId: regionId, status: .cancel) }
    }

    /// `validateStore`: the store exists and has not been down longer than max-store-down-time.
    private func storeValid(_ id: UInt32) -> Bool {
        guard let s = store(UInt64(id)) else { return false }
        return heartbeatAge(s) <= config.maxStoreDownTimeNanos
    }

    private func stepInProgress(_ step: OpStep, region r: RegionRecord) -> Bool {
        switch step {
        case .transferLeader(_, let to):
            guard let p = r.peers.first(where: { $0.storeId == to }), p.role != .learner else { return false }
            return storeValid(to)
        case .addLearner(let pid, let s):
            guard storeValid(s) else { return false }
            // Another peer on that store means someone else added one (step.go:482-490).
            if let p = r.peers.first(where: { $0.storeId == s }), p.id != pid { return false }
            return true
        default:
            return true
        }
    }

    /// `Operator.ConfVerChanged`: conf_ver the steps up to the current one have visibly consumed in `r`.
    private func confVerConsumed(_ op: SimOperator, region r: RegionRecord) -> UInt64 {
        let last = min(op.currentStep, op.steps.count - 1)
        var total: UInt64 = 0
        for step in op.steps[0...last] {
            switch step {
            case .addLearner(let pid, _):
                if r.peers.index(ofPeer: pid) != nil { total += 1 }
            case .promoteLearner(let pid, _):
                if let i = r.peers.index(ofPeer: pid), r.peers[i].role == .voter { total += 1 }
            case .enterJoint(let promote, let demote):
                total += UInt64(promote.filter { p in r.peers.index(ofPeer: p.peerId).map { r.peers[$0].role != .learner } ?? false }.count)
                total += UInt64(demote.filter { d in r.peers.index(ofStore: d.store).map { r.peers[$0].role != .voter } ?? true }.count)
            case .leaveJoint(let promote, let demote):
                total += UInt64(promote.filter { p in r.peers.index(ofPeer: p.peerId).map { r.peers[$0].role == .voter } ?? false }.count)
                total += UInt64(demote.filter { d in r.peers.index(ofStore: d.store).map { r.peers[$0].role == .learner } ?? true }.count)
            case .removePeer(let s):
                if r.peers.index(ofStore: s) == nil { total += 1 }
            case .transferLeader, .mergeRegion, .splitRegion:
                break
            }
        }
        return total
    }
}
