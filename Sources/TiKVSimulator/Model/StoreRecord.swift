/// `metapb.SimStoreState`.
public enum SimStoreState: Int, Sendable {
    case up = 0, offline = 1, tombstone = 2
    public var name: String { self == .up ? "Up" : self == .offline ? "Offline" : "Tombstone" }
}

/// `metapb.SimNodeState`.
public enum SimNodeState: Int, Sendable {
    case preparing = 0, serving = 1, removing = 2, removed = 3
}

/// One TiKV store: its metadata, the TiKV process's condition, and what its last heartbeat told PD.
public struct StoreRecord: Sendable {
    public var id: UInt64
    public var address: String
    public var peerAddress: String
    public var statusAddress: String
    public var labels: [(key: String, value: String)]
    public var version: String
    public var gitHash: String
    public var deployPath: String
    /// TiKV process start, Unix seconds.
    public var startTimestamp: Int64

    // PD's persisted state pair; changed only through `StoreTransition`.
    public internal(set) var state: SimStoreState
    public internal(set) var nodeState: SimNodeState
    public internal(set) var physicallyDestroyed: Bool

    public var leaderWeight: Double
    public var regionWeight: Double

    // The TiKV side (truth).
    public var capacityBytes: UInt64
    public var availableBytes: UInt64
    public var usedBytes: UInt64
    /// The process runs (false after a kill).
    public var processAlive: Bool
    /// Reachable by PD and by its raft peers (false during a partition).
    public var reachable: Bool
    /// Latency multiplier (slow-store fault).
    public var slowFactor: Double
    /// TiKV's disk slow score, fed by the disk probe (the truth; `slowScore` is what PD last heard).
    public var diskSlowScore = DiskSlowScore()
    /// Snapshot I/O budget for incoming snapshots, bytes per second.
    public var snapshotBytesPerSecond: Double
    /// When the store stopped answering raft messages; used for down peers.
    public var unreachableSinceNanos: Int64?
    /// Next store heartbeat (Unix ns).
    public var nextHeartbeatNanos: Int64

    // The reported view (last store heartbeat processed by PD).
    public var lastHeartbeatNanos: Int64
    public var reportedCapacity: UInt64
    public var reportedAvailable: UInt64
    public var reportedUsed: UInt64
    public var slowScore: UInt64
    public var slowTrend: SlowTrend?
    public var sendingSnapCount: UInt32
    public var receivingSnapCount: UInt32
    /// TiKV's `is_busy` (the store reports its raftstore as too busy to take work), as last reported.
    public var reportedBusy = false
    /// The TiKV side of `is_busy`: set by a fault, reported at the next store heartbeat.
    public var busy = false
    /// Until when a store that came back (restart or healed partition) is still catching up its raft logs.
    public var logsCaughtUpAtNanos: Int64 = 0

    // PD-side marks its protective schedulers put on a store (`core.StoreInfo`): leader transfer-in is paused.
    /// Held by `evict-slow-store-scheduler` (`EvictedAsSlowStore`).
    public internal(set) var evictedAsSlowStore = false
    /// Held by `evict-stopping-store-scheduler` (`EvictedAsStoppingStore`).
    public internal(set) var evictedAsStoppingStore = false
    /// TiKV's cumulative request and flow counters (the workload model).
    public var workload = StoreWorkload()

    public struct SlowTrend: Sendable {
        public var causeValue: Double, causeRate: Double, resultValue: Double, resultRate: Double
        public init(causeValue: Double, causeRate: Double, resultValue: Double, resultRate: Double) {
            self.causeValue = causeValue
            self.causeRate = causeRate
            self.resultValue = resultValue
            self.resultRate = resultRate
        }
    }

    public init(id: UInt64, address: String, statusAddress: String, labels: [(key: String, value: String)] = [],
                version: String = "8.5.1", gitHash: String = "", deployPath: String = "/",
                startTimestamp: Int64, capacityBytes: UInt64, availableBytes: UInt64, usedBytes: UInt64,
                lastHeartbeatNanos: Int64, nodeState: SimNodeState = .serving) {
        self.id = id
        self.address = address
        self.peerAddress = address
        self.statusAddress = statusAddress
        self.labels = labels
        self.version = version
        self.gitHash = gitHash
        self.deployPath = deployPath
        self.startTimestamp = startTimestamp
        self.state = .up
        self.nodeState = nodeState
        self.physicallyDestroyed = false
        self.leaderWeight = 1
        self.regionWeight = 1
        self.capacityBytes = capacityBytes
        self.availableBytes = availableBytes
        self.usedBytes = usedBytes
        self.processAlive = true
        self.reachable = true
        self.slowFactor = 1
        self.snapshotBytesPerSecond = 100 * 1024 * 1024
        self.unreachableSinceNanos = nil
        self.nextHeartbeatNanos = lastHeartbeatNanos + 10_000_000_000
        self.lastHeartbeatNanos = lastHeartbeatNanos
        self.reportedCapacity = capacityBytes
        self.reportedAvailable = availableBytes
        self.reportedUsed = usedBytes
        self.slowScore = 1
        self.slowTrend = nil
        self.sendingSnapCount = 0
        self.receivingSnapCount = 0
    }

    /// The store talks to PD and to raft peers.
    public var isUp: Bool { processAlive && reachable }
    public var isRemoving: Bool { nodeState == .removing || nodeState == .removed }
}

/// Per-store sums over PD's reported regions, maintained incrementally on every region report.
public struct StoreRegionStats: Sendable, Equatable {
    public var leaderCount = 0
    public var leaderSize: Int64 = 0
    public var regionCount = 0
    public var regionSize: Int64 = 0
    public var learnerCount = 0
    public var pendingPeerCount = 0
    /// Regions with a peer here that PD heard a heartbeat for since its leader took office (prepare_checker).
    public var heartbeatedRegionCount = 0
    /// Written bytes/keys of the regions with a peer here, read bytes/keys of the regions led here (per-interval
    /// deltas, as reported): the store loads PD's hotspot endpoints print, without a pass over every region.
    public var peerWrittenBytes: Int64 = 0
    public var peerWrittenKeys: Int64 = 0
    public var leaderReadBytes: Int64 = 0
    public var leaderReadKeys: Int64 = 0
    public init() {}
}
