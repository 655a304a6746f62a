/// `pdpb.Member` as `/members` and `/leader` write it (every field omitempty).
public struct PDMember: Hashable, Sendable, Decodable {
    public var name: String
    /// Random 64-bit value, routinely above Int64.max: always UInt64.
    public var memberID: UInt64
    public var peerURLs: [String]
    public var clientURLs: [String]
    public var leaderPriority: Int64
    public var deployPath: String
    public var binaryVersion: String
    public var gitHash: String
    public var dcLocation: String

    public init(name: String, memberID: UInt64, peerURLs: [String] = [], clientURLs: [String] = []) {
        self.name = name
        self.memberID = memberID
        self.peerURLs = peerURLs
        self.clientURLs = clientURLs
        self.leaderPriority = 0
        self.deployPath = ""
        self.binaryVersion = ""
        self.gitHash = ""
        self.dcLocation = ""
    }

    enum CodingKeys: String, CodingKey {
        case name, memberID = "member_id", peerURLs = "peer_urls", clientURLs = "client_urls"
        case leaderPriority = "leader_priority", deployPath = "deploy_path", binaryVersion = "binary_version"
        case gitHash = "git_hash", dcLocation = "dc_location"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        memberID = try c.decodeIfPresent(UInt64.self, forKey: .memberID) ?? 0
        peerURLs = try c.decodeIfPresent([String].self, forKey: .peerURLs) ?? []
        clientURLs = try c.decodeIfPresent([String].self, forKey: .clientURLs) ?? []
        leaderPriority = try c.decodeIfPresent(Int64.self, forKey: .leaderPriority) ?? 0
        deployPath = try c.decodeIfPresent(String.self, forKey: .deployPath) ?? ""
        binaryVersion = try c.decodeIfPresent(String.self, forKey: .binaryVersion) ?? ""
        gitHash = try c.decodeIfPresent(String.self, forKey: .gitHash) ?? ""
        dcLocation = try c.decodeIfPresent(String.self, forKey: .dcLocation) ?? ""
    }
}

/// `GET /members` (`pdpb.GetMembersResponse`).
public struct PDMembers: Hashable, Sendable, Decodable {
    public var clusterID: UInt64
    public var members: [PDMember]
    public var leader: PDMember?
    public var etcdLeader: PDMember?

    struct Header: Decodable {
        var clusterID: UInt64?
        enum CodingKeys: String, CodingKey { case clusterID = "cluster_id" }
    }

    enum CodingKeys: String, CodingKey { case header, members, leader, etcdLeader = "etcd_leader" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clusterID = try c.decodeIfPresent(Header.self, forKey: .header)?.clusterID ?? 0
        members = try c.decodeIfPresent([PDMember].self, forKey: .members) ?? []
        leader = try c.decodeIfPresent(PDMember.self, forKey: .leader)
        etcdLeader = try c.decodeIfPresent(PDMember.self, forKey: .etcdLeader)
    }
}

/// An element of `GET /health`.
public struct PDMemberHealth: Hashable, Sendable, Decodable {
    public var name: String
    public var memberID: UInt64
    public var clientURLs: [String]
    public var health: Bool

    enum CodingKeys: String, CodingKey { case name, memberID = "member_id", clientURLs = "client_urls", health }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        memberID = try c.decodeIfPresent(UInt64.self, forKey: .memberID) ?? 0
        clientURLs = try c.decodeIfPresent([String].self, forKey: .clientURLs) ?? []
        health = try c.decodeIfPresent(Bool.self, forKey: .health) ?? false
    }
}

/// `GET /cluster` (`metapb.Cluster`).
public struct PDClusterInfo: Hashable, Sendable, Decodable {
    /// Random 64-bit value: always UInt64.
    public var id: UInt64
    public var maxPeerCount: UInt32

    enum CodingKeys: String, CodingKey { case id, maxPeerCount = "max_peer_count" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(UInt64.self, forKey: .id) ?? 0
        maxPeerCount = try c.decodeIfPresent(UInt32.self, forKey: .maxPeerCount) ?? 0
    }
}

/// `GET /cluster/status`.
public struct PDClusterStatus: Hashable, Sendable, Decodable {
    public var raftBootstrapTime: GoTime?
    public var isInitialized: Bool
    public var replicationStatus: String

    enum CodingKeys: String, CodingKey {
        case raftBootstrapTime = "raft_bootstrap_time", isInitialized = "is_initialized"
        case replicationStatus = "replication_status"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let t = try c.decodeIfPresent(GoTime.self, forKey: .raftBootstrapTime)
        // Go's zero time means "never bootstrapped".
        raftBootstrapTime = t == GoTime.zero ? nil : t
        isInitialized = try c.decodeIfPresent(Bool.self, forKey: .isInitialized) ?? false
        replicationStatus = try c.decodeIfPresent(String.self, forKey: .replicationStatus) ?? ""
    }
}

/// `GET /version`: only `version` is filled in.
public struct PDVersion: Hashable, Sendable, Decodable {
    public var version: String

    enum CodingKeys: String, CodingKey { case version }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? ""
    }
}

/// `GET /status`.
public struct PDServerStatus: Hashable, Sendable, Decodable {
    public var buildTS: String
    public var version: String
    public var gitHash: String
    /// Unix seconds of the PD process start.
    public var startTimestamp: Int64
    /// Master only ("Classic"); empty on releases.
    public var kernelType: String

    enum CodingKeys: String, CodingKey {
        case buildTS = "build_ts", version, gitHash = "git_hash", startTimestamp = "start_timestamp"
        case kernelType = "kernel_type"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        buildTS = try c.decodeIfPresent(String.self, forKey: .buildTS) ?? ""
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? ""
        gitHash = try c.decodeIfPresent(String.self, forKey: .gitHash) ?? ""
        startTimestamp = try c.decodeIfPresent(Int64.self, forKey: .startTimestamp) ?? 0
        kernelType = try c.decodeIfPresent(String.self, forKey: .kernelType) ?? ""
    }
}

/// `GET /regions/count`: `{"count": n, "regions": null}`.
public struct PDRegionCount: Hashable, Sendable, Decodable {
    public var count: Int

    enum CodingKeys: String, CodingKey { case count }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decode(Int.self, forKey: .count)
    }
}
