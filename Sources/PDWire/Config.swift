/// `GET /config/schedule`: only the fields a controller needs; unknown keys are ignored.
public struct ScheduleConfig: Hashable, Sendable, Decodable {
    public var maxSnapshotCount: Int?
    public var maxPendingPeerCount: Int?
    public var maxMergeRegionSize: Int?
    public var maxMergeRegionKeys: Int?
    /// Default 30m: after it a silent Up store is Down and its peers get replaced.
    public var maxStoreDownTime: GoDuration?
    public var maxStorePreparingTime: GoDuration?
    public var splitMergeInterval: GoDuration?
    public var patrolRegionInterval: GoDuration?
    public var leaderScheduleLimit: Int?
    public var leaderSchedulePolicy: String?
    public var regionScheduleLimit: Int?
    public var replicaScheduleLimit: Int?
    public var mergeScheduleLimit: Int?
    public var hotRegionScheduleLimit: Int?
    public var lowSpaceRatio: Double?
    public var highSpaceRatio: Double?
    public var enableRemoveDownReplica: Bool?
    public var enableReplaceOfflineReplica: Bool?
    public var enableMakeUpReplica: Bool?
    public var enableRemoveExtraReplica: Bool?
    public var enableJointConsensus: Bool?
    /// Left out when false.
    public var haltScheduling: Bool
    /// Per-store operator rate limits (remove-peer is 1e8 while a store is Offline).
    public var storeLimit: [UInt64: StoreLimit]
    /// `v1` (token buckets at `store-limit`'s rates) or `v2` (sliding windows fed by TiKV); nil when absent.
    public var storeLimitVersion: String?

    enum CodingKeys: String, CodingKey {
        case maxSnapshotCount = "max-snapshot-count", maxPendingPeerCount = "max-pending-peer-count"
        case maxMergeRegionSize = "max-merge-region-size", maxMergeRegionKeys = "max-merge-region-keys"
        case maxStoreDownTime = "max-store-down-time", maxStorePreparingTime = "max-store-preparing-time"
        case splitMergeInterval = "split-merge-interval", patrolRegionInterval = "patrol-region-interval"
        case leaderScheduleLimit = "leader-schedule-limit", leaderSchedulePolicy = "leader-schedule-policy"
        case regionScheduleLimit = "region-schedule-limit", replicaScheduleLimit = "replica-schedule-limit"
        case mergeScheduleLimit = "merge-schedule-limit", hotRegionScheduleLimit = "hot-region-schedule-limit"
        case lowSpaceRatio = "low-space-ratio", highSpaceRatio = "high-space-ratio"
        case enableRemoveDownReplica = "enable-remove-down-replica"
        case enableReplaceOfflineReplica = "enable-replace-offline-replica"
        case enableMakeUpReplica = "enable-make-up-replica", enableRemoveExtraReplica = "enable-remove-extra-replica"
        case enableJointConsensus = "enable-joint-consensus", haltScheduling = "halt-scheduling"
        case storeLimit = "store-limit", storeLimitVersion = "store-limit-version"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxSnapshotCount = try c.decodeIfPresent(Int.self, forKey: .maxSnapshotCount)
        maxPendingPeerCount = try c.decodeIfPresent(Int.self, forKey: .maxPendingPeerCount)
        maxMergeRegionSize = try c.decodeIfPresent(Int.self, forKey: .maxMergeRegionSize)
        maxMergeRegionKeys = try c.decodeIfPresent(Int.self, forKey: .maxMergeRegionKeys)
        maxStoreDownTime = try c.decodeIfPresent(GoDuration.self, forKey: .maxStoreDownTime)
        maxStorePreparingTime = try c.decodeIfPresent(GoDuration.self, forKey: .maxStorePreparingTime)
        splitMergeInterval = try c.decodeIfPresent(GoDuration.self, forKey: .splitMergeInterval)
        patrolRegionInterval = try c.decodeIfPresent(GoDuration.self, forKey: .patrolRegionInterval)
        leaderScheduleLimit = try c.decodeIfPresent(Int.self, forKey: .leaderScheduleLimit)
        leaderSchedulePolicy = try c.decodeIfPresent(String.self, forKey: .leaderSchedulePolicy)
        regionScheduleLimit = try c.decodeIfPresent(Int.self, forKey: .regionScheduleLimit)
        replicaScheduleLimit = try c.decodeIfPresent(Int.self, forKey: .replicaScheduleLimit)
        mergeScheduleLimit = try c.decodeIfPresent(Int.self, forKey: .mergeScheduleLimit)
        hotRegionScheduleLimit = try c.decodeIfPresent(Int.self, forKey: .hotRegionScheduleLimit)
        lowSpaceRatio = try c.decodeIfPresent(Double.self, forKey: .lowSpaceRatio)
        highSpaceRatio = try c.decodeIfPresent(Double.self, forKey: .highSpaceRatio)
        enableRemoveDownReplica = try c.decodeIfPresent(GoBool.self, forKey: .enableRemoveDownReplica)?.value
        enableReplaceOfflineReplica = try c.decodeIfPresent(GoBool.self, forKey: .enableReplaceOfflineReplica)?.value
        enableMakeUpReplica = try c.decodeIfPresent(GoBool.self, forKey: .enableMakeUpReplica)?.value
        enableRemoveExtraReplica = try c.decodeIfPresent(GoBool.self, forKey: .enableRemoveExtraReplica)?.value
        enableJointConsensus = try c.decodeIfPresent(GoBool.self, forKey: .enableJointConsensus)?.value
        haltScheduling = try c.decodeIfPresent(GoBool.self, forKey: .haltScheduling)?.value ?? false
        let limits = try c.decodeIfPresent([String: StoreLimit].self, forKey: .storeLimit) ?? [:]
        storeLimit = try StoreKeyedMap.decode(limits, in: c, key: .storeLimit)
        storeLimitVersion = try c.decodeIfPresent(String.self, forKey: .storeLimitVersion)
    }
}

/// One store's limits, operators per minute.
public struct StoreLimit: Hashable, Sendable, Decodable {
    public var addPeer: Double
    public var removePeer: Double

    enum CodingKeys: String, CodingKey { case addPeer = "add-peer", removePeer = "remove-peer" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        addPeer = try c.decodeIfPresent(Double.self, forKey: .addPeer) ?? 0
        removePeer = try c.decodeIfPresent(Double.self, forKey: .removePeer) ?? 0
    }
}

/// `GET /config`: the parts a controller reads; everything else is ignored.
public struct PDConfig: Hashable, Sendable, Decodable {
    /// The lowest TiKV version in the cluster, e.g. `"8.5.1"`.
    public var clusterVersion: String
    public var schedule: ScheduleConfig?
    public var replication: ReplicationConfig?
    /// `label-property` (`config.LabelPropertyConfig`): store labels per property type, e.g. the `reject-leader`
    /// labels whose stores never take leaders (v8.5.7:pkg/schedule/filter/filters.go:457-464). nil when absent.
    public var labelProperty: [String: [StoreLabel]]?

    enum CodingKeys: String, CodingKey {
        case clusterVersion = "cluster-version", schedule, replication, labelProperty = "label-property"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clusterVersion = try c.decodeIfPresent(String.self, forKey: .clusterVersion) ?? ""
        schedule = try c.decodeIfPresent(ScheduleConfig.self, forKey: .schedule)
        replication = try c.decodeIfPresent(ReplicationConfig.self, forKey: .replication)
        labelProperty = try c.decodeIfPresent([String: [StoreLabel]]?.self, forKey: .labelProperty) ?? nil
    }

    /// The `reject-leader` labels of `label-property`.
    public var rejectLeaderLabels: [StoreLabel] { labelProperty?["reject-leader"] ?? [] }
}

/// `GET /config/replicate`.
public struct ReplicationConfig: Hashable, Sendable, Decodable {
    public var maxReplicas: Int
    /// PD writes one comma-joined string (`"zone,host"`); `""` is the empty list.
    public var locationLabels: [String]
    public var strictlyMatchLabel: Bool
    public var enablePlacementRules: Bool
    public var enablePlacementRulesCache: Bool
    public var isolationLevel: String

    enum CodingKeys: String, CodingKey {
        case maxReplicas = "max-replicas", locationLabels = "location-labels"
        case strictlyMatchLabel = "strictly-match-label", enablePlacementRules = "enable-placement-rules"
        case enablePlacementRulesCache = "enable-placement-rules-cache", isolationLevel = "isolation-level"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxReplicas = try c.decodeIfPresent(Int.self, forKey: .maxReplicas) ?? 3
        locationLabels = try c.decodeIfPresent(CommaList.self, forKey: .locationLabels)?.items ?? []
        strictlyMatchLabel = try c.decodeIfPresent(GoBool.self, forKey: .strictlyMatchLabel)?.value ?? false
        enablePlacementRules = try c.decodeIfPresent(GoBool.self, forKey: .enablePlacementRules)?.value ?? false
        enablePlacementRulesCache = try c.decodeIfPresent(GoBool.self, forKey: .enablePlacementRulesCache)?.value ?? false
        isolationLevel = try c.decodeIfPresent(String.self, forKey: .isolationLevel) ?? ""
    }
}

/// A Go `bool` tagged `,string`: PD writes `"true"`/`"false"`. A bare JSON boolean is accepted too.
public struct GoBool: Hashable, Sendable, Decodable {
    public var value: Bool

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { value = b; return }
        switch try c.decode(String.self) {
        case "true": value = true
        case "false": value = false
        case let other:
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected \"true\" or \"false\", got \"\(other)\"")
        }
    }
}

/// PD's `typeutil.StringSlice`: one comma-joined string. A JSON array is accepted too.
public struct CommaList: Hashable, Sendable, Decodable {
    public var items: [String]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let list = try? c.decode([String].self) { items = list; return }
        let text = try c.decode(String.self)
        items = text.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
