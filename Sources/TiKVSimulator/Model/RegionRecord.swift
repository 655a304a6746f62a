/// One region, as a fixed-size value. The cluster keeps two arrays of these: the truth (what TiKV has) and
/// the reported view (what PD last heard in a region heartbeat).
public struct RegionRecord: Sendable, Equatable {
    public var id: UInt64
    public var confVer: UInt64
    public var version: UInt64
    public var peers: PeerList
    /// Peer id of the leader; 0 when no leader is known.
    public var leaderPeerId: UInt64
    public var approximateSizeMiB: UInt32
    public var approximateKvSizeMiB: UInt32
    public var approximateKeys: UInt64
    public var cpuUsage: UInt64
    /// Per-heartbeat-interval deltas, as TiKV reports them.
    public var writtenBytes: UInt64
    public var readBytes: UInt64
    public var writtenKeys: UInt64
    public var readKeys: UInt64
    /// False until PD has heard of the region (reported view only).
    public var known: Bool
    /// PD's copy was loaded from storage by a new leader and no heartbeat has arrived since (`core.Storage` source).
    public var fromStorage = false

    public init(id: UInt64, confVer: UInt64, version: UInt64, peers: PeerList, leaderPeerId: UInt64,
                approximateSizeMiB: UInt32 = 1, approximateKvSizeMiB: UInt32 = 0, approximateKeys: UInt64 = 0,
                cpuUsage: UInt64 = 0, writtenBytes: UInt64 = 0, readBytes: UInt64 = 0,
                writtenKeys: UInt64 = 0, readKeys: UInt64 = 0, known: Bool = true) {
        self.id = id
        self.confVer = confVer
        self.version = version
        self.peers = peers
        self.leaderPeerId = leaderPeerId
        self.approximateSizeMiB = approximateSizeMiB
        self.approximateKvSizeMiB = approximateKvSizeMiB
        self.approximateKeys = approximateKeys
        self.cpuUsage = cpuUsage
        self.writtenBytes = writtenBytes
        self.readBytes = readBytes
        self.writtenKeys = writtenKeys
        self.readKeys = readKeys
        self.known = known
    }

    /// What a slot holds after its region merged away: no peers, no leader, unknown to PD, so every loop over
    /// slots passes it by.
    static let vacant = RegionRecord(id: 0, confVer: 0, version: 0, peers: PeerList(), leaderPeerId: 0, known: false)

    public var leader: Peer? { leaderPeerId == 0 ? nil : peers.first(where: { $0.id == leaderPeerId }) }
    public var leaderStoreId: UInt32? { leader?.storeId }
    public var isInJointState: Bool { peers.contains { $0.role == .incomingVoter || $0.role == .demotingVoter } }
    public var hasDownPeers: Bool { peers.contains { $0.downSeconds > 0 } }
    public var hasPendingPeers: Bool { peers.contains { $0.pending } }
}
