import Foundation
import PDWire

/// One PD member and whether `/health` called it healthy.
public struct MemberSnapshot: Sendable, Hashable {
    public var name: String
    public var memberID: UInt64
    public var clientURLs: [String]
    public var isLeader: Bool
    /// nil when `/health` did not mention the member.
    public var healthy: Bool?

    public init(name: String, memberID: UInt64, clientURLs: [String] = [], isLeader: Bool = false, healthy: Bool? = nil) {
        self.name = name
        self.memberID = memberID
        self.clientURLs = clientURLs
        self.isLeader = isLeader
        self.healthy = healthy
    }
}

/// The schedulers PD runs, and the stores its evict-leader scheduler holds.
public struct SchedulerSnapshot: Sendable, Hashable {
    /// `GET /schedulers` names, e.g. `balance-leader-scheduler`, `evict-leader-scheduler`.
    public var names: [String]
    public var paused: [String]
    /// Stores held by the (single) evict-leader scheduler, sorted.
    public var evictLeaderStores: [UInt64]
    /// Stores PD's own evict-slow-store scheduler is evicting (their slow score reached 100), sorted. PD's
    /// protective action, not the controller's: never a leftover, never a target.
    public var evictSlowStores: [UInt64]

    public init(names: [String] = [], paused: [String] = [], evictLeaderStores: [UInt64] = [], evictSlowStores: [UInt64] = []) {
        self.names = names
        self.paused = paused
        self.evictLeaderStores = evictLeaderStores
        self.evictSlowStores = evictSlowStores
    }
}

/// An operator PD is running on a region (from `GET /operators`).
public struct OperatorSnapshot: Sendable, Hashable {
    public var regionID: UInt64
    /// PD's description, e.g. `transfer-leader`, `admin-transfer-leader`, `balance-region`.
    public var description: String
    /// The operator text as PD returned it, for people.
    public var text: String
    /// When PD admitted it (its start, else its creation), on the controller's clock; nil when PD's text had neither.
    public var admittedAt: Date?
    /// Stores its steps add a peer or learner to: each took add-peer store-limit tokens when PD admitted it.
    public var addsPeerOn: [UInt64]
    /// The region's approximate size (MiB) when the operator was made, which sets each step's token cost.
    public var sizeMiB: Int64

    public init(regionID: UInt64, description: String, text: String = "", admittedAt: Date? = nil, addsPeerOn: [UInt64] = [],
                sizeMiB: Int64 = 0) {
        self.regionID = regionID
        self.description = description
        self.text = text
        self.admittedAt = admittedAt
        self.addsPeerOn = addsPeerOn
        self.sizeMiB = sizeMiB
    }
}

/// The PD settings the invariants and planners obey.
public struct PDSettings: Sendable, Hashable {
    public var maxReplicas: Int
    public var maxStoreDownTime: GoDuration
    public var leaderScheduleLimit: Int
    public var regionScheduleLimit: Int
    /// PD's low-space ratio: a store is low on space when used/capacity exceeds it.
    public var lowSpaceRatio: Double
    public var highSpaceRatio: Double
    /// `label-property` `reject-leader`: a store carrying any of these labels never takes leaders.
    public var rejectLeaderLabels: [StoreLabel]
    /// PD's per-store operator rate limits.
    public var storeLimits: StoreLimitSettings
    /// `replication.location-labels`, topmost level first (`zone,host`); empty: PD places replicas without regard to labels.
    public var locationLabels: [String]
    /// `replication.isolation-level`: replicas must never share this level's value; empty when unset.
    public var isolationLevel: String
    /// `schedule.replica-schedule-limit`: how many replica operators (the checkers' fixes) PD runs at once; 0 stops them.
    public var replicaScheduleLimit: Int

    public init(maxReplicas: Int = 3, maxStoreDownTime: GoDuration = .minutes(30), leaderScheduleLimit: Int = 4,
                regionScheduleLimit: Int = 2048, lowSpaceRatio: Double = 0.8, highSpaceRatio: Double = 0.7,
                rejectLeaderLabels: [StoreLabel] = [], storeLimits: StoreLimitSettings = StoreLimitSettings(),
                locationLabels: [String] = [], isolationLevel: String = "", replicaScheduleLimit: Int = 64) {
        self.maxReplicas = maxReplicas
        self.maxStoreDownTime = maxStoreDownTime
        self.leaderScheduleLimit = leaderScheduleLimit
        self.regionScheduleLimit = regionScheduleLimit
        self.lowSpaceRatio = lowSpaceRatio
        self.highSpaceRatio = highSpaceRatio
        self.rejectLeaderLabels = rejectLeaderLabels
        self.storeLimits = storeLimits
        self.locationLabels = locationLabels
        self.isolationLevel = isolationLevel
        self.replicaScheduleLimit = replicaScheduleLimit
    }
}

/// PD's region checks: which regions have which problem. Counts are exact; ids may be capped.
public enum RegionCheck: String, Sendable, Hashable, CaseIterable, Codable {
    case missPeer = "miss-peer"
    case extraPeer = "extra-peer"
    case downPeer = "down-peer"
    case pendingPeer = "pending-peer"
    case offlinePeer = "offline-peer"
    case learnerPeer = "learner-peer"
    case emptyRegion = "empty-region"
    case oversizedRegion = "oversized-region"
    case undersizedRegion = "undersized-region"
}

public struct RegionCheckResult: Sendable, Hashable {
    public var count: Int
    /// The first regions found (capped by the observer so a bad day stays cheap), sorted.
    public var regionIDs: [UInt64]
    /// For each store, how many of the listed regions have a peer there.
    public var storesInvolved: [UInt64: Int]

    public init(count: Int, regionIDs: [UInt64] = [], storesInvolved: [UInt64: Int] = [:]) {
        self.count = count
        self.regionIDs = regionIDs
        self.storesInvolved = storesInvolved
    }
}

/// A hot region as PD's hotspot statistics report it (leader side).
public struct HotRegion: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable, Codable { case read, write }
    public var regionID: UInt64
    public var storeID: UInt64
    public var direction: Direction
    public var bytesPerSecond: Double
    public var keysPerSecond: Double
    public var hotDegree: Int

    public init(regionID: UInt64, storeID: UInt64, direction: Direction, bytesPerSecond: Double, keysPerSecond: Double = 0,
                hotDegree: Int = 0) {
        self.regionID = regionID
        self.storeID = storeID
        self.direction = direction
        self.bytesPerSecond = bytesPerSecond
        self.keysPerSecond = keysPerSecond
        self.hotDegree = hotDegree
    }
}
