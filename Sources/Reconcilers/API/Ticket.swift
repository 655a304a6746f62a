import Foundation

/// One broken invariant on one subject, deduplicated by key (invariant + subject). Written by the controller.
public struct TicketSpec: Codable, Sendable, Equatable, SpecValidatable {
    public var cluster: String
    /// The invariant that is broken, e.g. `storeDown`, `highLatency`.
    public var invariant: String
    /// What it is broken on, e.g. `store/4`, `cluster`, `scheduler/evict-leader-scheduler`.
    public var subject: String
    public var severity: Severity
    /// One line a person understands.
    public var summary: String

    public init(cluster: String, invariant: String, subject: String, severity: Severity, summary: String) {
        self.cluster = cluster
        self.invariant = invariant
        self.subject = subject
        self.severity = severity
        self.summary = summary
    }

    /// The dedup key; ticket names derive from it.
    public var key: String { "\(invariant)/\(subject)" }

    public func validate(_ v: inout Validator) {}
}

public enum TicketState: String, Codable, Sendable, CaseIterable {
    /// Broken for less than the grace period; no ticket is shown as open yet.
    case pending = "Pending"
    case open = "Open"
    case resolved = "Resolved"
}

/// A metric or fact read when the ticket was detected or last seen.
public struct Reading: Codable, Sendable, Equatable {
    public var name: String
    /// `nil` when the value was unknown (no series, source down) — never silently zero.
    public var value: Double?
    public var unit: String
    /// Where it came from: `pd:/pd/api/v1/stores`, `prometheus:<query>`.
    public var source: String
    public var observedAt: Date

    public init(name: String, value: Double?, unit: String, source: String, observedAt: Date) {
        self.name = name
        self.value = value
        self.unit = unit
        self.source = source
        self.observedAt = observedAt
    }
}

public struct TicketStatus: Codable, Sendable, Equatable, ObjectStatus {
    public var observedGeneration: Int64 = 0
    /// `Open`, `Flapping`, `Diagnosed`.
    public var conditions: [Condition] = []
    public var state: TicketState = .pending
    public var firstSeen: Date?
    public var lastSeen: Date?
    /// When the current breakage began (firstSeen is the first ever); the grace period counts from it.
    public var brokenSince: Date?
    public var resolvedAt: Date?
    /// How many times the invariant broke: 1 when the ticket is made, + 1 each time it breaks again
    /// after having held.
    public var occurrences: Int = 0
    public var flapping: Bool = false
    /// While set, the ticket stays open even if the invariant holds again (used with flapping).
    public var holdUntil: Date?
    public var readings: [Reading] = []
    /// The plan opened for it, if any.
    public var plan: String?
    /// The latest diagnosis (rules engine or model); written off the loop, never read by the reconcilers.
    public var diagnosis: Diagnosis?
    /// Set on a consequence: what broke this ticket's invariant, and the root ticket of its incident when the cause
    /// has one (`IncidentAttribution`). Nil on a root and on a ticket nothing in the snapshot explains.
    public var incident: TicketIncident?
    public init() {}
}

/// Why a ticket is a consequence of something else: tickets that share a cause form one incident, whose root is the
/// ticket of the cause (a dead store's `storeDown`) or, when the cause has no ticket of its own (PD's evict-slow-store
/// draining a store), a fact of the snapshot.
public struct TicketIncident: Codable, Sendable, Equatable {
    public enum Cause: String, Codable, Sendable, CaseIterable {
        /// A store is not alive: its leaders moved away, its regions lost a replica (or their quorum).
        case storeNotAlive
        /// A store went away and came back within the flapping window: it returned without leaders.
        case storeRestarted
        /// A store keeps going up and down.
        case storeFlapping
        /// PD's evict-slow-store-scheduler drains a slow store's leaders.
        case slowStoreEvictedByPD
        /// An evict-leader scheduler holds a store.
        case evictLeaderScheduler
        /// A store is Offline (being removed) with no StoreMaintenance asking for it.
        case storeBeingRemoved
    }

    public var cause: Cause
    /// The store at the root.
    public var store: UInt64
    /// The root ticket's name; nil when the cause is a fact with no ticket of its own.
    public var root: String?
    /// One line for people: "store 4 is not alive (disconnected)".
    public var message: String

    public init(cause: Cause, store: UInt64, root: String?, message: String) {
        self.cause = cause
        self.store = store
        self.root = root
        self.message = message
    }
}
