/// PD's store state filter: the one place that says whether a store may give or take leaders or peers, used by
/// the operator builder (admin operators) and by every simulated scheduler and checker alike, as PD uses
/// `filter.StoreStateFilter` everywhere (v8.5.7:pkg/schedule/filter/filters.go:490-512, the condition table).
extension ClusterState {
    /// Which condition list applies (`anyConditionMatch`'s `typ`).
    public enum StoreFilterScope: Sendable {
        case leaderSource, regionSource, leaderTarget, regionTarget
    }

    /// Why a store was filtered out (`filters.go` storeState* reasons).
    public enum StoreFilterReason: String, Sendable {
        case tombstone, down, offline, pauseLeader = "pause-leader", slow = "slow-store", stopping = "stopping-store"
        case disconnected, busy, exceedRemoveLimit = "exceed-remove-limit", exceedAddLimit = "exceed-add-limit"
        case tooManySnapshot = "too-many-snapshot", tooManyPendingPeer = "too-many-pending-peer"
        case rejectLeader = "reject-leader"
    }

    /// The first condition of `scope` that rules the store out, or nil when it may be selected. With
    /// `allowTemporaryStates` the conditions PD calls temporary (disconnected, busy, limits, snapshots, pending
    /// peers) are skipped, as PD's filters do for operators that must make progress.
    public func storeFilterRefusal(_ scope: StoreFilterScope, storeIndex i: Int, allowTemporaryStates: Bool = false) -> StoreFilterReason? {
        let s = stores[i]
        let temporary = !allowTemporaryStates
        let removed: StoreFilterReason? = s.state == .tombstone ? .tombstone : nil
        // `DownTime() > max-store-down-time` (filters.go:345-353).
        let down: StoreFilterReason? = heartbeatAge(s) > config.maxStoreDownTimeNanos ? .down : nil
        let removing: StoreFilterReason? = s.isRemoving ? .offline : nil
        // `AllowLeaderTransfer` is false while evict-leader holds the store (core/store.go:189-192).
        let pause: StoreFilterReason? = pauseLeaderTransferIn(s.id) ? .pauseLeader : nil
        let slow: StoreFilterReason? = s.evictedAsSlowStore ? .slow : nil
        let stopping: StoreFilterReason? = s.evictedAsStoppingStore ? .stopping : nil
        let disconnected: StoreFilterReason? = temporary && isDisconnected(s) ? .disconnected : nil
        let busy: StoreFilterReason? = temporary && s.reportedBusy ? .busy : nil
        let snapshots: StoreFilterReason? = temporary && (s.sendingSnapCount > config.maxSnapshotCount
            || s.receivingSnapCount > config.maxSnapshotCount) ? .tooManySnapshot : nil
        let pending: StoreFilterReason? = temporary && config.maxPendingPeerCount > 0
            && storeStats[i].pendingPeerCount > config.maxPendingPeerCount ? .tooManyPendingPeer : nil
        let reject: StoreFilterReason? = hasRejectLeaderProperty(storeIndex: i) ? .rejectLeader : nil
        // `IsAvailable` with a normal region's cost (filters.go:418-434; core/store.go:208-213).
        let removeLimit: StoreFilterReason? = temporary
            && !storeLimits.peekAvailable(s.id, .removePeer, cost: 1000, now: nowNanos) ? .exceedRemoveLimit : nil
        let addLimit: StoreFilterReason? = temporary
            && !storeLimits.peekAvailable(s.id, .addPeer, cost: 1000, now: nowNanos) ? .exceedAddLimit : nil
        let conditions: [StoreFilterReason?]
        switch scope {
        case .leaderSource: conditions = [removed, down, pause, disconnected]
        case .regionSource: conditions = [busy, removeLimit, snapshots]
        case .leaderTarget: conditions = [removed, removing, down, pause, slow, stopping, disconnected, busy, reject]
        case .regionTarget: conditions = [removed, removing, down, disconnected, busy, addLimit, snapshots, pending]
        }
        return conditions.lazy.compactMap { $0 }.first
    }

    /// `label-property` `reject-leader` (filters.go:457-464): a store whose labels match a configured pair never
    /// takes leaders.
    public func hasRejectLeaderProperty(storeIndex i: Int) -> Bool {
        let pairs = config.rejectLeaderLabels
        guard !pairs.isEmpty else { return false }
        return stores[i].labels.contains { l in pairs.contains { $0.key == l.key && $0.value == l.value } }
    }

    /// `Builder.allowLeader` (v8.5.7:pkg/schedule/operator/builder.go:900-940): may this peer of the region
    /// become its leader? Learners and demoting voters never; the current leader always; otherwise the store
    /// must pass the leader-target filter and the placement rules must let it lead.
    public func allowLeader(_ peer: Peer, in r: RegionRecord) -> Bool {
        guard peer.role != .learner, peer.role != .demotingVoter else { return false }
        if peer.storeId == r.leaderStoreId { return true }
        guard let i = storeIndexById[UInt64(peer.storeId)] else { return false }
        guard storeFilterRefusal(.leaderTarget, storeIndex: i) == nil else { return false }
        return placementAllowsLeader(storeIndex: i, region: r)
    }
}
