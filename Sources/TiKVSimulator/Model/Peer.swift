/// `metapb.SimPeerRole`.
public enum SimPeerRole: UInt8, Sendable {
    case voter = 0, learner = 1, incomingVoter = 2, demotingVoter = 3

    public var name: String {
        switch self {
        case .voter: "Voter"
        case .learner: "Learner"
        case .incomingVoter: "IncomingVoter"
        case .demotingVoter: "DemotingVoter"
        }
    }
    /// Roles that vote in the current (or, for IncomingVoter, the new) configuration.
    var isVoter: Bool { self == .voter || self == .incomingVoter }
    /// Counted toward a quorum in any configuration of a joint state.
    var votes: Bool { self != .learner }
}

/// One replica of a region. Kept small and inline: a region holds at most `PeerList.capacity` of them.
public struct Peer: Sendable, Equatable {
    public var id: UInt64
    public var storeId: UInt32
    public var role: SimPeerRole
    /// The peer needs a snapshot or has not caught up (TiKV's `pending_peers`).
    public var pending: Bool
    /// Seconds since the leader last heard from it, as of the last report; 0 = not down.
    public var downSeconds: UInt32

    public init(id: UInt64, storeId: UInt32, role: SimPeerRole = .voter, pending: Bool = false, downSeconds: UInt32 = 0) {
        self.id = id
        self.storeId = storeId
        self.role = role
        self.pending = pending
        self.downSeconds = downSeconds
    }
    static let empty = Peer(id: 0, storeId: 0)
}

/// A fixed-capacity inline list of peers: no heap allocation per region.
public struct PeerList: Sendable, Equatable, RandomAccessCollection {
    public static let capacity = 6
    private var p0 = Peer.empty, p1 = Peer.empty, p2 = Peer.empty, p3 = Peer.empty, p4 = Peer.empty, p5 = Peer.empty
    private var n: UInt8 = 0

    public init() {}
    public init(_ peers: [Peer]) { for p in peers { append(p) } }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(n) }

    public subscript(i: Int) -> Peer {
        get {
            switch i {
            case 0: p0
            case 1: p1
            case 2: p2
            case 3: p3
            case 4: p4
            default: p5
            }
        }
        set {
            switch i {
            case 0: p0 = newValue
            case 1: p1 = newValue
            case 2: p2 = newValue
            case 3: p3 = newValue
            case 4: p4 = newValue
            default: p5 = newValue
            }
        }
    }

    /// Returns false when full.
    @discardableResult
    public mutating func append(_ p: Peer) -> Bool {
        guard Int(n) < Self.capacity else { return false }
        self[Int(n)] = p
        n += 1
        return true
    }

    public mutating func remove(at i: Int) {
        guard i < Int(n) else { return }
        var j = i
        while j + 1 < Int(n) { self[j] = self[j + 1]; j += 1 }
        n -= 1
        self[Int(n)] = .empty
    }

    public func index(ofStore store: UInt32) -> Int? { firstIndex(where: { $0.storeId == store }) }
    public func index(ofPeer id: UInt64) -> Int? { firstIndex(where: { $0.id == id }) }
}
