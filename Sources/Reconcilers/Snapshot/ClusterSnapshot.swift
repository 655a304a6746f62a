import Foundation
import PDWire

/// What the controller saw of one cluster in one observation: typed, timestamped, and honest about
/// what it does not know. Built by the Controller's observer; read by the pure reconcilers.
///
/// Steady state costs a few small requests (`/stores`, region checks, members, schedulers, config,
/// hotspot, a handful of PromQL queries). Regions are fetched only when a planner asks for them
/// (`regions` and `RegionScope`), so a million-region cluster is not downloaded every pass.
public struct ClusterSnapshot: Sendable, Hashable {
    public var cluster: String
    /// When the observation started; every age in the snapshot is relative to it.
    public var observedAt: Date
    /// When the last answer arrived.
    public var completedAt: Date
    public var sources: [ObservationSource: SourceState]

    public var clusterID: UInt64?
    public var stores: [StoreSnapshot]
    /// `GET /regions/count`; nil when that request failed.
    public var regionCount: Int?
    public var regionChecks: [RegionCheck: RegionCheckResult]
    public var members: [MemberSnapshot]
    public var schedulers: SchedulerSnapshot
    public var operators: [OperatorSnapshot]
    public var settings: PDSettings
    /// PD's placement rules (part of the config source: while they are enabled and unread the config is partial).
    public var placement: PlacementRuleTable
    public var hotRegions: [HotRegion]
    /// Only when a planner asked (see `RegionScope`); nil in steady state.
    public var regions: [RegionPlacement]?
    /// Regions without a quorum or one failure from it, from the regions of the not-alive stores; nil when not
    /// observed (the `availability` source says why).
    public var availability: RegionAvailability?
    /// Regions whose replicas share a `location-labels` level PD could separate them at, over a bounded sample; nil
    /// when not observed (the `isolation` source says why).
    public var isolation: ReplicaIsolation?
    public var regionScope: RegionScope
    /// Where the store metrics came from; nil when there is no metrics source at all.
    public var metricsOrigin: MetricsOrigin?
    /// PD's clock minus the controller's (seconds, from PD's `Date` header), nil when unknown. Operator
    /// create times are on PD's clock; store heartbeats are already converted to the controller's.
    public var pdClockOffset: TimeInterval?

    public init(cluster: String, observedAt: Date, completedAt: Date? = nil, sources: [ObservationSource: SourceState] = [:],
                clusterID: UInt64? = nil, stores: [StoreSnapshot] = [], regionCount: Int? = nil,
                regionChecks: [RegionCheck: RegionCheckResult] = [:], members: [MemberSnapshot] = [],
                schedulers: SchedulerSnapshot = SchedulerSnapshot(), operators: [OperatorSnapshot] = [],
                settings: PDSettings = PDSettings(), placement: PlacementRuleTable = PlacementRuleTable(), hotRegions: [HotRegion] = [],
                regions: [RegionPlacement]? = nil, regionScope: RegionScope = .none) {
        self.cluster = cluster
        self.observedAt = observedAt
        self.completedAt = completedAt ?? observedAt
        self.sources = sources
        self.clusterID = clusterID
        self.stores = stores
        self.regionCount = regionCount
        self.regionChecks = regionChecks
        self.members = members
        self.schedulers = schedulers
        self.operators = operators
        self.settings = settings
        self.placement = placement
        self.hotRegions = hotRegions
        self.regions = regions
        self.regionScope = regionScope
    }

    public func state(of source: ObservationSource) -> SourceState {
        sources[source] ?? .failed("not observed")
    }

    /// The sources a pass needs to act on: everything PD serves. Metrics are judged per reading
    /// (an unknown reading opens or resolves nothing), and regions only matter to the planner that asked.
    public static let requiredSources: [ObservationSource] = [.stores, .regionChecks, .members, .schedulers, .config]

    /// Complete enough to resolve tickets and to execute: every required source answered in full.
    public var isComplete: Bool {
        Self.requiredSources.allSatisfy { state(of: $0).isComplete }
    }

    /// Without the store list nothing can be judged at all.
    public var hasStores: Bool { state(of: .stores).isComplete }

    /// Fresh when it finished no longer than `maxAge` before `now`.
    public func isFresh(at now: Date, maxAge: TimeInterval) -> Bool {
        now.timeIntervalSince(completedAt) <= maxAge
    }

    /// One line per incomplete source, for conditions and logs: `metrics: Partial (p99 latency: no series)`.
    public var incompleteReasons: [String] {
        ObservationSource.allCases.compactMap { source in
            let s = state(of: source)
            guard !s.isComplete, case .skipped = s else {
                return s.isComplete ? nil : "\(source.rawValue): \(s.name) (\(s.reason ?? ""))"
            }
            return nil
        }
    }

    public func store(_ id: UInt64) -> StoreSnapshot? { stores.first { $0.id == id } }

    /// The regions PD's hotspot statistics list: their keys are kept when regions are fetched.
    public var hotRegionIDs: Set<UInt64> { Set(hotRegions.map(\.regionID)) }

    /// Adds regions downloaded after the store-level observation: the controller fetches what a planner asked
    /// for only once the pass's health is written. Every other fact, `completedAt` included, stays as
    /// observed, so heartbeat ages and freshness are still judged on the store-level answers.
    public mutating func attachRegions(_ regions: [RegionPlacement]?, state: SourceState, scope: RegionScope) {
        self.regions = regions
        self.regionScope = scope
        sources[.regions] = state
    }
}

/// Which regions a pass wants fetched for planning.
public enum RegionScope: Sendable, Hashable {
    case none
    /// Regions with a peer on these stores (`GET /regions/store/{id}`), sorted ids.
    case stores([UInt64])
    /// Every region, paged through `GET /regions/key`.
    case all

    /// The union of two needs.
    public func union(_ other: RegionScope) -> RegionScope {
        switch (self, other) {
        case (.all, _), (_, .all): .all
        case (.none, let x), (let x, .none): x
        case (.stores(let a), .stores(let b)): .stores(Array(Set(a).union(b)).sorted())
        }
    }

    /// Whether regions fetched for `self` serve a need for `other`.
    public func covers(_ other: RegionScope) -> Bool {
        switch (self, other) {
        case (_, .none), (.all, _): true
        case (.none, _), (.stores, .all): false
        case (.stores(let a), .stores(let b)): Set(b).isSubset(of: a)
        }
    }
}
