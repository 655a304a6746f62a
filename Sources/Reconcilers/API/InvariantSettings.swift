import PDWire

/// A health rule's common knobs: whether it runs, how long it must hold before a ticket opens, and how bad it is.
public struct InvariantPolicy: Codable, Sendable, Equatable, DecodableOverDefaults {
    public var enabled: Bool
    public var gracePeriod: GoDuration
    public var severity: Severity

    public init(enabled: Bool = true, gracePeriod: GoDuration, severity: Severity) {
        self.enabled = enabled
        self.gracePeriod = gracePeriod
        self.severity = severity
    }

    /// The default of one invariant's policy (`@Default<InvariantPolicy.Defaults<Minutes1, Severity.Critical>>`).
    public enum Defaults<Grace: DefaultValue, Level: DefaultValue>: DefaultValue
    where Grace.Wrapped == GoDuration, Level.Wrapped == Severity {
        public static var defaultValue: InvariantPolicy { InvariantPolicy(gracePeriod: Grace.defaultValue, severity: Level.defaultValue) }
    }

    enum CodingKeys: String, CodingKey { case enabled, gracePeriod, severity }

    // Stays hand-written: each invariant has its own grace period and severity, so a field left out takes the
    // default of the invariant that holds the policy (`Invariants`), which a per-type default cannot say.
    public init(from decoder: any Decoder, over defaults: InvariantPolicy) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? defaults.enabled
        gracePeriod = try c.decodeIfPresent(GoDuration.self, forKey: .gracePeriod) ?? defaults.gracePeriod
        severity = try c.decodeIfPresent(Severity.self, forKey: .severity) ?? defaults.severity
    }
    /// A policy read on its own, outside `invariants`: a warning after a minute.
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, over: Defaults<Minutes1, Severity.Warning>.defaultValue)
    }
    func validate(_ v: inout Validator) {
        v.duration("gracePeriod", gracePeriod, min: .zero, max: .hours(24))
    }
}

/// The health invariants and their thresholds. Every field is optional in a spec file.
public struct Invariants: Codable, Sendable, Equatable, DefaultInitializable {
    /// A store is Down or Disconnected (incl. an Offline store that stopped heartbeating).
    @Default<InvariantPolicy.Defaults<Minutes1, Severity.Critical>> public var storeDown: InvariantPolicy
    /// A store went up and down too often within a window.
    @Default<FlappingInvariant> public var storeFlapping: FlappingInvariant
    /// A store's p99 gRPC latency is above a threshold.
    @Default<LatencyInvariant> public var highLatency: LatencyInvariant
    /// A store's free space is below PD's low-space line.
    @Default<LowSpaceInvariant> public var lowSpace: LowSpaceInvariant
    /// Leader counts deviate from the desired balance (`balance.leaders`).
    @Default<InvariantPolicy.Defaults<Minutes5, Severity.Warning>> public var leaderSkew: InvariantPolicy
    /// Region counts deviate from the desired balance (`balance.regions`).
    @Default<InvariantPolicy.Defaults<Minutes10, Severity.Info>> public var regionSkew: InvariantPolicy
    /// Regions with missing, down, pending or offline peers.
    @Default<InvariantPolicy.Defaults<Minutes5, Severity.Warning>> public var regionHealth: InvariantPolicy
    /// Regions whose voters on not-alive stores are a majority: they serve nothing, so no grace period.
    @Default<InvariantPolicy.Defaults<Seconds0, Severity.Critical>> public var regionsUnavailable: InvariantPolicy
    /// Regions that keep their quorum only while every alive voter stays up: one more failure loses it.
    @Default<InvariantPolicy.Defaults<Minutes1, Severity.Warning>> public var regionsAtRisk: InvariantPolicy
    /// RocksDB write stall on a store.
    @Default<WriteStallInvariant> public var writeStall: WriteStallInvariant
    /// PD's health: no leader (critical), an unhealthy member or leader churn (warning).
    @Default<PDHealthInvariant> public var pdMembers: PDHealthInvariant
    /// An evict-leader scheduler holds a store that is under no maintenance.
    @Default<InvariantPolicy.Defaults<Minutes10, Severity.Warning>> public var leftoverScheduler: InvariantPolicy
    /// A store carries much more hot-region flow than the others.
    @Default<HotSpotInvariant> public var hotSpot: HotSpotInvariant
    /// Regions whose replicas share a `location-labels` level PD could separate them at.
    @Default<InvariantPolicy.Defaults<Minutes5, Severity.Warning>> public var replicaIsolation: InvariantPolicy

    public init() {}

    func validate(_ v: inout Validator) {
        v.nested("storeDown") { storeDown.validate(&$0) }
        v.nested("storeFlapping") { storeFlapping.validate(&$0) }
        v.nested("highLatency") { highLatency.validate(&$0) }
        v.nested("lowSpace") { lowSpace.validate(&$0) }
        v.nested("leaderSkew") { leaderSkew.validate(&$0) }
        v.nested("regionSkew") { regionSkew.validate(&$0) }
        v.nested("regionHealth") { regionHealth.validate(&$0) }
        v.nested("regionsUnavailable") { regionsUnavailable.validate(&$0) }
        v.nested("regionsAtRisk") { regionsAtRisk.validate(&$0) }
        v.nested("writeStall") { writeStall.validate(&$0) }
        v.nested("pdMembers") { pdMembers.validate(&$0) }
        v.nested("leftoverScheduler") { leftoverScheduler.validate(&$0) }
        v.nested("hotSpot") { hotSpot.validate(&$0) }
        v.nested("replicaIsolation") { replicaIsolation.validate(&$0) }
    }
}

public struct FlappingInvariant: Codable, Sendable, Equatable, DefaultInitializable {
    @Default<True> public var enabled: Bool
    @Default<Severity.Warning> public var severity: Severity
    /// The sliding window in which state changes are counted.
    @Default<Minutes10> public var window: GoDuration
    /// At least this many up↔down transitions, or restarts (PD's `start_ts` moved), within the window is flapping.
    @Default<Int3> public var maxTransitions: Int
    public init() {}
    func validate(_ v: inout Validator) {
        v.duration("window", window, min: .minutes(1), max: .hours(24))
        v.range("maxTransitions", maxTransitions, 1...1000)
    }
}

public struct LatencyInvariant: Codable, Sendable, Equatable, DefaultInitializable {
    @Default<True> public var enabled: Bool
    @Default<Minutes2> public var gracePeriod: GoDuration
    @Default<Severity.Warning> public var severity: Severity
    /// p99 of `tikv_grpc_msg_duration_seconds` per store above this is a ticket (and so is PD's slow score ≥ 80).
    @Default<Milliseconds500> public var p99Threshold: GoDuration
    public init() {}
    func validate(_ v: inout Validator) {
        v.duration("gracePeriod", gracePeriod, min: .zero, max: .hours(24))
        v.duration("p99Threshold", p99Threshold, min: .milliseconds(1), max: .minutes(5))
    }
}

public struct LowSpaceInvariant: Codable, Sendable, Equatable, DefaultInitializable {
    @Default<True> public var enabled: Bool
    @Default<Minutes5> public var gracePeriod: GoDuration
    @Default<Severity.Critical> public var severity: Severity
    /// PD counts a store as low-space below 1 − `low-space-ratio` (0.8) free, i.e. 20 %.
    @Default<Percent20> public var minAvailablePercent: Double
    public init() {}
    func validate(_ v: inout Validator) {
        v.duration("gracePeriod", gracePeriod, min: .zero, max: .hours(24))
        v.range("minAvailablePercent", minAvailablePercent, 0.1...99.0)
    }
}

public struct WriteStallInvariant: Codable, Sendable, Equatable, DefaultInitializable {
    @Default<True> public var enabled: Bool
    @Default<Minutes1> public var gracePeriod: GoDuration
    @Default<Severity.Critical> public var severity: Severity
    /// `tikv_engine_write_stall{type="write_stall_percentile99"}` (µs in TiKV) above this is a stall.
    @Default<Milliseconds100> public var threshold: GoDuration
    public init() {}
    func validate(_ v: inout Validator) {
        v.duration("gracePeriod", gracePeriod, min: .zero, max: .hours(24))
        v.duration("threshold", threshold, min: GoDuration(nanoseconds: 1_000), max: .minutes(1))
    }
}

/// PD's health. A PD without a leader schedules nothing and hands out no timestamps, so it has the invariant's
/// `severity`; an unhealthy member or frequent elections are a warning (`degradedSeverity`): PD still serves.
public struct PDHealthInvariant: Codable, Sendable, Equatable, DefaultInitializable {
    @Default<True> public var enabled: Bool
    @Default<Minutes1> public var gracePeriod: GoDuration
    /// No PD member is the leader.
    @Default<Severity.Critical> public var severity: Severity
    /// A member `/health` calls unhealthy, or more leader changes in the last hour than `maxLeaderChangesPerHour`.
    @Default<Severity.Warning> public var degradedSeverity: Severity
    /// More leader changes than this within an hour is churn (an election or two, e.g. a rolling upgrade, is not).
    @Default<Int3> public var maxLeaderChangesPerHour: Int
    public init() {}
    func validate(_ v: inout Validator) {
        v.duration("gracePeriod", gracePeriod, min: .zero, max: .hours(24))
        v.range("maxLeaderChangesPerHour", maxLeaderChangesPerHour, 1...1000)
    }
}

public struct HotSpotInvariant: Codable, Sendable, Equatable, DefaultInitializable {
    @Default<True> public var enabled: Bool
    @Default<Minutes5> public var gracePeriod: GoDuration
    @Default<Severity.Info> public var severity: Severity
    /// A store's hot write or read flow above this multiple of the cluster's per-store mean is a hot spot.
    @Default<Double3> public var flowRatio: Double
    /// Flows below this (bytes per second) are never hot, so an idle cluster raises nothing.
    @Default<Mebibytes16> public var minBytesPerSecond: Double
    public init() {}
    func validate(_ v: inout Validator) {
        v.duration("gracePeriod", gracePeriod, min: .zero, max: .hours(24))
        v.range("flowRatio", flowRatio, 1.1...100.0)
        v.range("minBytesPerSecond", minBytesPerSecond, 0.0...1e12)
    }
}
