import Foundation
import PDWire

/// One TiKV store as PD and Prometheus describe it at the snapshot's time.
public struct StoreSnapshot: Sendable, Hashable {
    public var id: UInt64
    public var address: String
    /// Where TiKV serves `/metrics`; Prometheus' `instance` label for its series.
    public var statusAddress: String
    public var labels: [String: String]
    public var version: String
    /// PD's `state` (Up / Offline / Tombstone). An Offline store that died still says Offline.
    public var state: StoreState
    /// PD's `state_name` as reported (Up, Disconnected, Down, Offline, Tombstone, Preparing, Serving…).
    public var stateName: String
    /// From the heartbeat age, whatever `state_name` says (SUMMARY.md fact 3).
    public var liveness: StoreLiveness
    public var lastHeartbeat: Date?
    public var startTime: Date?
    public var capacityBytes: Int64
    public var availableBytes: Int64
    public var usedBytes: Int64
    public var leaderCount: Int
    public var regionCount: Int
    public var leaderWeight: Double
    public var regionWeight: Double
    public var pendingPeerCount: Int
    public var slowScore: UInt64
    public var isBusy: Bool
    public var metrics: StoreMetrics

    public init(id: UInt64, address: String, statusAddress: String = "", labels: [String: String] = [:], version: String = "",
                state: StoreState = .up, stateName: String = "Up", liveness: StoreLiveness = .alive,
                lastHeartbeat: Date? = nil, startTime: Date? = nil,
                capacityBytes: Int64 = 0, availableBytes: Int64 = 0, usedBytes: Int64 = 0,
                leaderCount: Int = 0, regionCount: Int = 0, leaderWeight: Double = 1, regionWeight: Double = 1,
                pendingPeerCount: Int = 0, slowScore: UInt64 = 0, isBusy: Bool = false,
                metrics: StoreMetrics = StoreMetrics()) {
        self.id = id
        self.address = address
        self.statusAddress = statusAddress
        self.labels = labels
        self.version = version
        self.state = state
        self.stateName = stateName
        self.liveness = liveness
        self.lastHeartbeat = lastHeartbeat
        self.startTime = startTime
        self.capacityBytes = capacityBytes
        self.availableBytes = availableBytes
        self.usedBytes = usedBytes
        self.leaderCount = leaderCount
        self.regionCount = regionCount
        self.leaderWeight = leaderWeight
        self.regionWeight = regionWeight
        self.pendingPeerCount = pendingPeerCount
        self.slowScore = slowScore
        self.isBusy = isBusy
        self.metrics = metrics
    }

    /// Serving and heard from: the only stores a planner may move leaders or peers to.
    public var isUpAndAlive: Bool { state == .up && liveness == .alive }

    public var isTombstone: Bool { state == .tombstone || liveness == .tombstone }

    /// Available space in percent of capacity; nil when PD reports no capacity.
    public var availablePercent: Double? {
        capacityBytes > 0 ? Double(availableBytes) * 100 / Double(capacityBytes) : nil
    }

    /// Heartbeat age at `now`, nil when the store never sent one.
    public func heartbeatAge(at now: Date) -> TimeInterval? {
        lastHeartbeat.map { now.timeIntervalSince($0) }
    }
}

/// Prometheus readings for one store. Every field is a `MetricReading`: unknown is not healthy.
public struct StoreMetrics: Sendable, Hashable {
    /// p99 of `tikv_grpc_msg_duration_seconds`, in seconds.
    public var p99Latency: MetricReading
    /// gRPC messages per second.
    public var qps: MetricReading
    /// Write-stall duration (max over the window), in seconds.
    public var writeStall: MetricReading
    /// Whether Prometheus can scrape the store (`up`), 1 or 0.
    public var up: MetricReading
    /// When the scrape behind `up` was taken (Prometheus: the sample's own timestamp, `timestamp(up)`; the
    /// controller's own scrape: its time), nil when unknown. Every reading here is as old as that scrape or
    /// older, so a scrape from before the store's last heartbeat says nothing about the process now.
    public var scrapedAt: Date?

    public init(p99Latency: MetricReading = .failed("not observed"), qps: MetricReading = .failed("not observed"),
                writeStall: MetricReading = .failed("not observed"), up: MetricReading = .failed("not observed"),
                scrapedAt: Date? = nil) {
        self.p99Latency = p99Latency
        self.qps = qps
        self.writeStall = writeStall
        self.up = up
        self.scrapedAt = scrapedAt
    }
}
