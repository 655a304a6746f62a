import Foundation

/// What the controller last saw of a cluster.
public struct TiKVClusterStatus: Codable, Sendable, Equatable, ObjectStatus {
    public var observedGeneration: Int64 = 0
    /// `Valid`, `Observed`, `Healthy`, `Degraded`, `Paused`.
    public var conditions: [Condition] = []
    public var lastObservedTime: Date?
    public var stores: Int?
    public var storesUp: Int?
    public var regions: Int?
    public var openTickets: Int?
    public var activePlans: Int?
    /// Recent alive ↔ not-alive changes per store, for flapping detection; written by the health reconciler.
    public var storeHistory: [StoreHistory]?
    /// The PD leader seen last and the leader changes of the last hour, for PD's health; written by the health reconciler.
    public var pdLeaderHistory: PDLeaderHistory?
    /// Per store, whether it is a legal leader and peer target now and, when not, the rule and reading that rule it
    /// out (`TargetLegality`); written from each complete observation.
    public var targets: [StoreTargets]?
    /// Per balanced resource, the way it is balanced now and the PD scheduler state that chose it
    /// (`BalanceStrategyChoice`); written from each complete observation.
    public var balance: [BalanceStanding]?
    public init() {}
}

/// One store's standing as a target: nil means legal; otherwise `Rule: why`.
public struct StoreTargets: Codable, Sendable, Equatable {
    public var storeID: UInt64
    public var leader: String?
    public var peer: String?

    public init(storeID: UInt64, leader: String?, peer: String?) {
        self.storeID = storeID
        self.leader = leader
        self.peer = peer
    }
}

/// How one resource (leaders or regions) is balanced now: `weights` (PD's balancer moves, the controller sets
/// store weights) or `moves` (the controller's own plans), PD's balancer state, and the sentence saying why.
public struct BalanceStanding: Codable, Sendable, Equatable {
    public var resource: String
    public var way: String
    public var pdScheduler: String
    public var reason: String

    public init(resource: String, way: String, pdScheduler: String, reason: String) {
        self.resource = resource
        self.way = way
        self.pdScheduler = pdScheduler
        self.reason = reason
    }
}
