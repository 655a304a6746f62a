import Foundation

/// The health half of a pass (`ClusterReconciler.assessHealth`): tickets, the cluster with its liveness history
/// and the conditions those tickets set, events and log lines. Decided from the store-level observation alone,
/// so the controller writes it before fetching any region a planner asked for: a dying store's ticket never waits
/// for a region download (at 1M regions that download takes tens of seconds).
public struct ClusterHealthResult: Sendable, Equatable {
    public var cluster: TiKVCluster
    public var tickets: [Ticket]
    public var events: [Event]
    /// What health decided, for the log.
    public var decisions: [PassDecision]
    /// The invariants without a verdict: the second half sets `Healthy` from them too.
    public var unknown: [InvariantUnknown]

    public init(cluster: TiKVCluster, tickets: [Ticket], events: [Event], decisions: [PassDecision], unknown: [InvariantUnknown] = []) {
        self.unknown = unknown
        self.cluster = cluster
        self.tickets = tickets
        self.events = events
        self.decisions = decisions
    }
}
