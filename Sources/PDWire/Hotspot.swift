/// `GET /hotspot/regions/{write,read}`: per-store hot peers, keyed by store id (a string in JSON).
public struct StoreHotPeersInfos: Hashable, Sendable, Decodable {
    public var asPeer: [UInt64: HotPeersStat]
    public var asLeader: [UInt64: HotPeersStat]

    enum CodingKeys: String, CodingKey { case asPeer = "as_peer", asLeader = "as_leader" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        asPeer = try StoreKeyedMap.decode(c.decodeIfPresent([String: HotPeersStat].self, forKey: .asPeer) ?? [:], in: c, key: .asPeer)
        asLeader = try StoreKeyedMap.decode(c.decodeIfPresent([String: HotPeersStat].self, forKey: .asLeader) ?? [:], in: c, key: .asLeader)
    }
}

/// `HotPeersStat`: a store's own load (per second) and its hot peers.
public struct HotPeersStat: Hashable, Sendable, Decodable {
    public var storeBytes: Double
    public var storeKeys: Double
    public var storeQuery: Double
    public var storeCPU: Double
    public var totalFlowBytes: Double
    public var totalFlowKeys: Double
    public var totalFlowQuery: Double
    public var totalFlowCPU: Double
    public var regionsCount: Int
    public var statistics: [HotPeerStat]

    enum CodingKeys: String, CodingKey {
        case storeBytes = "store_bytes", storeKeys = "store_keys", storeQuery = "store_query", storeCPU = "store_cpu"
        case totalFlowBytes = "total_flow_bytes", totalFlowKeys = "total_flow_keys"
        case totalFlowQuery = "total_flow_query", totalFlowCPU = "total_flow_cpu"
        case regionsCount = "regions_count", statistics
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        storeBytes = try c.decodeIfPresent(Double.self, forKey: .storeBytes) ?? 0
        storeKeys = try c.decodeIfPresent(Double.self, forKey: .storeKeys) ?? 0
        storeQuery = try c.decodeIfPresent(Double.self, forKey: .storeQuery) ?? 0
        storeCPU = try c.decodeIfPresent(Double.self, forKey: .storeCPU) ?? 0
        totalFlowBytes = try c.decodeIfPresent(Double.self, forKey: .totalFlowBytes) ?? 0
        totalFlowKeys = try c.decodeIfPresent(Double.self, forKey: .totalFlowKeys) ?? 0
        totalFlowQuery = try c.decodeIfPresent(Double.self, forKey: .totalFlowQuery) ?? 0
        totalFlowCPU = try c.decodeIfPresent(Double.self, forKey: .totalFlowCPU) ?? 0
        regionsCount = try c.decodeIfPresent(Int.self, forKey: .regionsCount) ?? 0
        statistics = try c.decodeIfPresent([HotPeerStat].self, forKey: .statistics) ?? []
    }
}

/// `HotPeerStatShow`: one hot peer; flows are per second.
public struct HotPeerStat: Hashable, Sendable, Decodable {
    public var storeID: UInt64
    public var stores: [UInt64]
    public var isLeader: Bool
    public var isLearner: Bool
    public var regionID: UInt64
    public var hotDegree: Int
    public var flowBytes: Double
    public var flowKeys: Double
    public var flowQuery: Double
    public var flowCPU: Double
    public var antiCount: Int
    public var lastUpdateTime: GoTime?

    enum CodingKeys: String, CodingKey {
        case storeID = "store_id", stores, isLeader = "is_leader", isLearner = "is_learner", regionID = "region_id"
        case hotDegree = "hot_degree", flowBytes = "flow_bytes", flowKeys = "flow_keys", flowQuery = "flow_query"
        case flowCPU = "flow_cpu", antiCount = "anti_count", lastUpdateTime = "last_update_time"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        storeID = try c.decodeIfPresent(UInt64.self, forKey: .storeID) ?? 0
        stores = try c.decodeIfPresent([UInt64].self, forKey: .stores) ?? []
        isLeader = try c.decodeIfPresent(Bool.self, forKey: .isLeader) ?? false
        isLearner = try c.decodeIfPresent(Bool.self, forKey: .isLearner) ?? false
        regionID = try c.decodeIfPresent(UInt64.self, forKey: .regionID) ?? 0
        hotDegree = try c.decodeIfPresent(Int.self, forKey: .hotDegree) ?? 0
        flowBytes = try c.decodeIfPresent(Double.self, forKey: .flowBytes) ?? 0
        flowKeys = try c.decodeIfPresent(Double.self, forKey: .flowKeys) ?? 0
        flowQuery = try c.decodeIfPresent(Double.self, forKey: .flowQuery) ?? 0
        flowCPU = try c.decodeIfPresent(Double.self, forKey: .flowCPU) ?? 0
        antiCount = try c.decodeIfPresent(Int.self, forKey: .antiCount) ?? 0
        lastUpdateTime = try c.decodeIfPresent(GoTime.self, forKey: .lastUpdateTime)
    }
}

/// Go maps with integer keys arrive as objects with string keys (`"1"`, `"10"`, `"4"`).
enum StoreKeyedMap {
    static func decode<V, K: CodingKey>(
        _ raw: [String: V], in c: KeyedDecodingContainer<K>, key: K
    ) throws -> [UInt64: V] {
        var out: [UInt64: V] = [:]
        out.reserveCapacity(raw.count)
        for (k, v) in raw {
            guard let id = UInt64(k) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "store id \"\(k)\" is not an unsigned integer")
            }
            out[id] = v
        }
        return out
    }
}
