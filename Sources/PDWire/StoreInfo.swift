import Foundation

/// `GET /pd/api/v1/stores` and `/stores/check`: `{"count": n, "stores": [StoreInfo]}`.
public struct StoresInfo: Hashable, Sendable, Decodable {
    public var count: Int
    public var stores: [StoreInfo]

    public init(count: Int, stores: [StoreInfo]) {
        self.count = count
        self.stores = stores
    }

    enum CodingKeys: String, CodingKey { case count, stores }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decodeIfPresent(Int.self, forKey: .count) ?? 0
        // PD writes `null` for an empty Go slice in some builds; treat it as no stores.
        stores = try c.decodeIfPresent([StoreInfo].self, forKey: .stores) ?? []
    }
}

/// One element of `/stores`, and the body of `GET /store/{id}` (`pkg/response/store.go`).
public struct StoreInfo: Hashable, Sendable, Decodable {
    public var store: MetaStore
    public var status: StoreStatus

    public init(store: MetaStore, status: StoreStatus) {
        self.store = store
        self.status = status
    }

    /// How long ago PD last heard from the store, from the freshest of the two heartbeat fields.
    /// `nil` when the store has never sent a heartbeat.
    public func heartbeatAge(now: GoTime) -> GoDuration? {
        let candidates = [status.lastHeartbeatTS?.unixNanoseconds, store.lastHeartbeat > 0 ? store.lastHeartbeat : nil]
        guard let last = candidates.compactMap({ $0 }).max() else { return nil }
        return GoDuration(nanoseconds: now.unixNanoseconds - last)
    }

    /// Liveness computed from the heartbeat age, whatever `state_name` says: an Offline store that
    /// died still reports "Offline", so `state_name` alone cannot tell it is gone (SUMMARY.md fact 3).
    public func liveness(now: GoTime, maxStoreDownTime: GoDuration = .minutes(30)) -> StoreLiveness {
        if store.state == .tombstone { return .tombstone }
        guard let age = heartbeatAge(now: now) else { return .neverSeen }
        // PD's comparisons are strict (`>`), see STATES.md §1.
        if age > maxStoreDownTime { return .down }
        if age > StoreLiveness.disconnectThreshold { return .disconnected }
        return .alive
    }
}

/// What the heartbeat age says about a store, independent of PD's `state_name`.
public enum StoreLiveness: String, Hashable, Sendable {
    case alive, disconnected, down, tombstone, neverSeen
    /// `storeDisconnectDuration` in `pkg/core/store.go`.
    public static let disconnectThreshold = GoDuration.seconds(20)
}

/// `metapb.StoreState`; absent from the JSON when 0 (Up).
public enum StoreState: Hashable, Sendable {
    case up, offline, tombstone
    case unknown(Int64)

    public init(rawValue: Int64) {
        switch rawValue {
        case 0: self = .up
        case 1: self = .offline
        case 2: self = .tombstone
        default: self = .unknown(rawValue)
        }
    }
}

/// `metapb.NodeState`; absent from the JSON when 0 (Preparing).
public enum NodeState: Hashable, Sendable {
    case preparing, serving, removing, removed
    case unknown(Int64)

    public init(rawValue: Int64) {
        switch rawValue {
        case 0: self = .preparing
        case 1: self = .serving
        case 2: self = .removing
        case 3: self = .removed
        default: self = .unknown(rawValue)
        }
    }
}

public struct StoreLabel: Hashable, Sendable, Decodable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    enum CodingKeys: String, CodingKey { case key, value }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decodeIfPresent(String.self, forKey: .key) ?? ""
        value = try c.decodeIfPresent(String.self, forKey: .value) ?? ""
    }
}

/// `MetaStore`: `metapb.Store` (every field omitempty) plus the computed `state_name`.
public struct MetaStore: Hashable, Sendable, Decodable {
    public var id: UInt64
    public var address: String
    public var state: StoreState
    public var labels: [StoreLabel]
    public var version: String
    public var peerAddress: String
    /// The TiKV status/metrics address (`:20180`): Prometheus' `instance` label for TiKV series.
    public var statusAddress: String
    public var gitHash: String
    /// Unix seconds.
    public var startTimestamp: Int64
    public var deployPath: String
    /// Unix nanoseconds; 0 when never heard from.
    public var lastHeartbeat: Int64
    public var physicallyDestroyed: Bool
    public var nodeState: NodeState
    /// As PD reports it: "Up", "Disconnected", "Down", "Offline", "Tombstone".
    public var stateName: String

    public init(
        id: UInt64, address: String = "", state: StoreState = .up, labels: [StoreLabel] = [],
        version: String = "", peerAddress: String = "", statusAddress: String = "", gitHash: String = "",
        startTimestamp: Int64 = 0, deployPath: String = "", lastHeartbeat: Int64 = 0,
        physicallyDestroyed: Bool = false, nodeState: NodeState = .preparing, stateName: String = "Up"
    ) {
        self.id = id
        self.address = address
        self.state = state
        self.labels = labels
        self.version = version
        self.peerAddress = peerAddress
        self.statusAddress = statusAddress
        self.gitHash = gitHash
        self.startTimestamp = startTimestamp
        self.deployPath = deployPath
        self.lastHeartbeat = lastHeartbeat
        self.physicallyDestroyed = physicallyDestroyed
        self.nodeState = nodeState
        self.stateName = stateName
    }

    public func label(_ key: String) -> String? { labels.first { $0.key == key }?.value }

    enum CodingKeys: String, CodingKey {
        case id, address, state, labels, version
        case peerAddress = "peer_address", statusAddress = "status_address", gitHash = "git_hash"
        case startTimestamp = "start_timestamp", deployPath = "deploy_path", lastHeartbeat = "last_heartbeat"
        case physicallyDestroyed = "physically_destroyed", nodeState = "node_state", stateName = "state_name"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UInt64.self, forKey: .id)
        address = try c.decodeIfPresent(String.self, forKey: .address) ?? ""
        state = StoreState(rawValue: try c.decodeIfPresent(Int64.self, forKey: .state) ?? 0)
        labels = try c.decodeIfPresent([StoreLabel].self, forKey: .labels) ?? []
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? ""
        peerAddress = try c.decodeIfPresent(String.self, forKey: .peerAddress) ?? ""
        statusAddress = try c.decodeIfPresent(String.self, forKey: .statusAddress) ?? ""
        gitHash = try c.decodeIfPresent(String.self, forKey: .gitHash) ?? ""
        startTimestamp = try c.decodeIfPresent(Int64.self, forKey: .startTimestamp) ?? 0
        deployPath = try c.decodeIfPresent(String.self, forKey: .deployPath) ?? ""
        lastHeartbeat = try c.decodeIfPresent(Int64.self, forKey: .lastHeartbeat) ?? 0
        physicallyDestroyed = try c.decodeIfPresent(Bool.self, forKey: .physicallyDestroyed) ?? false
        nodeState = NodeState(rawValue: try c.decodeIfPresent(Int64.self, forKey: .nodeState) ?? 0)
        stateName = try c.decodeIfPresent(String.self, forKey: .stateName) ?? ""
    }
}

/// `StoreStatus` from `pkg/response/store.go`. Sizes are ByteSize strings; region sizes are MiB.
public struct StoreStatus: Hashable, Sendable, Decodable {
    public var capacity: ByteSize
    public var available: ByteSize
    public var usedSize: ByteSize
    public var leaderCount: Int
    public var leaderWeight: Double
    public var leaderScore: Double
    /// MiB.
    public var leaderSize: Int64
    public var regionCount: Int
    public var regionWeight: Double
    public var regionScore: Double
    /// MiB.
    public var regionSize: Int64
    public var learnerCount: Int
    public var witnessCount: Int
    public var pendingPeerCount: Int
    /// 1..100 as TiKV reports it; 0 when absent. ≥ 80 counts as slow.
    public var slowScore: UInt64
    public var networkSlowScore: [String: UInt64]
    public var slowTrend: SlowTrend?
    public var sendingSnapCount: UInt32
    public var receivingSnapCount: UInt32
    public var isBusy: Bool
    public var startTS: GoTime?
    public var lastHeartbeatTS: GoTime?
    public var uptime: GoDuration?
    /// True while an evict-leader (or evict-slow-store) scheduler holds the store (master only).
    public var pauseLeaderTransferIn: Bool
    public var pauseLeaderTransferOut: Bool

    public init(
        capacity: ByteSize = ByteSize(0), available: ByteSize = ByteSize(0), usedSize: ByteSize = ByteSize(0),
        leaderCount: Int = 0, leaderWeight: Double = 1, leaderScore: Double = 0, leaderSize: Int64 = 0,
        regionCount: Int = 0, regionWeight: Double = 1, regionScore: Double = 0, regionSize: Int64 = 0,
        learnerCount: Int = 0, witnessCount: Int = 0, pendingPeerCount: Int = 0, slowScore: UInt64 = 0,
        networkSlowScore: [String: UInt64] = [:], slowTrend: SlowTrend? = nil,
        sendingSnapCount: UInt32 = 0, receivingSnapCount: UInt32 = 0, isBusy: Bool = false,
        startTS: GoTime? = nil, lastHeartbeatTS: GoTime? = nil, uptime: GoDuration? = nil,
        pauseLeaderTransferIn: Bool = false, pauseLeaderTransferOut: Bool = false
    ) {
        self.capacity = capacity
        self.available = available
        self.usedSize = usedSize
        self.leaderCount = leaderCount
        self.leaderWeight = leaderWeight
        self.leaderScore = leaderScore
        self.leaderSize = leaderSize
        self.regionCount = regionCount
        self.regionWeight = regionWeight
        self.regionScore = regionScore
        self.regionSize = regionSize
        self.learnerCount = learnerCount
        self.witnessCount = witnessCount
        self.pendingPeerCount = pendingPeerCount
        self.slowScore = slowScore
        self.networkSlowScore = networkSlowScore
        self.slowTrend = slowTrend
        self.sendingSnapCount = sendingSnapCount
        self.receivingSnapCount = receivingSnapCount
        self.isBusy = isBusy
        self.startTS = startTS
        self.lastHeartbeatTS = lastHeartbeatTS
        self.uptime = uptime
        self.pauseLeaderTransferIn = pauseLeaderTransferIn
        self.pauseLeaderTransferOut = pauseLeaderTransferOut
    }

    enum CodingKeys: String, CodingKey {
        case capacity, available, usedSize = "used_size"
        case leaderCount = "leader_count", leaderWeight = "leader_weight", leaderScore = "leader_score"
        case leaderSize = "leader_size", regionCount = "region_count", regionWeight = "region_weight"
        case regionScore = "region_score", regionSize = "region_size", learnerCount = "learner_count"
        case witnessCount = "witness_count", pendingPeerCount = "pending_peer_count", slowScore = "slow_score"
        case networkSlowScore = "network_slow_score", slowTrend = "slow_trend"
        case sendingSnapCount = "sending_snap_count", receivingSnapCount = "receiving_snap_count"
        case isBusy = "is_busy", startTS = "start_ts", lastHeartbeatTS = "last_heartbeat_ts", uptime
        case pauseLeaderTransferIn = "pause_leader_transfer_in", pauseLeaderTransferOut = "pause_leader_transfer_out"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        capacity = try c.decodeIfPresent(ByteSize.self, forKey: .capacity) ?? ByteSize(0)
        available = try c.decodeIfPresent(ByteSize.self, forKey: .available) ?? ByteSize(0)
        usedSize = try c.decodeIfPresent(ByteSize.self, forKey: .usedSize) ?? ByteSize(0)
        leaderCount = try c.decodeIfPresent(Int.self, forKey: .leaderCount) ?? 0
        leaderWeight = try c.decodeIfPresent(Double.self, forKey: .leaderWeight) ?? 0
        leaderScore = try c.decodeIfPresent(Double.self, forKey: .leaderScore) ?? 0
        leaderSize = try c.decodeIfPresent(Int64.self, forKey: .leaderSize) ?? 0
        regionCount = try c.decodeIfPresent(Int.self, forKey: .regionCount) ?? 0
        regionWeight = try c.decodeIfPresent(Double.self, forKey: .regionWeight) ?? 0
        regionScore = try c.decodeIfPresent(Double.self, forKey: .regionScore) ?? 0
        regionSize = try c.decodeIfPresent(Int64.self, forKey: .regionSize) ?? 0
        learnerCount = try c.decodeIfPresent(Int.self, forKey: .learnerCount) ?? 0
        witnessCount = try c.decodeIfPresent(Int.self, forKey: .witnessCount) ?? 0
        pendingPeerCount = try c.decodeIfPresent(Int.self, forKey: .pendingPeerCount) ?? 0
        slowScore = try c.decodeIfPresent(UInt64.self, forKey: .slowScore) ?? 0
        networkSlowScore = try c.decodeIfPresent([String: UInt64].self, forKey: .networkSlowScore) ?? [:]
        slowTrend = try c.decodeIfPresent(SlowTrend.self, forKey: .slowTrend)
        sendingSnapCount = try c.decodeIfPresent(UInt32.self, forKey: .sendingSnapCount) ?? 0
        receivingSnapCount = try c.decodeIfPresent(UInt32.self, forKey: .receivingSnapCount) ?? 0
        isBusy = try c.decodeIfPresent(Bool.self, forKey: .isBusy) ?? false
        startTS = try c.decodeIfPresent(GoTime.self, forKey: .startTS)
        lastHeartbeatTS = try c.decodeIfPresent(GoTime.self, forKey: .lastHeartbeatTS)
        uptime = try c.decodeIfPresent(GoDuration.self, forKey: .uptime)
        pauseLeaderTransferIn = try c.decodeIfPresent(Bool.self, forKey: .pauseLeaderTransferIn) ?? false
        pauseLeaderTransferOut = try c.decodeIfPresent(Bool.self, forKey: .pauseLeaderTransferOut) ?? false
    }
}

public struct SlowTrend: Hashable, Sendable, Decodable {
    public var causeValue: Double
    public var causeRate: Double
    public var resultValue: Double
    public var resultRate: Double

    enum CodingKeys: String, CodingKey {
        case causeValue = "cause_value", causeRate = "cause_rate"
        case resultValue = "result_value", resultRate = "result_rate"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        causeValue = try c.decodeIfPresent(Double.self, forKey: .causeValue) ?? 0
        causeRate = try c.decodeIfPresent(Double.self, forKey: .causeRate) ?? 0
        resultValue = try c.decodeIfPresent(Double.self, forKey: .resultValue) ?? 0
        resultRate = try c.decodeIfPresent(Double.self, forKey: .resultRate) ?? 0
    }
}
