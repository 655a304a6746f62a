/// The whole simulated cluster: stores, regions (truth and PD's reported view), operators, schedulers, config.
/// A plain value guarded by `SimulatedCluster`'s lock. Region records live in stable slots (a region keeps its slot
/// for life; a merged-away region's slot is reused by a later split), so a region mutation is O(1); only the key
/// order (`keyOrder`) changes on a split or merge.
public struct ClusterState: Sendable {
    public static let second: Int64 = 1_000_000_000

    /// Current simulated time, Unix ns.
    public internal(set) var nowNanos: Int64
    /// Origin of the monotonic reading printed in operator times (`m=+...`): the simulated PD process start.
    public var monotonicBaseNanos: Int64
    public var clusterId: UInt64 = 7_512_310_118_539_536_325
    public var members: [SimPDMember] = []
    /// The PD member serving as leader; "" while there is none (during an election).
    public var leaderName = ""
    /// Elections, prepare state and what each member believes (see `PDLeadership`).
    public internal(set) var leadership = PDLeadership()
    public var pdVersion = "v8.5.1"
    public var pdGitHash = "d6f6e47e9d1c2cbfd2b3e0a8a1b7c1c3d4e5f6a7"
    public var pdBuildTS = "2025-01-17 03:12:45"
    public var pdStartTimestamp: Int64
    public var raftBootstrapNanos: Int64

    public internal(set) var stores: [StoreRecord] = []
    var storeIndexById: [UInt64: Int] = [:]
    public internal(set) var storeStats: [StoreRegionStats] = []
    /// Per store (same index as `stores`): slots of the regions PD's view places a peer on it. Kept in step with
    /// every region report, so per-store queries need not scan every region.
    public internal(set) var storeSlots: [Set<Int32>] = []
    /// Slots of the reported regions each region check lists, kept in step with every report.
    public internal(set) var checkIndex = RegionCheckIndex()
    /// Known regions PD heard a heartbeat for since its leader took office (not just loaded from storage).
    public internal(set) var heartbeatedRegions = 0
    /// Region count and size/key histograms of the reported view, kept in step with every report.
    public internal(set) var tally = ReportedRegionTally()

    /// The regions in key order, and each slot's key range.
    public internal(set) var keyOrder = RegionKeyOrder()
    /// Region records by slot. A vacant slot (its region merged away) holds `RegionRecord.vacant`.
    public internal(set) var truth: [RegionRecord] = []
    public internal(set) var reported: [RegionRecord] = []
    var slotByRegionId: [UInt64: Int] = [:]
    /// Slots freed by merges, reused by splits.
    var vacantSlots: [Int32] = []
    /// TiKV's split thresholds (`coprocessor.region-split-size` / `-keys`); 0 never splits (the default).
    public var splitSizeMiB: UInt32 = 0
    public var splitKeys: UInt64 = 0
    /// Slots whose size or keys grew since their last split check.
    var splitCheckSlots: Set<Int32> = []
    /// PD's merge checker runs only when enabled (scenarios opt in), so existing clusters never merge.
    public var mergeCheckerEnabled = false
    /// Region ids created or changed by a split, with the split time: PD's split cache (`split-merge-interval`).
    public internal(set) var recentSplits: [UInt64: Int64] = [:]
    /// Writes aimed at one key (`write-flow-on-spot`), in force until their end time.
    public internal(set) var spotFlows: [SpotFlow] = []
    var mergeCursor = 0

    public internal(set) var operators: [UInt64: SimOperator] = [:]
    /// Operators ended per "desc STATUS" since the start (PD's `pd_schedule_operators_count` finish/cancel/timeout events).
    public internal(set) var endedOperatorCounts: [String: Int] = [:]
    /// Every admitted admin operator that ended or was lost in a PD leader change, in that order (for tests).
    public internal(set) var adminOperatorFates: [AdminOperatorFate] = []
    /// Store limits (v1): rates and token buckets per store and type.
    public internal(set) var storeLimits = StoreLimitTable()
    /// Latest finished operator per region, kept 10 minutes.
    public internal(set) var records: [UInt64: SimOperator] = [:]
    public internal(set) var schedulers = SchedulerSet.defaults()
    /// PD keeps `max-replicas` and the `pd/default` rule's count equal (server/api/rule.go:274-285 one way,
    /// `SetReplicationConfig` the other), so any change to the config carries the count over.
    public var config = SimPDConfig() { didSet { syncDefaultRuleCount() } }
    /// PD's placement rules (`pd/default` alone until changed through `/config/rule*`).
    public internal(set) var placement = PlacementRuleSet.initial(maxReplicas: 3, createTimestamp: 0)

    var nextId: UInt64 = 1000
    var immediateReports: [Int] = []
    var pendingElections: [(store: UInt32, atNanos: Int64)] = []
    var scanCursor = 0
    public var rng: SplitMix64
    public internal(set) var faults: [Fault] = []
    /// PD's online unsafe recovery: the stage outputs `GET /admin/unsafe/remove-failed-stores/show` prints, empty while
    /// none ever ran.
    public internal(set) var unsafeRecoveryOutput: [JSONValue] = []
    /// PD API requests other than GET, in arrival order (see `MutationRecord`).
    public internal(set) var mutationLog: [MutationRecord] = []
    var nextFaultId: UInt64 = 1
    /// Scenario events not yet due, in time order.
    public internal(set) var scheduledEvents: [ScheduledEvent] = []
    /// Fault ids injected per scenario event index (for `revert`).
    var eventFaults: [Int: [UInt64]] = [:]
    /// What each applied scenario event did: (event index, time, text).
    /// When the scenario started (its time 0), for conditions that measure a window from the start.
    public internal(set) var scenarioStartNanos: Int64 = 0
    public internal(set) var eventLog: [(index: Int, atNanos: Int64, text: String)] = []

    public init(nowNanos: Int64, seed: UInt64) {
        self.nowNanos = nowNanos
        self.monotonicBaseNanos = nowNanos
        self.pdStartTimestamp = nowNanos / Self.second
        self.raftBootstrapNanos = nowNanos
        self.rng = SplitMix64(seed: seed)
    }

    // MARK: building

    public mutating func addStore(_ s: StoreRecord) {
        storeIndexById[s.id] = stores.count
        stores.append(s)
        storeStats.append(StoreRegionStats())
        storeSlots.append([])
        storeLimits.addStore(s.id)
        nextId = max(nextId, s.id + 1)
    }

    /// Appends a region after the last one; `startCode` must exceed the previous start (0 only for the first).
    public mutating func appendRegion(startCode: UInt64, _ r: RegionRecord) {
        slotByRegionId[r.id] = truth.count
        keyOrder.append(slot: truth.count, start: startCode)
        truth.append(r)
        var rep = r
        rep.known = true
        reported.append(RegionRecord(id: r.id, confVer: 0, version: 0, peers: PeerList(), leaderPeerId: 0, known: false))
        applyReport(slot: truth.count - 1, record: rep)
        nextId = max(nextId, r.id + 1, (r.peers.map(\.id).max() ?? 0) + 1)
    }

    /// Call after building to make fresh ids start above everything.
    public mutating func reserveIds(above id: UInt64) { nextId = max(nextId, id + 1) }

    mutating func allocId() -> UInt64 {
        defer { nextId += 1 }
        return nextId
    }

    // MARK: lookups

    public func storeIndex(_ id: UInt64) -> Int? { storeIndexById[id] }
    public func store(_ id: UInt64) -> StoreRecord? { storeIndexById[id].map { stores[$0] } }
    public func slot(ofRegion id: UInt64) -> Int? { slotByRegionId[id] }
    /// Regions that exist (slots may outnumber them after merges).
    public var regionCount: Int { keyOrder.count }
    /// Start-key codes in key order.
    public var startCodes: [UInt64] { keyOrder.startCodes }

    public func startCode(slot: Int) -> UInt64 { keyOrder.startCode(slot: slot) }
    public func endCode(slot: Int) -> UInt64 { keyOrder.endCode(slot: slot) }

    /// The slot of the region containing an encoded key (binary search over boundary codes).
    public func slot(containing key: [UInt8]) -> Int? {
        keyOrder.rank(containing: key).map { Int(keyOrder.slots[$0]) }
    }

    /// The slot of the region at a rank in key order.
    public func slot(atRank rank: Int) -> Int { Int(keyOrder.slots[rank]) }

    func storeIsUp(_ storeId: UInt32) -> Bool {
        guard let i = storeIndexById[UInt64(storeId)] else { return false }
        return stores[i].isUp
    }

    /// Heartbeat age of a store as PD sees it.
    public func heartbeatAge(_ s: StoreRecord) -> Int64 { nowNanos - s.lastHeartbeatNanos }

    /// PD's `state_name`.
    public func stateName(_ s: StoreRecord) -> String {
        guard s.state == .up else { return s.state.name }
        let age = heartbeatAge(s)
        if age > config.maxStoreDownTimeNanos { return "Down" }
        if age > 20 * Self.second { return "Disconnected" }
        return "Up"
    }

    public func isDisconnected(_ s: StoreRecord) -> Bool { heartbeatAge(s) > 20 * Self.second }
    public func isUnhealthy(_ s: StoreRecord) -> Bool { heartbeatAge(s) > 600 * Self.second }
    public func isDown(_ s: StoreRecord) -> Bool { heartbeatAge(s) >= config.maxStoreDownTimeNanos }

    // MARK: region reports

    /// Replaces PD's view of a region and keeps the per-store sums in step.
    mutating func applyReport(slot: Int, record: RegionRecord) {
        let old = reported[slot]
        if old.known { account(old, sign: -1) }
        if old.known && !old.fromStorage { heartbeatedRegions -= 1 }
        if record.known && !record.fromStorage { heartbeatedRegions += 1 }
        reported[slot] = record
        if record.known { account(record, sign: 1) }
        refreshStatistics(slot: slot, origin: old, region: record)
        tally.update(old: old, new: record)
        // Only a change of the store set touches the index (most reports keep it).
        let before = old.known ? old.peers : PeerList(), after = record.known ? record.peers : PeerList()
        let same = before.count == after.count && zip(before, after).allSatisfy { $0.storeId == $1.storeId }
        if !same {
            for p in before where after.index(ofStore: p.storeId) == nil {
                if let i = storeIndexById[UInt64(p.storeId)] { storeSlots[i].remove(Int32(slot)) }
            }
            for p in after where before.index(ofStore: p.storeId) == nil {
                if let i = storeIndexById[UInt64(p.storeId)] { storeSlots[i].insert(Int32(slot)) }
            }
        }
    }

    private mutating func account(_ r: RegionRecord, sign: Int) {
        let size = Int64(r.approximateSizeMiB) * Int64(sign)
        let s64 = Int64(sign)
        let written = Int64(clamping: r.writtenBytes) * s64, writtenKeys = Int64(clamping: r.writtenKeys) * s64
        for p in r.peers {
            guard let i = storeIndexById[UInt64(p.storeId)] else { continue }
            storeStats[i].regionCount += sign
            storeStats[i].regionSize += size
            storeStats[i].peerWrittenBytes += written
            storeStats[i].peerWrittenKeys += writtenKeys
            if p.role == .learner { storeStats[i].learnerCount += sign }
            if !r.fromStorage { storeStats[i].heartbeatedRegionCount += sign }
            if p.pending { storeStats[i].pendingPeerCount += sign }
            if p.id == r.leaderPeerId {
                storeStats[i].leaderCount += sign
                storeStats[i].leaderSize += size
                storeStats[i].leaderReadBytes += Int64(clamping: r.readBytes) * s64
                storeStats[i].leaderReadKeys += Int64(clamping: r.readKeys) * s64
            }
        }
    }

    /// A region heartbeat from the current leader: PD's view becomes the truth, with down and pending peers
    /// as the leader sees them. No leader, or a leader PD cannot hear, means no heartbeat.
    mutating func heartbeatRegion(slot: Int) {
        var r = truth[slot]
        // Without a PD leader the heartbeat stream has nowhere to go; TiKV reports again on its next interval.
        guard !leaderName.isEmpty, let leader = r.leader, storeIsUp(leader.storeId) else { return }
        for i in r.peers.indices {
            var p = r.peers[i]
            if let si = storeIndexById[UInt64(p.storeId)], !stores[si].isUp {
                let since = stores[si].unreachableSinceNanos ?? nowNanos
                let silent = (nowNanos - since) / Self.second
                // TiKV reports a peer down after max-peer-down-duration (10 min); a silent follower falls behind at once.
                p.downSeconds = silent >= 600 ? UInt32(clamping: silent) : 0
                p.pending = true
            } else {
                p.downSeconds = 0
            }
            r.peers[i] = p
        }
        r.known = true
        applyReport(slot: slot, record: r)
        if operators[r.id] != nil { cancelIfStale(regionId: r.id, region: r) }
    }
}
