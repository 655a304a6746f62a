/// PD's `evict-slow-store-scheduler` for disk-slow stores (v8.5.7:pkg/schedule/schedulers/evict_slow_store.go),
/// and the eviction helper it shares with evict-leader (evict_leader.go:317-390). The network-slow half is off
/// by default (`enable-network-slow-store: false`) and the simulator's TiKV reports no network slow scores.
extension ClusterState {
    /// `slowStoreEvictThreshold` (evict_slow_store.go:41), `slowStoreRecoverThreshold` (:59) and core's
    /// `slowStoreThreshold` for `IsSlow` (v8.5.7:pkg/core/store.go:41, 276-280).
    static let slowStoreEvictThreshold: UInt64 = 100
    static let slowStoreRecoverThreshold: UInt64 = 1
    static let slowStoreThreshold: UInt64 = 80

    /// One `Schedule` call (evict_slow_store.go:493-498) behind `IsScheduleAllowed` (:481-490): while a store is
    /// evicted, nothing runs — not even the recovery check — when leader operators reach leader-schedule-limit.
    mutating func runEvictSlowStore() {
        let name = "evict-slow-store-scheduler"
        if schedulers.evictSlowStore.evictStore != nil,
           operators.values.filter({ $0.kind.contains(.leader) }).count >= config.leaderScheduleLimit { return }
        scheduleDiskSlowStore()
        guard let sid = schedulers.evictSlowStore.evictStore else { return }
        scheduleEvictLeaderBatch(name: name, stores: [sid], batch: schedulers.evictSlowStore.batch)
    }

    /// `scheduleDiskSlowStore` (evict_slow_store.go:765-834).
    mutating func scheduleDiskSlowStore() {
        var conf = schedulers.evictSlowStore
        defer { schedulers.evictSlowStore = conf }
        if let sid = conf.evictStore {
            guard let i = storeIndexById[sid], stores[i].state != .tombstone else {
                // The evicted store was removed: release it and look again next time.
                releaseSlowStore(&conf)
                return
            }
            if stores[i].slowScore <= Self.slowStoreRecoverThreshold {
                setRecovered(&conf, true)
                // `readyForRecovery`: at the recovery score for `recovery-duration` since the last change.
                guard (nowNanos - conf.lastSlowStoreCaptureNanos) / Self.second >= Int64(conf.recoverySeconds) else { return }
                releaseSlowStore(&conf)
                return
            }
            // Still (or again) slow: keep evicting, and restart the recovery clock on the change.
            setRecovered(&conf, false)
            return
        }
        var slow: Int?
        for i in stores.indices where stores[i].state != .tombstone {
            guard stores[i].nodeState == .preparing || stores[i].nodeState == .serving,
                  stores[i].slowScore >= Self.slowStoreThreshold else { continue }
            // Only one slow store at a time: with two, PD does nothing.
            if slow != nil { return }
            slow = i
        }
        guard let i = slow, stores[i].slowScore >= Self.slowStoreEvictThreshold else { return }
        // `prepareEvictLeader` (:451-464): mark the store, then persist it as the evicted one.
        stores[i].evictedAsSlowStore = true
        conf.evictedStores = [stores[i].id]
        conf.lastSlowStoreCaptureNanos = nowNanos
    }

    /// `tryUpdateRecoverStatus` (:249-263): the capture time moves whenever the recovered flag flips.
    private func setRecovered(_ conf: inout EvictSlowStoreConfig, _ recovered: Bool) {
        guard conf.isRecovered != recovered else { return }
        conf.isRecovered = recovered
        conf.lastSlowStoreCaptureNanos = nowNanos
    }

    /// `cleanupEvictLeader` (:466-475): clear `evict-stores` and the store's mark. `isRecovered` stays as it was,
    /// as in PD.
    mutating func releaseSlowStore(_ conf: inout EvictSlowStoreConfig) {
        guard let sid = conf.evictStore else { return }
        conf.evictedStores = []
        conf.lastSlowStoreCaptureNanos = 0
        if let i = storeIndexById[sid] { stores[i].evictedAsSlowStore = false }
    }

    /// `CleanConfig` when the scheduler is removed (:440-448).
    mutating func cleanEvictSlowStore() {
        var conf = schedulers.evictSlowStore
        releaseSlowStore(&conf)
        schedulers.evictSlowStore = conf
    }

    /// `scheduleEvictLeaderBatch` + `scheduleEvictLeaderOnce` (evict_leader.go:317-390): up to `batch` rounds, each
    /// moving one leader off every held store to a follower that passes the leader-target filter and the
    /// placement rules (`allowLeader`), as an urgent leader operator named after the scheduler. PD prefers a
    /// healthy region and picks the target at random; the simulator scans from a rotating cursor and picks by
    /// region id, which spreads the leaders the same way.
    mutating func scheduleEvictLeaderBatch(name: String, stores held: [UInt64], batch: Int) {
        for sid in held {
            let s = UInt32(truncatingIfNeeded: sid)
            let slots = scanRegions(limit: batch) { _, r in r.leaderStoreId == s && !r.isInJointState }
            for slot in slots {
                let r = reported[slot]
                // An unhealthy region may still move, but never onto its down or pending peers.
                let targets = r.peers.filter { p in
                    p.storeId != s && !p.pending && p.downSeconds == 0 && allowLeader(p, in: r)
                }
                guard !targets.isEmpty else { continue }
                let to = targets[Int(r.id % UInt64(targets.count))].storeId
                try? addOperator(slot: slot, desc: name, brief: "transfer leader: store \(s) to \(to)",
                                 kind: [.leader], steps: [.transferLeader(from: s, to: to)])
            }
        }
    }
}

extension ClusterState {
    /// The `config` handler's update (evict_slow_store.go:323-340): only the fields given change.
    public mutating func updateEvictSlowStoreConfig(recoverySeconds: UInt64?, batch: Int?, enableNetworkSlowStore: Bool?) {
        if let r = recoverySeconds { schedulers.evictSlowStore.recoverySeconds = r }
        if let b = batch { schedulers.evictSlowStore.batch = b }
        if let n = enableNetworkSlowStore { schedulers.evictSlowStore.enableNetworkSlowStore = n }
    }
}
