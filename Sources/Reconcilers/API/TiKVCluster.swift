import Foundation
import PDWire

/// What the controller may do to a cluster.
public enum ClusterMode: String, Codable, Sendable, CaseIterable, SpecEnum {
    /// Compute and show tickets and plans; never change the cluster. The default.
    case observe
    /// Also record, per step, the exact PD request that would be sent; send nothing.
    case dryRun
    /// Send PD requests for approved plans.
    case execute
}

/// Desired state of one TiKV cluster: where to observe it, what "healthy" and "balanced" mean,
/// and how much the controller may do on its own.
public struct TiKVClusterSpec: Codable, Sendable, Equatable, SpecValidatable {
    public var pd: PDEndpoint
    public var prometheus: PrometheusEndpoint?
    public var mode: ClusterMode
    public var paused: Bool
    public var resyncPeriod: GoDuration
    public var invariants: Invariants
    public var balance: BalancePolicy
    public var approval: ApprovalPolicy
    public var limits: Limits
    public var maintenanceWindows: [MaintenanceWindow]
    public var execution: ExecutionPolicy
    public var diagnosis: DiagnosisConfig

    public init(pd: PDEndpoint, prometheus: PrometheusEndpoint? = nil, mode: ClusterMode = .observe, paused: Bool = false,
                resyncPeriod: GoDuration = .seconds(30), invariants: Invariants = .init(), balance: BalancePolicy = .init(),
                approval: ApprovalPolicy = .init(), limits: Limits = .init(), maintenanceWindows: [MaintenanceWindow] = [],
                execution: ExecutionPolicy = .init(), diagnosis: DiagnosisConfig = .init()) {
        self.pd = pd
        self.prometheus = prometheus
        self.mode = mode
        self.paused = paused
        self.resyncPeriod = resyncPeriod
        self.invariants = invariants
        self.balance = balance
        self.approval = approval
        self.limits = limits
        self.maintenanceWindows = maintenanceWindows
        self.execution = execution
        self.diagnosis = diagnosis
    }

    enum CodingKeys: String, CodingKey {
        case pd, prometheus, mode, paused, resyncPeriod, invariants, balance, approval, limits, maintenanceWindows, execution, diagnosis
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pd = try c.decode(PDEndpoint.self, forKey: .pd)
        prometheus = try c.decodeIfPresent(PrometheusEndpoint.self, forKey: .prometheus)
        mode = try c.value(.mode, default: .observe)
        paused = try c.value(.paused, default: false)
        resyncPeriod = try c.value(.resyncPeriod, default: .seconds(30))
        invariants = try c.value(.invariants, default: Invariants())
        balance = try c.value(.balance, default: BalancePolicy())
        approval = try c.value(.approval, default: ApprovalPolicy())
        limits = try c.value(.limits, default: Limits())
        maintenanceWindows = try c.value(.maintenanceWindows, default: [])
        execution = try c.value(.execution, default: ExecutionPolicy())
        diagnosis = try c.value(.diagnosis, default: DiagnosisConfig())
    }

    public func validate(_ v: inout Validator) {
        v.nested("pd") { pd.validate(&$0) }
        if let prometheus { v.nested("prometheus") { prometheus.validate(&$0) } }
        v.duration("resyncPeriod", resyncPeriod, min: .seconds(1), max: .hours(1))
        v.nested("invariants") { invariants.validate(&$0) }
        v.nested("balance") { balance.validate(&$0) }
        v.nested("approval") { approval.validate(&$0) }
        v.nested("limits") { limits.validate(&$0) }
        for (i, w) in maintenanceWindows.enumerated() {
            v.nested("maintenanceWindows[\(i)]") { w.validate(&$0) }
        }
        v.nested("execution") { execution.validate(&$0) }
        v.nested("diagnosis") { diagnosis.validate(&$0) }
    }
}

/// PD's client URLs. Several members may be listed; the client follows the leader and fails over.
public struct PDEndpoint: Codable, Sendable, Equatable {
    public var urls: [String]
    public var timeout: GoDuration
    /// For `https` URLs: the CA and client certificate (a TiDB cluster with TLS requires one).
    public var tls: TLSFiles?

    public init(urls: [String], timeout: GoDuration = .seconds(5), tls: TLSFiles? = nil) {
        self.urls = urls
        self.timeout = timeout
        self.tls = tls
    }
    enum CodingKeys: String, CodingKey { case urls, timeout, tls }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        urls = try c.decode([String].self, forKey: .urls)
        timeout = try c.value(.timeout, default: .seconds(5))
        tls = try c.decodeIfPresent(TLSFiles.self, forKey: .tls)
    }
    func validate(_ v: inout Validator) {
        if urls.isEmpty { v.fail("urls", "must list at least one PD URL, e.g. http://basic-pd.tidb.svc:2379") }
        for (i, u) in urls.enumerated() { v.url("urls[\(i)]", u) }
        v.duration("timeout", timeout, min: .milliseconds(100), max: .minutes(5))
        if let tls {
            v.nested("tls") { tls.validate(&$0) }
            if !urls.contains(where: { $0.lowercased().hasPrefix("https://") }) {
                v.fail("tls", "is set but no URL is https://: TLS is used only for https URLs")
            }
        }
    }
}

/// PEM files for TLS, as TiDB Operator's client secret mounts them (`ca.crt`, `tls.crt`, `tls.key`).
/// Without `caFile` the system's CA bundle verifies the server. The server's certificate must always
/// name the URL's host; there is no switch to skip that check.
public struct TLSFiles: Codable, Sendable, Hashable {
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
    enum CodingKeys: String, CodingKey { case caFile, certFile, keyFile }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
        certFile = try c.decodeIfPresent(String.self, forKey: .certFile)
        keyFile = try c.decodeIfPresent(String.self, forKey: .keyFile)
    }
    func validate(_ v: inout Validator) {
        for (field, path) in [("caFile", caFile), ("certFile", certFile), ("keyFile", keyFile)] {
            if let path, path.isEmpty { v.fail(field, "must be a file path, or left out") }
        }
        if (certFile == nil) != (keyFile == nil) {
            v.fail(certFile == nil ? "certFile" : "keyFile", "certFile and keyFile go together: a client certificate needs its key")
        }
    }
}

/// The Prometheus that scrapes the cluster's TiKV and PD. Without it, metric invariants stay Unknown.
public struct PrometheusEndpoint: Codable, Sendable, Equatable {
    public var url: String
    public var timeout: GoDuration
    /// The range of the `rate(…[w])` behind latency and QPS: at least four scrape intervals (Grafana's
    /// `$__rate_interval` rule); shorter reacts sooner, longer smooths more.
    public var rateWindow: GoDuration
    /// For an `https` URL: the CA (and a client certificate, if Prometheus asks for one).
    public var tls: TLSFiles?

    public init(url: String, timeout: GoDuration = .seconds(10), rateWindow: GoDuration = .minutes(1), tls: TLSFiles? = nil) {
        self.url = url
        self.timeout = timeout
        self.rateWindow = rateWindow
        self.tls = tls
    }
    enum CodingKeys: String, CodingKey { case url, timeout, rateWindow, tls }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.decode(String.self, forKey: .url)
        timeout = try c.value(.timeout, default: .seconds(10))
        rateWindow = try c.value(.rateWindow, default: .minutes(1))
        tls = try c.decodeIfPresent(TLSFiles.self, forKey: .tls)
    }
    func validate(_ v: inout Validator) {
        v.url("url", url)
        v.duration("timeout", timeout, min: .milliseconds(100), max: .minutes(5))
        v.duration("rateWindow", rateWindow, min: .seconds(4), max: .hours(1))
        if let tls {
            v.nested("tls") { tls.validate(&$0) }
            if !url.lowercased().hasPrefix("https://") { v.fail("tls", "is set but the URL is not https://: TLS is used only for https URLs") }
        }
    }
}

/// A health rule's common knobs: whether it runs, how long it must hold before a ticket opens, and how bad it is.
public struct InvariantPolicy: Codable, Sendable, Equatable {
    public var enabled: Bool
    public var gracePeriod: GoDuration
    public var severity: Severity

    public init(enabled: Bool = true, gracePeriod: GoDuration, severity: Severity) {
        self.enabled = enabled
        self.gracePeriod = gracePeriod
        self.severity = severity
    }
    enum CodingKeys: String, CodingKey { case enabled, gracePeriod, severity }
    init(from decoder: any Decoder, defaults: InvariantPolicy) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.value(.enabled, default: defaults.enabled)
        gracePeriod = try c.value(.gracePeriod, default: defaults.gracePeriod)
        severity = try c.value(.severity, default: defaults.severity)
    }
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, defaults: InvariantPolicy(gracePeriod: .minutes(1), severity: .warning))
    }
    func validate(_ v: inout Validator) {
        v.duration("gracePeriod", gracePeriod, min: .zero, max: .hours(24))
    }
}

/// The health invariants and their thresholds. Every field is optional in a spec file.
public struct Invariants: Codable, Sendable, Equatable {
    /// A store is Down or Disconnected (incl. an Offline store that stopped heartbeating).
    public var storeDown: InvariantPolicy
    /// A store went up and down too often within a window.
    public var storeFlapping: FlappingInvariant
    /// A store's p99 gRPC latency is above a threshold.
    public var highLatency: LatencyInvariant
    /// A store's free space is below PD's low-space line.
    public var lowSpace: LowSpaceInvariant
    /// Leader counts deviate from the desired balance (`balance.leaders`).
    public var leaderSkew: InvariantPolicy
    /// Region counts deviate from the desired balance (`balance.regions`).
    public var regionSkew: InvariantPolicy
    /// Regions with missing, down, pending or offline peers.
    public var regionHealth: InvariantPolicy
    /// RocksDB write stall on a store.
    public var writeStall: WriteStallInvariant
    /// A PD member is unhealthy or the PD cluster has no leader.
    public var pdMembers: InvariantPolicy
    /// An evict-leader scheduler holds a store that is under no maintenance.
    public var leftoverScheduler: InvariantPolicy
    /// A store carries much more hot-region flow than the others.
    public var hotSpot: HotSpotInvariant

    public init() {
        storeDown = InvariantPolicy(gracePeriod: .minutes(1), severity: .critical)
        storeFlapping = FlappingInvariant()
        highLatency = LatencyInvariant()
        lowSpace = LowSpaceInvariant()
        leaderSkew = InvariantPolicy(gracePeriod: .minutes(5), severity: .warning)
        regionSkew = InvariantPolicy(gracePeriod: .minutes(10), severity: .info)
        regionHealth = InvariantPolicy(gracePeriod: .minutes(5), severity: .warning)
        writeStall = WriteStallInvariant()
        pdMembers = InvariantPolicy(gracePeriod: .minutes(1), severity: .critical)
        leftoverScheduler = InvariantPolicy(gracePeriod: .minutes(10), severity: .warning)
        hotSpot = HotSpotInvariant()
    }

    enum CodingKeys: String, CodingKey {
        case storeDown, storeFlapping, highLatency, lowSpace, leaderSkew, regionSkew, regionHealth, writeStall, pdMembers,
             leftoverScheduler, hotSpot
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func policy(_ key: CodingKeys, _ defaults: InvariantPolicy) throws -> InvariantPolicy {
            guard c.contains(key), try !c.decodeNil(forKey: key) else { return defaults }
            return try InvariantPolicy(from: c.superDecoder(forKey: key), defaults: defaults)
        }
        storeDown = try policy(.storeDown, storeDown)
        storeFlapping = try c.value(.storeFlapping, default: storeFlapping)
        highLatency = try c.value(.highLatency, default: highLatency)
        lowSpace = try c.value(.lowSpace, default: lowSpace)
        leaderSkew = try policy(.leaderSkew, leaderSkew)
        regionSkew = try policy(.regionSkew, regionSkew)
        regionHealth = try policy(.regionHealth, regionHealth)
        writeStall = try c.value(.writeStall, default: writeStall)
        pdMembers = try policy(.pdMembers, pdMembers)
        leftoverScheduler = try policy(.leftoverScheduler, leftoverScheduler)
        hotSpot = try c.value(.hotSpot, default: hotSpot)
    }

    func validate(_ v: inout Validator) {
        v.nested("storeDown") { storeDown.validate(&$0) }
        v.nested("storeFlapping") { storeFlapping.validate(&$0) }
        v.nested("highLatency") { highLatency.validate(&$0) }
        v.nested("lowSpace") { lowSpace.validate(&$0) }
        v.nested("leaderSkew") { leaderSkew.validate(&$0) }
        v.nested("regionSkew") { regionSkew.validate(&$0) }
        v.nested("regionHealth") { regionHealth.validate(&$0) }
        v.nested("writeStall") { writeStall.validate(&$0) }
        v.nested("pdMembers") { pdMembers.validate(&$0) }
        v.nested("leftoverScheduler") { leftoverScheduler.validate(&$0) }
        v.nested("hotSpot") { hotSpot.validate(&$0) }
    }
}

public struct FlappingInvariant: Codable, Sendable, Equatable {
    public var enabled = true
    public var severity = Severity.warning
    /// The sliding window in which state changes are counted.
    public var window = GoDuration.minutes(10)
    /// More up↔down transitions than this within the window is flapping.
    public var maxTransitions = 3
    public init() {}
    enum CodingKeys: String, CodingKey { case enabled, severity, window, maxTransitions }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FlappingInvariant()
        enabled = try c.value(.enabled, default: d.enabled)
        severity = try c.value(.severity, default: d.severity)
        window = try c.value(.window, default: d.window)
        maxTransitions = try c.value(.maxTransitions, default: d.maxTransitions)
    }
    func validate(_ v: inout Validator) {
        v.duration("window", window, min: .minutes(1), max: .hours(24))
        v.range("maxTransitions", maxTransitions, 1...1000)
    }
}

public struct LatencyInvariant: Codable, Sendable, Equatable {
    public var enabled = true
    public var gracePeriod = GoDuration.minutes(2)
    public var severity = Severity.warning
    /// p99 of `tikv_grpc_msg_duration_seconds` per store above this is a ticket.
    public var p99Threshold = GoDuration.milliseconds(500)
    public init() {}
    enum CodingKeys: String, CodingKey { case enabled, gracePeriod, severity, p99Threshold }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = LatencyInvariant()
        enabled = try c.value(.enabled, default: d.enabled)
        gracePeriod = try c.value(.gracePeriod, default: d.gracePeriod)
        severity = try c.value(.severity, default: d.severity)
        p99Threshold = try c.value(.p99Threshold, default: d.p99Threshold)
    }
    func validate(_ v: inout Validator) {
        v.duration("gracePeriod", gracePeriod, min: .zero, max: .hours(24))
        v.duration("p99Threshold", p99Threshold, min: .milliseconds(1), max: .minutes(5))
    }
}

public struct LowSpaceInvariant: Codable, Sendable, Equatable {
    public var enabled = true
    public var gracePeriod = GoDuration.minutes(5)
    public var severity = Severity.critical
    /// PD counts a store as low-space below 1 − `low-space-ratio` (0.8) free, i.e. 20 %.
    public var minAvailablePercent = 20.0
    public init() {}
    enum CodingKeys: String, CodingKey { case enabled, gracePeriod, severity, minAvailablePercent }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = LowSpaceInvariant()
        enabled = try c.value(.enabled, default: d.enabled)
        gracePeriod = try c.value(.gracePeriod, default: d.gracePeriod)
        severity = try c.value(.severity, default: d.severity)
        minAvailablePercent = try c.value(.minAvailablePercent, default: d.minAvailablePercent)
    }
    func validate(_ v: inout Validator) {
        v.duration("gracePeriod", gracePeriod, min: .zero, max: .hours(24))
        v.range("minAvailablePercent", minAvailablePercent, 0.1...99.0)
    }
}

public struct WriteStallInvariant: Codable, Sendable, Equatable {
    public var enabled = true
    public var gracePeriod = GoDuration.minutes(1)
    public var severity = Severity.critical
    /// `tikv_engine_write_stall{type="write_stall_percentile99"}` (µs in TiKV) above this is a stall.
    public var threshold = GoDuration.milliseconds(100)
    public init() {}
    enum CodingKeys: String, CodingKey { case enabled, gracePeriod, severity, threshold }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = WriteStallInvariant()
        enabled = try c.value(.enabled, default: d.enabled)
        gracePeriod = try c.value(.gracePeriod, default: d.gracePeriod)
        severity = try c.value(.severity, default: d.severity)
        threshold = try c.value(.threshold, default: d.threshold)
    }
    func validate(_ v: inout Validator) {
        v.duration("gracePeriod", gracePeriod, min: .zero, max: .hours(24))
        v.duration("threshold", threshold, min: GoDuration(nanoseconds: 1_000), max: .minutes(1))
    }
}

public struct HotSpotInvariant: Codable, Sendable, Equatable {
    public var enabled = true
    public var gracePeriod = GoDuration.minutes(5)
    public var severity = Severity.info
    /// A store's hot write or read flow above this multiple of the cluster's per-store mean is a hot spot.
    public var flowRatio = 3.0
    /// Flows below this (bytes per second) are never hot, so an idle cluster raises nothing.
    public var minBytesPerSecond = 16 * 1024 * 1024.0
    public init() {}
    enum CodingKeys: String, CodingKey { case enabled, gracePeriod, severity, flowRatio, minBytesPerSecond }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = HotSpotInvariant()
        enabled = try c.value(.enabled, default: d.enabled)
        gracePeriod = try c.value(.gracePeriod, default: d.gracePeriod)
        severity = try c.value(.severity, default: d.severity)
        flowRatio = try c.value(.flowRatio, default: d.flowRatio)
        minBytesPerSecond = try c.value(.minBytesPerSecond, default: d.minBytesPerSecond)
    }
    func validate(_ v: inout Validator) {
        v.duration("gracePeriod", gracePeriod, min: .zero, max: .hours(24))
        v.range("flowRatio", flowRatio, 1.1...100.0)
        v.range("minBytesPerSecond", minBytesPerSecond, 0.0...1e12)
    }
}

/// The desired distribution of leaders and regions across stores.
public struct BalancePolicy: Codable, Sendable, Equatable {
    public var leaders: BalanceTarget
    public var regions: BalanceTarget
    /// Relative weights per store; a store absent here weighs 1.
    public var storeWeights: [StoreWeight]
    /// How the desired balance is reached: through PD's own balancers and store weights, or explicit moves.
    public var strategy: BalanceStrategy

    public init(leaders: BalanceTarget = BalanceTarget(maxSkewPercent: 10), regions: BalanceTarget = BalanceTarget(maxSkewPercent: 15),
                storeWeights: [StoreWeight] = [], strategy: BalanceStrategy = .auto) {
        self.leaders = leaders
        self.regions = regions
        self.storeWeights = storeWeights
        self.strategy = strategy
    }
    enum CodingKeys: String, CodingKey { case leaders, regions, storeWeights, strategy }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BalancePolicy()
        func target(_ key: CodingKeys, _ defaults: BalanceTarget) throws -> BalanceTarget {
            guard c.contains(key), try !c.decodeNil(forKey: key) else { return defaults }
            return try BalanceTarget(from: c.superDecoder(forKey: key), defaults: defaults)
        }
        leaders = try target(.leaders, d.leaders)
        regions = try target(.regions, d.regions)
        storeWeights = try c.value(.storeWeights, default: [])
        strategy = try c.value(.strategy, default: d.strategy)
    }
    func validate(_ v: inout Validator) {
        v.nested("leaders") { leaders.validate(&$0) }
        v.nested("regions") { regions.validate(&$0) }
        var seen = Set<UInt64>()
        for (i, w) in storeWeights.enumerated() {
            v.nested("storeWeights[\(i)]") { w.validate(&$0) }
            if !seen.insert(w.storeID).inserted {
                v.fail("storeWeights[\(i)].storeID", "store \(w.storeID) is listed twice")
            }
        }
    }
}

/// How the controller reaches the desired balance (`spec.balance.strategy`).
///
/// PD's balance-leader and balance-region schedulers run in every real cluster and undo any move that does
/// not agree with their scores, so explicit moves made while they run are fought. Their scores divide by the
/// store weights, so the desired (weighted) balance is PD configuration whenever PD balances.
public enum BalanceStrategy: String, Codable, Sendable, CaseIterable, SpecEnum {
    /// Per resource: weights while PD's balancer for it runs (listed and not paused), moves otherwise.
    case auto
    /// Always explicit transfer-leader / transfer-peer plans.
    case moves
    /// Always store weights, even while PD's balancer is paused (the plan then waits for it).
    case weights
}

public struct BalanceTarget: Codable, Sendable, Equatable {
    public var enabled: Bool
    /// A store further than this from its weighted share (in percent of that share) is out of balance.
    public var maxSkewPercent: Double

    public init(enabled: Bool = true, maxSkewPercent: Double) {
        self.enabled = enabled
        self.maxSkewPercent = maxSkewPercent
    }
    enum CodingKeys: String, CodingKey { case enabled, maxSkewPercent }
    init(from decoder: any Decoder, defaults: BalanceTarget) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.value(.enabled, default: defaults.enabled)
        maxSkewPercent = try c.value(.maxSkewPercent, default: defaults.maxSkewPercent)
    }
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, defaults: BalanceTarget(maxSkewPercent: 10))
    }
    func validate(_ v: inout Validator) {
        v.range("maxSkewPercent", maxSkewPercent, 1.0...100.0)
    }
}

public struct StoreWeight: Codable, Sendable, Equatable {
    public var storeID: UInt64
    public var leader: Double
    public var region: Double

    public init(storeID: UInt64, leader: Double = 1, region: Double = 1) {
        self.storeID = storeID
        self.leader = leader
        self.region = region
    }
    enum CodingKeys: String, CodingKey { case storeID, leader, region }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        storeID = try c.decode(UInt64.self, forKey: .storeID)
        leader = try c.value(.leader, default: 1)
        region = try c.value(.region, default: 1)
    }
    func validate(_ v: inout Validator) {
        if storeID == 0 { v.fail("storeID", "must be a store id (≥ 1)") }
        v.range("leader", leader, 0.0...100.0)
        v.range("region", region, 0.0...100.0)
    }
}

/// How many distinct people must approve a plan, per risk tier. 0 makes the tier automatic.
public struct ApprovalPolicy: Codable, Sendable, Equatable {
    public var low: TierPolicy
    public var medium: TierPolicy
    public var high: TierPolicy
    /// An approval stops counting this long after it was given.
    public var ttl: GoDuration

    public init(low: TierPolicy = .init(), medium: TierPolicy = .init(), high: TierPolicy = .init(), ttl: GoDuration = .hours(1)) {
        self.low = low
        self.medium = medium
        self.high = high
        self.ttl = ttl
    }
    enum CodingKeys: String, CodingKey { case low, medium, high, ttl }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        low = try c.value(.low, default: TierPolicy())
        medium = try c.value(.medium, default: TierPolicy())
        high = try c.value(.high, default: TierPolicy())
        ttl = try c.value(.ttl, default: .hours(1))
    }
    public func tier(_ risk: RiskTier) -> TierPolicy {
        switch risk {
        case .low: low
        case .medium: medium
        case .high: high
        }
    }
    func validate(_ v: inout Validator) {
        v.nested("low") { low.validate(&$0) }
        v.nested("medium") { medium.validate(&$0) }
        v.nested("high") { high.validate(&$0) }
        v.duration("ttl", ttl, min: .minutes(1), max: .hours(24 * 30))
    }
}

public struct TierPolicy: Codable, Sendable, Equatable {
    /// Distinct people who must approve; 0 means plans of this tier need no person.
    public var requiredApprovals: Int
    public init(requiredApprovals: Int = 1) { self.requiredApprovals = requiredApprovals }
    enum CodingKeys: String, CodingKey { case requiredApprovals }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requiredApprovals = try c.value(.requiredApprovals, default: 1)
    }
    func validate(_ v: inout Validator) { v.range("requiredApprovals", requiredApprovals, 0...5) }
}

/// Blast-radius limits.
public struct Limits: Codable, Sendable, Equatable {
    /// PD mutations in flight at once for this cluster (PD's own leader-schedule-limit is 4).
    public var maxInFlightSteps: Int
    /// PD mutations per rolling hour.
    public var maxActionsPerHour: Int
    /// Stores under maintenance (evicted or going offline) at once.
    public var maxStoresInMaintenance: Int

    public init(maxInFlightSteps: Int = 4, maxActionsPerHour: Int = 120, maxStoresInMaintenance: Int = 1) {
        self.maxInFlightSteps = maxInFlightSteps
        self.maxActionsPerHour = maxActionsPerHour
        self.maxStoresInMaintenance = maxStoresInMaintenance
    }
    enum CodingKeys: String, CodingKey { case maxInFlightSteps, maxActionsPerHour, maxStoresInMaintenance }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Limits()
        maxInFlightSteps = try c.value(.maxInFlightSteps, default: d.maxInFlightSteps)
        maxActionsPerHour = try c.value(.maxActionsPerHour, default: d.maxActionsPerHour)
        maxStoresInMaintenance = try c.value(.maxStoresInMaintenance, default: d.maxStoresInMaintenance)
    }
    func validate(_ v: inout Validator) {
        v.range("maxInFlightSteps", maxInFlightSteps, 1...1000)
        v.range("maxActionsPerHour", maxActionsPerHour, 1...100_000)
        v.range("maxStoresInMaintenance", maxStoresInMaintenance, 1...100)
    }
}

/// A recurring window in which plans may execute; with none declared, any time is allowed.
public struct MaintenanceWindow: Codable, Sendable, Equatable {
    /// Five-field cron expression for when the window opens, e.g. `0 2 * * *`.
    public var schedule: CronSchedule
    public var duration: GoDuration
    /// IANA zone for the schedule, e.g. `UTC` or `Asia/Shanghai`.
    public var timeZone: String

    enum CodingKeys: String, CodingKey { case schedule, duration, timeZone }
    public init(schedule: CronSchedule, duration: GoDuration, timeZone: String = "UTC") {
        self.schedule = schedule
        self.duration = duration
        self.timeZone = timeZone
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schedule = try c.decode(CronSchedule.self, forKey: .schedule)
        duration = try c.decode(GoDuration.self, forKey: .duration)
        timeZone = try c.value(.timeZone, default: "UTC")
    }
    func validate(_ v: inout Validator) {
        v.duration("duration", duration, min: .minutes(1), max: .hours(24))
        if TimeZone(identifier: timeZone) == nil {
            v.fail("timeZone", "unknown time zone \"\(timeZone)\": expected an IANA name such as UTC or Europe/Berlin")
        }
    }
}

/// How steps run: PD-like timeouts and retries with exponential backoff.
public struct ExecutionPolicy: Codable, Sendable, Equatable {
    /// Timeout of fast steps (leader transfer, scheduler changes); PD's own is ≥ 60 s.
    public var fastStepTimeout: GoDuration
    /// Timeout of slow steps (peer moves, draining a store); PD's own is ≥ 10 min.
    public var slowStepTimeout: GoDuration
    public var retry: RetryPolicy

    public init(fastStepTimeout: GoDuration = .seconds(60), slowStepTimeout: GoDuration = .minutes(10), retry: RetryPolicy = .init()) {
        self.fastStepTimeout = fastStepTimeout
        self.slowStepTimeout = slowStepTimeout
        self.retry = retry
    }
    enum CodingKeys: String, CodingKey { case fastStepTimeout, slowStepTimeout, retry }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ExecutionPolicy()
        fastStepTimeout = try c.value(.fastStepTimeout, default: d.fastStepTimeout)
        slowStepTimeout = try c.value(.slowStepTimeout, default: d.slowStepTimeout)
        retry = try c.value(.retry, default: d.retry)
    }
    func validate(_ v: inout Validator) {
        v.duration("fastStepTimeout", fastStepTimeout, min: .seconds(60), max: .hours(6))
        v.duration("slowStepTimeout", slowStepTimeout, min: .minutes(10), max: .hours(48))
        v.nested("retry") { retry.validate(&$0) }
    }
}

public struct RetryPolicy: Codable, Sendable, Equatable {
    public var baseDelay = GoDuration.seconds(2)
    public var factor = 2.0
    public var maxDelay = GoDuration.minutes(5)
    public var maxAttempts = 3
    public init() {}
    enum CodingKeys: String, CodingKey { case baseDelay, factor, maxDelay, maxAttempts }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = RetryPolicy()
        baseDelay = try c.value(.baseDelay, default: d.baseDelay)
        factor = try c.value(.factor, default: d.factor)
        maxDelay = try c.value(.maxDelay, default: d.maxDelay)
        maxAttempts = try c.value(.maxAttempts, default: d.maxAttempts)
    }
    func validate(_ v: inout Validator) {
        v.duration("baseDelay", baseDelay, min: .milliseconds(100), max: .minutes(10))
        v.range("factor", factor, 1.0...10.0)
        v.duration("maxDelay", maxDelay, min: .seconds(1), max: .hours(1))
        if maxDelay < baseDelay { v.fail("maxDelay", "must not be shorter than baseDelay (\(baseDelay))") }
        v.range("maxAttempts", maxAttempts, 1...20)
    }
}

public enum DiagnosisProvider: String, Codable, Sendable, CaseIterable, SpecEnum {
    /// Deterministic rules engine, offline. The default.
    case rules
    /// Anthropic's Messages API.
    case anthropic
    /// Any OpenAI-compatible chat-completions endpoint (e.g. a local model).
    case openai
}

/// Where a secret comes from; the value itself never appears in a spec, a log or the store.
public struct SecretSource: Codable, Sendable, Equatable {
    public var env: String?
    public var file: String?
    public init(env: String? = nil, file: String? = nil) {
        self.env = env
        self.file = file
    }
}

public struct DiagnosisConfig: Codable, Sendable, Equatable {
    public var provider: DiagnosisProvider
    /// Model name; empty means the provider's default.
    public var model: String
    /// Base URL; empty means the provider's default (Anthropic's public API). Required for `openai`.
    public var endpoint: String
    public var apiKey: SecretSource?
    public var maxCallsPerHour: Int
    public var timeout: GoDuration

    public init(provider: DiagnosisProvider = .rules, model: String = "", endpoint: String = "", apiKey: SecretSource? = nil,
                maxCallsPerHour: Int = 30, timeout: GoDuration = .seconds(60)) {
        self.provider = provider
        self.model = model
        self.endpoint = endpoint
        self.apiKey = apiKey
        self.maxCallsPerHour = maxCallsPerHour
        self.timeout = timeout
    }
    enum CodingKeys: String, CodingKey { case provider, model, endpoint, apiKey, maxCallsPerHour, timeout }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DiagnosisConfig()
        provider = try c.value(.provider, default: d.provider)
        model = try c.value(.model, default: d.model)
        endpoint = try c.value(.endpoint, default: d.endpoint)
        apiKey = try c.decodeIfPresent(SecretSource.self, forKey: .apiKey)
        maxCallsPerHour = try c.value(.maxCallsPerHour, default: d.maxCallsPerHour)
        timeout = try c.value(.timeout, default: d.timeout)
    }
    func validate(_ v: inout Validator) {
        if !endpoint.isEmpty { v.url("endpoint", endpoint) }
        if provider == .openai && endpoint.isEmpty { v.fail("endpoint", "is required for provider openai (the base URL of the chat-completions API)") }
        if provider != .rules {
            if apiKey == nil && provider == .anthropic { v.fail("apiKey", "is required for provider anthropic: set env or file") }
        }
        if let apiKey {
            if (apiKey.env == nil) == (apiKey.file == nil) { v.fail("apiKey", "set exactly one of env or file") }
        }
        v.range("maxCallsPerHour", maxCallsPerHour, 0...10_000)
        v.duration("timeout", timeout, min: .seconds(1), max: .minutes(10))
    }
}

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
    public var storeHistory: [StoreLivenessHistory]?
    /// Per store, whether it is a legal leader and peer target now and, when not, the rule and reading that rule it
    /// out (`TargetLegality`); written from each complete observation.
    public var targets: [StoreTargets]?
    /// Per balanced resource, the way it is balanced now and the PD scheduler state that chose it
    /// (`BalanceStrategyChoice`); written from each complete observation.
    public var balance: [BalanceStanding]?
    public init() {}
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
