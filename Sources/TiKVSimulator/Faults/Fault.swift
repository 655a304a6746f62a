/// A reversible fault injected through `/sim/v1/faults` or a scenario.
public struct Fault: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case kill, partition, slow, diskFill = "disk-fill", leaderSkew = "leader-skew", hotRegion = "hot-region", flapping
        /// TiKV reports `is_busy` from its next store heartbeat.
        case busy
        /// PD faults: the leader resigns; a member's process stops; PD's clock is offset from the cluster's.
        case pdLeaderChange = "pd-leader-change", pdMemberDown = "pd-member-down", clockSkew = "clock-skew"
        /// A PD member's process runs and answers, but `/health` calls it unhealthy (its etcd member fails its health
        /// check: a slow disk, a lost peer connection).
        case pdMemberUnhealthy = "pd-member-unhealthy"
        /// `factor` regions (first in key order) get one follower moved next to another replica's top-level label
        /// value (two peers in one zone), as a forced or hand-made placement leaves them.
        case misplaceReplicas = "misplace-replicas"

        /// Faults aimed at PD itself, which need no store.
        public var isPD: Bool { self == .pdLeaderChange || self == .pdMemberDown || self == .clockSkew || self == .pdMemberUnhealthy }
    }
    public var id: UInt64
    public var kind: Kind
    public var store: UInt64?
    public var region: UInt64?
    /// slow: latency multiplier; disk-fill: target available percent; hot-region: flow multiplier.
    public var factor: Double
    /// hot-region: "write" or "read".
    public var flow: String
    /// flapping: seconds per up/down half-period.
    public var periodSeconds: Int64
    public var createdAtNanos: Int64
    /// pd-member-down: the member's name (default: the leader when injected).
    public var member: String?
    /// clock-skew: PD's clock minus the cluster's true time; pd-leader-change: the election's length.
    public var seconds: Double?
    /// disk-fill: the bytes the fault took, given back on removal.
    var savedAvailable: UInt64?
    /// hot-region: the region's flow (bytes, keys) before the fault.
    var savedFlow: (bytes: UInt64, keys: UInt64)?
    /// hot-region: the key its extra traffic is aimed at (a quarter into the region's range): a split leaves that traffic
    /// with the half holding the key, as a hot row stays where it is.
    public internal(set) var hotCode: UInt64?
    /// leader-skew: (region id, leader peer id) of every region whose leader the fault moved.
    var savedLeaders: [(region: UInt64, leaderPeer: UInt64)] = []
    /// misplace-replicas: (region id, moved peer id, the store it came from) of every peer the fault moved.
    var savedPeers: [(region: UInt64, peer: UInt64, store: UInt32)] = []

    public init(id: UInt64 = 0, kind: Kind, store: UInt64? = nil, region: UInt64? = nil, factor: Double = 0,
                flow: String = "write", periodSeconds: Int64 = 60, createdAtNanos: Int64 = 0) {
        self.id = id
        self.kind = kind
        self.store = store
        self.region = region
        self.factor = factor
        self.flow = flow
        self.periodSeconds = periodSeconds
        self.createdAtNanos = createdAtNanos
    }
}
