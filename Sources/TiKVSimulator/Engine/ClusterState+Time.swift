/// Advancing simulated time: everything happens on whole-second ticks, in a fixed order, so a run is
/// deterministic for a given seed and sequence of calls.
extension ClusterState {
    /// Advances the clock to `target` (Unix ns), running every tick boundary crossed.
    public mutating func advance(toNanos target: Int64) {
        while nowNanos < target {
            let nextTick = (nowNanos / Self.second + 1) * Self.second
            if nextTick > target {
                nowNanos = target
                return
            }
            nowNanos = nextTick
            tick()
        }
    }

    public mutating func advance(seconds: Double) {
        advance(toNanos: nowNanos + Int64(seconds * 1e9))
    }

    /// Sets the clock without running ticks (fixture set-up only).
    public mutating func setClock(nanos: Int64) { nowNanos = nanos }

    mutating func tick() {
        let sec = nowNanos / Self.second
        if !scheduledEvents.isEmpty { applyScheduledEvents() }
        applyTimedFaults()
        runPDElection()
        storeHeartbeats()
        runElections()
        // Without a PD leader only TiKV moves: nothing is scheduled, checked or heard (see `heartbeatRegion`).
        guard !leaderName.isEmpty else {
            advanceWorkload(seconds: 1)
            immediateReports.removeAll(keepingCapacity: true)
            return
        }
        stepOperators()
        checkPrepared()
        if sec % 10 == 0 {
            checkStoreStates()
            // The coordinator runs checkers and schedulers only once prepared (v8.5.7:pkg/schedule/coordinator.go:227-257).
            if leadership.prepared { runRuleChecker() }
        }
        if leadership.prepared {
            runSchedulers()
            if mergeCheckerEnabled { runMergeChecker() }
        }
        advanceWorkload(seconds: 1)
        if !spotFlows.isEmpty { applySpotFlows() }
        if splitSizeMiB > 0 || splitKeys > 0 { runSplitChecks() }
        // Regions heartbeat every 60 s, spread over the minute by slot; changed regions report at once.
        let phase = Int(sec % 60)
        var s = phase
        while s < truth.count {
            heartbeatRegion(slot: s)
            s += 60
        }
        flushImmediateReports()
        expireRecords()
    }

    /// Delivers the region heartbeats TiKV sends at once after a change (public for benchmarks that mutate outside ticks).
    public mutating func flushImmediateReports() {
        guard !immediateReports.isEmpty else { return }
        let slots = immediateReports
        immediateReports.removeAll(keepingCapacity: true)
        for s in slots { heartbeatRegion(slot: s) }
    }

    mutating func storeHeartbeats() {
        for i in stores.indices where stores[i].nextHeartbeatNanos <= nowNanos {
            // PD stamps the receipt; with no leader the heartbeat is lost and TiKV sends the next one on time.
            if stores[i].isUp && stores[i].state != .tombstone && !leaderName.isEmpty {
                stores[i].lastHeartbeatNanos = stores[i].nextHeartbeatNanos
                stores[i].reportedCapacity = stores[i].capacityBytes
                stores[i].reportedAvailable = stores[i].availableBytes
                stores[i].reportedUsed = stores[i].usedBytes
                stores[i].reportedBusy = stores[i].busy
                // TiKV's disk probe feeds its slow score once per heartbeat interval (10 s).
                stores[i].diskSlowScore.update(timeoutRatio: DiskSlowScore.timeoutRatio(slowFactor: stores[i].slowFactor),
                                               elapsedSeconds: 10)
                stores[i].slowScore = stores[i].diskSlowScore.reported
            }
            stores[i].nextHeartbeatNanos += 10 * Self.second
        }
    }

    /// PD's 10 s store check: an empty Removing store becomes a Tombstone (v8.5 semantics: region count 0);
    /// a Preparing store starts Serving while the cluster is small or after max-store-preparing-time.
    mutating func checkStoreStates() {
        for i in stores.indices {
            switch stores[i].nodeState {
            case .removing where storeStats[i].regionCount == 0:
                stores[i].state = .tombstone
                stores[i].nodeState = .removed
                // BuryStore drops the store's limits (v8.5.7:server/cluster/cluster.go:1653-1654).
                storeLimits.removeStore(stores[i].id)
            case .preparing where stores[i].state == .up:
                let uptime = nowNanos / Self.second - stores[i].startTimestamp
                if regionCount < 100 || uptime >= 48 * 3600 { stores[i].nodeState = .serving }
            default: break
            }
        }
    }

    /// Marks a store unreachable or reachable and schedules leader elections for its regions.
    mutating func setStoreReachability(index i: Int, alive: Bool, reachable: Bool) {
        let wasUp = stores[i].isUp
        let wasAlive = stores[i].processAlive
        stores[i].processAlive = alive
        stores[i].reachable = reachable
        let isUp = stores[i].isUp
        if !wasAlive && alive {
            // A new TiKV process registers with its own start time (`PutStore` at startup), so PD's start_ts and uptime
            // move even when the outage was too short for a heartbeat to be missed; a healed partition keeps them.
            stores[i].startTimestamp = nowNanos / Self.second
        }
        if wasUp && !isUp {
            stores[i].unreachableSinceNanos = nowNanos
            // Followers notice after the raft election timeout (~10 s).
            pendingElections.append((UInt32(stores[i].id), nowNanos + 10 * Self.second))
        } else if !wasUp && isUp {
            stores[i].unreachableSinceNanos = nil
            // Its raft logs lag until it has caught up; TiKV will not hand it leadership before that.
            stores[i].logsCaughtUpAtNanos = nowNanos + Self.logCatchUpNanos
            // A restarted process starts its counters from zero; a healed partition keeps them.
            if !wasAlive {
                stores[i].workload = StoreWorkload()
                // A new TiKV process starts its slow score at 1.
                stores[i].diskSlowScore = DiskSlowScore()
            }
            // A restarted or reconnected TiKV reports at once; leaderless regions can elect again.
            stores[i].nextHeartbeatNanos = min(stores[i].nextHeartbeatNanos, nowNanos + Self.second)
            reelectLeaderless()
        }
    }

    /// Regions led by a dead store elect a new leader among reachable voters when a majority is alive.
    mutating func runElections() {
        guard pendingElections.contains(where: { $0.atNanos <= nowNanos }) else { return }
        let due = pendingElections.filter { $0.atNanos <= nowNanos }.map(\.store)
        pendingElections.removeAll { $0.atNanos <= nowNanos }
        let dead = Set(due.filter { !storeIsUp($0) })
        guard !dead.isEmpty else { return }
        for slot in truth.indices {
            guard let l = truth[slot].leader, dead.contains(l.storeId) else { continue }
            electLeader(slot: slot)
        }
    }

    /// Picks the first reachable voter as leader if a quorum of voters is reachable; otherwise no leader.
    mutating func electLeader(slot: Int) {
        let r = truth[slot]
        let voters = r.peers.filter { $0.role.votes }
        let alive = voters.filter { storeIsUp($0.storeId) && !$0.pending }
        if alive.count * 2 > voters.count, let next = alive.first(where: { $0.role.isVoter }) {
            truth[slot].leaderPeerId = next.id
            immediateReports.append(slot)
        } else {
            truth[slot].leaderPeerId = 0
        }
    }

    /// A store coming back: regions without a leader can elect again.
    mutating func reelectLeaderless() {
        for slot in truth.indices where truth[slot].leaderPeerId == 0 { electLeader(slot: slot) }
    }

    mutating func expireRecords() {
        let ttl = 600 * Self.second
        if records.isEmpty { return }
        records = records.filter { (nowNanos - ($0.value.finishedAtNanos ?? 0)) <= ttl }
    }
}
