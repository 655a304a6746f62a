/// Each part of a snapshot comes from one source; each source is complete or says why not.
public enum ObservationSource: String, Sendable, Hashable, CaseIterable, Codable {
    /// `GET /stores`: states, heartbeats, counts, capacity. Nothing can be decided without it.
    case stores
    /// `GET /regions/check/*` and `GET /regions/count`.
    case regionChecks
    /// `GET /members`, `GET /health`.
    case members
    /// `GET /schedulers`, the evict-leader scheduler's store list, `GET /operators`.
    case schedulers
    /// `GET /config` (replication and schedule settings the planners obey).
    case config
    /// `GET /hotspot/regions/{write,read}`.
    case hotspot
    /// The Prometheus queries of the invariants.
    case metrics
    /// Regions fetched by page or by store, only when a planner asked for them.
    case regions
    /// The regions of the stores that are not alive (`GET /regions/store/{id}`, bounded), read with the stores to
    /// count regions without a quorum (`RegionAvailability`); complete with no request when every store is alive.
    case availability
    /// The first regions in key order (bounded), read only while PD's `location-labels` is set, to count replicas
    /// sharing a label level (`ReplicaIsolation`); complete with no request when it is not set.
    case isolation
}

/// How one source fared in one observation.
public enum SourceState: Sendable, Hashable {
    case complete
    /// Answered, but part is missing (e.g. 2 of 7 metric queries failed); the reason says which.
    case partial(String)
    case failed(String)
    /// Not asked this time (Prometheus not configured; regions not needed).
    case skipped(String)

    public var isComplete: Bool { self == .complete }

    public var reason: String? {
        switch self {
        case .complete: nil
        case .partial(let r), .failed(let r), .skipped(let r): r
        }
    }

    /// `Complete`, `Partial`, `Failed`, `Skipped`: condition-reason style.
    public var name: String {
        switch self {
        case .complete: "Complete"
        case .partial: "Partial"
        case .failed: "Failed"
        case .skipped: "Skipped"
        }
    }
}
