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

/// `GET /regions/count`: `{"count": n, "regions": null}`.
public struct PDRegionCount: Hashable, Sendable, Decodable {
    public var count: Int

    enum CodingKeys: String, CodingKey { case count }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decode(Int.self, forKey: .count)
    }
}
