import Foundation

/// The PD leaders the controller saw and when each took over, for the last hour: PD's HTTP API does not count its
/// elections, so leader churn is counted from what successive passes saw. Kept in `TiKVCluster.status.pdLeaderHistory`
/// (stored, so a controller restart does not forget the churn it was judging).
///
/// A pass that sees no leader changes nothing: A → none → B is one change, A → none → A (a re-election PD's HTTP API
/// cannot tell from no election) is none.
public struct PDLeaderHistory: Codable, Sendable, Equatable {
    /// The leader seen last; nil before any pass saw one.
    public var leader: String?
    /// The changes within the window, oldest first.
    public var changes: [Change]

    public struct Change: Codable, Sendable, Equatable {
        /// When the first pass saw the new leader.
        public var at: Date
        public var from: String
        public var to: String

        public init(at: Date, from: String, to: String) {
            self.at = at
            self.from = from
            self.to = to
        }
    }

    /// Leader changes are counted over the last hour ("per hour" in `spec.invariants.pdMembers`).
    public static let window: TimeInterval = 3600

    public init(leader: String? = nil, changes: [Change] = []) {
        self.leader = leader
        self.changes = changes
    }

    /// The history after this pass: a new leader is a change; changes older than the window are dropped. A snapshot
    /// whose member list did not answer in full says nothing about the leader.
    public static func update(_ previous: PDLeaderHistory?, snapshot: ClusterSnapshot, now: Date) -> PDLeaderHistory {
        var h = previous ?? PDLeaderHistory()
        if snapshot.answered(.members), let leader = snapshot.members.first(where: \.isLeader)?.name {
            if let last = h.leader, last != leader { h.changes.append(Change(at: now, from: last, to: leader)) }
            h.leader = leader
        }
        h.changes.removeAll { now.timeIntervalSince($0.at) > window }
        return h
    }
}
