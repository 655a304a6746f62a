import Foundation

/// Everything one health pass reads. The caller loads it all from the store and a fresh observation.
public struct HealthInput: Sendable {
    /// The cluster: its name, `spec.invariants` and `spec.balance`, and `status.storeHistory`.
    public var cluster: TiKVCluster
    public var snapshot: ClusterSnapshot
    /// The cluster's StoreMaintenance objects (`spec.storeID`).
    public var maintenances: [StoreMaintenance]
    /// Every stored ticket of this cluster, in any state.
    public var tickets: [Ticket]
    public var now: Date

    public init(cluster: TiKVCluster, snapshot: ClusterSnapshot, maintenances: [StoreMaintenance] = [], tickets: [Ticket] = [],
                now: Date) {
        self.cluster = cluster
        self.snapshot = snapshot
        self.maintenances = maintenances
        self.tickets = tickets
        self.now = now
    }
}

/// What one health pass decided.
public struct HealthResult: Sendable, Equatable {
    /// Every ticket after this pass, sorted by name: new ones, changed ones, and unchanged ones **equal
    /// to their input** (the caller writes only those that differ, so an idle pass writes nothing).
    public var tickets: [Ticket]
    /// TicketOpened / TicketReopened / TicketFlapping / TicketResolved, and StoreRestarted (a store's `start_ts` moved), for people.
    public var events: [Event]
    /// What the caller stores in `status.storeHistory` for the next pass's flapping detection. Equal to
    /// the input's (`status.storeHistory ?? []`) unless a store changed liveness, restarted, changed its slow score,
    /// appeared, left, or a change left the window.
    public var storeHistory: [StoreHistory]
    /// What the caller stores in `status.pdLeaderHistory` for the next pass's leader-churn count; equal to the input's
    /// unless the leader changed or a change left the hour.
    public var pdLeaderHistory: PDLeaderHistory?
    /// One line per pass for the logs: what was judged and why nothing resolved when nothing could.
    public var notes: [String]
    /// The invariants without a verdict this pass (`Healthy` is Unknown while any is, and nothing is open).
    public var unknown: [InvariantUnknown] = []

    public init(tickets: [Ticket], events: [Event], storeHistory: [StoreHistory], pdLeaderHistory: PDLeaderHistory? = nil,
                notes: [String] = [], unknown: [InvariantUnknown] = []) {
        self.unknown = unknown
        self.tickets = tickets
        self.events = events
        self.storeHistory = storeHistory
        self.pdLeaderHistory = pdLeaderHistory
        self.notes = notes
    }
}
