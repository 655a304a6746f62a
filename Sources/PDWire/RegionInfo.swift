/// `RegionsInfo` from `pkg/response/region.go`: every region-list endpoint, and `/regions/count`
/// (where `regions` is `null`).
public struct RegionsInfo: Hashable, Sendable, Decodable {
    public var count: Int
    public var regions: [RegionInfo]

    public init(count: Int, regions: [RegionInfo]) {
        self.count = count
        self.regions = regions
    }

    enum CodingKeys: String, CodingKey { case count, regions }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decodeIfPresent(Int.self, forKey: .count) ?? 0
        regions = try c.decodeIfPresent([RegionInfo].self, forKey: .regions) ?? []
    }
}

/// One region as PD's easyjson encoder writes it. Sizes are integer MiB; flow counters are deltas
/// over the last region-heartbeat interval, not rates.
public struct RegionInfo: Hashable, Sendable, Decodable {
    public var id: UInt64
    /// Upper-case hex of the encoded key; `""` is −∞.
    public var startKey: String
    /// Upper-case hex of the encoded key; `""` is +∞.
    public var endKey: String
    public var epoch: RegionEpoch
    public var peers: [MetaPeer]
    /// `nil` when PD knows no leader (it writes `{"role_name":""}`).
    public var leader: MetaPeer?
    public var downPeers: [DownPeer]
    public var pendingPeers: [MetaPeer]
    public var cpuUsage: UInt64
    public var writtenBytes: UInt64
    public var readBytes: UInt64
    public var writtenKeys: UInt64
    public var readKeys: UInt64
    public var approximateSize: Int64
    public var approximateKeys: Int64
    public var approximateKVSize: Int64
    public var approximateColumnarKVSize: Int64
    public var buckets: [String]
    public var bucketVersion: UInt64
    public var replicationStatus: RegionReplicationStatus?

    public init(
        id: UInt64, startKey: String = "", endKey: String = "", epoch: RegionEpoch = RegionEpoch(),
        peers: [MetaPeer] = [], leader: MetaPeer? = nil, downPeers: [DownPeer] = [], pendingPeers: [MetaPeer] = [],
        cpuUsage: UInt64 = 0, writtenBytes: UInt64 = 0, readBytes: UInt64 = 0, writtenKeys: UInt64 = 0,
        readKeys: UInt64 = 0, approximateSize: Int64 = 0, approximateKeys: Int64 = 0, approximateKVSize: Int64 = 0,
        approximateColumnarKVSize: Int64 = 0, buckets: [String] = [], bucketVersion: UInt64 = 0,
        replicationStatus: RegionReplicationStatus? = nil
    ) {
        self.id = id
        self.startKey = startKey
        self.endKey = endKey
        self.epoch = epoch
        self.peers = peers
        self.leader = leader
        self.downPeers = downPeers
        self.pendingPeers = pendingPeers
        self.cpuUsage = cpuUsage
        self.writtenBytes = writtenBytes
        self.readBytes = readBytes
        self.writtenKeys = writtenKeys
        self.readKeys = readKeys
        self.approximateSize = approximateSize
        self.approximateKeys = approximateKeys
        self.approximateKVSize = approximateKVSize
        self.approximateColumnarKVSize = approximateColumnarKVSize
        self.buckets = buckets
        self.bucketVersion = bucketVersion
        self.replicationStatus = replicationStatus
    }

    /// Store ids holding any peer of the region (regions carry no store list of their own).
    public var storeIDs: [UInt64] { peers.map(\.storeID) }

    /// True while the region is mid conf-change (an IncomingVoter or DemotingVoter is present).
    public var isInJointState: Bool {
        peers.contains { $0.role == .incomingVoter || $0.role == .demotingVoter }
    }

    enum CodingKeys: String, CodingKey {
        case id, epoch, peers, leader, buckets
        case startKey = "start_key", endKey = "end_key", downPeers = "down_peers", pendingPeers = "pending_peers"
        case cpuUsage = "cpu_usage", writtenBytes = "written_bytes", readBytes = "read_bytes"
        case writtenKeys = "written_keys", readKeys = "read_keys", approximateSize = "approximate_size"
        case approximateKeys = "approximate_keys", approximateKVSize = "approximate_kv_size"
        case approximateColumnarKVSize = "approximate_columnar_kv_size", bucketVersion = "bucket_version"
        case replicationStatus = "replication_status"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UInt64.self, forKey: .id)
        startKey = try c.decodeIfPresent(String.self, forKey: .startKey) ?? ""
        endKey = try c.decodeIfPresent(String.self, forKey: .endKey) ?? ""
        epoch = try c.decodeIfPresent(RegionEpoch.self, forKey: .epoch) ?? RegionEpoch()
        peers = try c.decodeIfPresent([MetaPeer].self, forKey: .peers) ?? []
        let leaderPeer = try c.decodeIfPresent(MetaPeer.self, forKey: .leader)
        leader = leaderPeer.flatMap { $0.isKnown ? $0 : nil }
        downPeers = try c.decodeIfPresent([DownPeer].self, forKey: .downPeers) ?? []
        pendingPeers = try c.decodeIfPresent([MetaPeer].self, forKey: .pendingPeers) ?? []
        cpuUsage = try c.decodeIfPresent(UInt64.self, forKey: .cpuUsage) ?? 0
        writtenBytes = try c.decodeIfPresent(UInt64.self, forKey: .writtenBytes) ?? 0
        readBytes = try c.decodeIfPresent(UInt64.self, forKey: .readBytes) ?? 0
        writtenKeys = try c.decodeIfPresent(UInt64.self, forKey: .writtenKeys) ?? 0
        readKeys = try c.decodeIfPresent(UInt64.self, forKey: .readKeys) ?? 0
        approximateSize = try c.decodeIfPresent(Int64.self, forKey: .approximateSize) ?? 0
        approximateKeys = try c.decodeIfPresent(Int64.self, forKey: .approximateKeys) ?? 0
        approximateKVSize = try c.decodeIfPresent(Int64.self, forKey: .approximateKVSize) ?? 0
        approximateColumnarKVSize = try c.decodeIfPresent(Int64.self, forKey: .approximateColumnarKVSize) ?? 0
        buckets = try c.decodeIfPresent([String].self, forKey: .buckets) ?? []
        bucketVersion = try c.decodeIfPresent(UInt64.self, forKey: .bucketVersion) ?? 0
        replicationStatus = try c.decodeIfPresent(RegionReplicationStatus.self, forKey: .replicationStatus)
    }
}

/// `metapb.RegionEpoch`; each field is left out when 0.
public struct RegionEpoch: Hashable, Sendable, Decodable {
    public var confVer: UInt64
    public var version: UInt64

    public init(confVer: UInt64 = 0, version: UInt64 = 0) {
        self.confVer = confVer
        self.version = version
    }

    enum CodingKeys: String, CodingKey { case confVer = "conf_ver", version }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        confVer = try c.decodeIfPresent(UInt64.self, forKey: .confVer) ?? 0
        version = try c.decodeIfPresent(UInt64.self, forKey: .version) ?? 0
    }
}

/// `metapb.PeerRole`; `role` is left out of the JSON when 0 (Voter).
public enum PeerRole: Hashable, Sendable {
    case voter, learner, incomingVoter, demotingVoter
    case unknown(Int64)

    public init(rawValue: Int64) {
        switch rawValue {
        case 0: self = .voter
        case 1: self = .learner
        case 2: self = .incomingVoter
        case 3: self = .demotingVoter
        default: self = .unknown(rawValue)
        }
    }

    /// Voters in either configuration of a joint state vote; learners do not.
    public var isVoter: Bool { self == .voter || self == .incomingVoter || self == .demotingVoter }
}

/// `MetaPeer` from `pkg/response/region.go`: `role_name` always, the rest omitempty.
public struct MetaPeer: Hashable, Sendable, Decodable {
    public var id: UInt64
    public var storeID: UInt64
    public var role: PeerRole
    public var isWitness: Bool

    public init(id: UInt64, storeID: UInt64, role: PeerRole = .voter, isWitness: Bool = false) {
        self.id = id
        self.storeID = storeID
        self.role = role
        self.isWitness = isWitness
    }

    /// `is_learner` is true only for role Learner, never for DemotingVoter.
    public var isLearner: Bool { role == .learner }

    /// PD writes `{"role_name":""}` for an unknown leader: no id and no store.
    var isKnown: Bool { id != 0 || storeID != 0 }

    enum CodingKeys: String, CodingKey {
        case id, role, storeID = "store_id", isWitness = "is_witness", roleName = "role_name"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(UInt64.self, forKey: .id) ?? 0
        storeID = try c.decodeIfPresent(UInt64.self, forKey: .storeID) ?? 0
        role = PeerRole(rawValue: try c.decodeIfPresent(Int64.self, forKey: .role) ?? 0)
        isWitness = try c.decodeIfPresent(Bool.self, forKey: .isWitness) ?? false
    }
}

/// `PDPeerStats`, an element of `down_peers`: `{"peer": MetaPeer, "down_seconds": n}`.
public struct DownPeer: Hashable, Sendable, Decodable {
    public var peer: MetaPeer
    public var downSeconds: UInt64

    public init(peer: MetaPeer, downSeconds: UInt64) {
        self.peer = peer
        self.downSeconds = downSeconds
    }

    enum CodingKeys: String, CodingKey { case peer, downSeconds = "down_seconds" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        peer = try c.decode(MetaPeer.self, forKey: .peer)
        downSeconds = try c.decodeIfPresent(UInt64.self, forKey: .downSeconds) ?? 0
    }
}

/// Present only in DR-auto-sync mode.
public struct RegionReplicationStatus: Hashable, Sendable, Decodable {
    public var state: String
    public var stateID: UInt64

    public init(state: String, stateID: UInt64) {
        self.state = state
        self.stateID = stateID
    }

    enum CodingKeys: String, CodingKey { case state, stateID = "state_id" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        state = try c.decodeIfPresent(String.self, forKey: .state) ?? ""
        stateID = try c.decodeIfPresent(UInt64.self, forKey: .stateID) ?? 0
    }
}

/// An element of `/regions/check/hist-size` and `hist-keys`.
public struct RegionHistogramBucket: Hashable, Sendable, Decodable {
    public var start: Int64
    public var end: Int64
    public var count: Int64

    public init(start: Int64, end: Int64, count: Int64) {
        self.start = start
        self.end = end
        self.count = count
    }
}
