import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// Table tests for the per-store invariants: healthy, broken, unknown data, disabled.
@Suite struct StoreInvariantTests {
    typealias F = HealthFixtures
    let t0 = HealthFixtures.t0

    func verdict(_ id: InvariantID, _ snapshot: ClusterSnapshot, spec: TiKVClusterSpec = F.cluster().spec,
                 maintenances: [StoreMaintenance] = [], history: [StoreHistory] = []) -> InvariantVerdict {
        let all = HealthReconciler.evaluate(spec, snapshot, maintenances, history: history, now: t0)
        return all.first { $0.invariant == id } ?? .noVerdict(id)
    }

    func subjects(_ v: InvariantVerdict) -> [String] { v.violations.map(\.subject) }

    // MARK: storeDown

    struct DownCase: Sendable, CustomTestStringConvertible {
        var name: String
        var state: StoreState
        var liveness: StoreLiveness
        var broken: Bool
        var testDescription: String { name }
    }

    @Test(arguments: [
        DownCase(name: "up and alive", state: .up, liveness: .alive, broken: false),
        DownCase(name: "disconnected", state: .up, liveness: .disconnected, broken: true),
        DownCase(name: "down", state: .up, liveness: .down, broken: true),
        DownCase(name: "never heard from", state: .up, liveness: .neverSeen, broken: true),
        DownCase(name: "offline and alive (draining)", state: .offline, liveness: .alive, broken: false),
        DownCase(name: "offline and dead: still says Offline", state: .offline, liveness: .disconnected, broken: true),
        DownCase(name: "tombstone", state: .tombstone, liveness: .tombstone, broken: false),
    ])
    func storeDown(_ c: DownCase) {
        var stores = (1...3).map { F.store(UInt64($0)) }
        stores[1].state = c.state
        stores[1].liveness = c.liveness
        let v = verdict(.storeDown, F.snapshot(stores: stores))
        #expect(v.judged)
        #expect(subjects(v) == (c.broken ? ["store/2"] : []))
        if c.broken {
            #expect(v.violations[0].severity == .critical)
            #expect(v.violations[0].readings.contains { $0.name == "heartbeatAge" })
        }
    }

    @Test func deadStoreBeingTakenOfflineUnderMaintenanceIsStillReported() {
        var stores = (1...3).map { F.store(UInt64($0)) }
        stores[2] = F.dead(stores[2])
        stores[2].state = .offline
        let v = verdict(.storeDown, F.snapshot(stores: stores), maintenances: [F.maintenance(store: 3, offline: true)])
        #expect(subjects(v) == ["store/3"])
        #expect(v.violations[0].summary.contains("Offline"))
        #expect(v.violations[0].summary.contains("maintenance"))
    }

    @Test func storeDownWithoutStoreListHasNoVerdictAndDisabledFindsNothing() {
        let failed = F.with(F.snapshot(stores: [F.dead(F.store(1))])) { $0.sources[.stores] = .failed("timeout") }
        #expect(!verdict(.storeDown, failed).judged)
        #expect(verdict(.storeDown, failed).violations.isEmpty)
        let spec = F.cluster { $0.invariants.storeDown.enabled = false }.spec
        let disabled = verdict(.storeDown, F.snapshot(stores: [F.dead(F.store(1)), F.store(2)]), spec: spec)
        #expect(disabled.judged && disabled.violations.isEmpty)
    }

    // MARK: storeFlapping

    @Test func flappingCountsTransitionsWithinTheWindow() {
        let snapshot = F.snapshot()
        let three = [StoreHistory(storeID: 2, alive: true, transitions: [t0 - 300, t0 - 200, t0 - 100])]
        let two = [StoreHistory(storeID: 2, alive: true, transitions: [t0 - 200, t0 - 100])]
        #expect(subjects(verdict(.storeFlapping, snapshot, history: three)) == ["store/2"])
        #expect(verdict(.storeFlapping, snapshot, history: two).violations.isEmpty)
        let spec = F.cluster { $0.invariants.storeFlapping.enabled = false }.spec
        #expect(verdict(.storeFlapping, snapshot, spec: spec, history: three).violations.isEmpty)
    }

    @Test func livenessHistoryRecordsChangesAndForgetsOldOnes() {
        let window = GoDuration.minutes(10)
        let healthy = F.snapshot()
        var history = StoreHistory.update([], snapshot: healthy, window: window, now: t0)
        #expect(history.map(\.transitions) == [[], [], []])
        // Same liveness again: nothing changes, so an idle pass writes nothing.
        #expect(StoreHistory.update(history, snapshot: healthy, window: window, now: t0 + 30) == history)
        let down = F.snapshot(stores: [F.store(1), F.dead(F.store(2)), F.store(3)])
        history = StoreHistory.update(history, snapshot: down, window: window, now: t0 + 60)
        history = StoreHistory.update(history, snapshot: healthy, window: window, now: t0 + 120)
        #expect(history[1].transitions == [t0 + 60, t0 + 120])
        #expect(history[1].alive)
        // Ten minutes later the first change has left the window.
        history = StoreHistory.update(history, snapshot: healthy, window: window, now: t0 + 61 + 600)
        #expect(history[1].transitions == [t0 + 120])
        // A failed store list keeps the history; a store PD no longer lists is forgotten.
        let failed = F.with(healthy) { $0.sources[.stores] = .failed("timeout") }
        #expect(StoreHistory.update(history, snapshot: failed, window: window, now: t0 + 700) == history)
        let twoStores = F.snapshot(stores: [F.store(1), F.store(3)])
        #expect(StoreHistory.update(history, snapshot: twoStores, window: window, now: t0 + 700).map(\.storeID) == [1, 3])
    }

    /// PD's start_ts moving is a restart, even when every pass saw the store alive (a restart shorter than a pass):
    /// remembered within the window; first sight and a start time PD did not give are not restarts.
    @Test func historyRecordsRestartsFromStartTime() {
        let window = GoDuration.minutes(10)
        func snapshot(started: Date?, at now: Date) -> ClusterSnapshot {
            var store = F.store(2, at: now)
            store.startTime = started
            return F.snapshot(stores: [F.store(1, at: now), store], at: now)
        }
        let boot = t0 - 86_400
        var history = StoreHistory.update([], snapshot: snapshot(started: boot, at: t0), window: window, now: t0)
        #expect(history[1].restarts.isEmpty && history[1].startTime == boot)
        #expect(StoreHistory.update(history, snapshot: snapshot(started: boot, at: t0 + 10), window: window, now: t0 + 10) == history)
        // A pass without a start time keeps the last one; it is not a restart.
        #expect(StoreHistory.update(history, snapshot: snapshot(started: nil, at: t0 + 10), window: window, now: t0 + 10) == history)
        history = StoreHistory.update(history, snapshot: snapshot(started: t0 + 14, at: t0 + 20), window: window, now: t0 + 20)
        #expect(history[1].restarts == [t0 + 14])
        #expect(history[1].transitions.isEmpty, "alive at every pass")
        // A start time ahead of the controller's clock is recorded as the pass's time, so it leaves the window.
        history = StoreHistory.update(history, snapshot: snapshot(started: t0 + 90, at: t0 + 60), window: window, now: t0 + 60)
        #expect(history[1].restarts == [t0 + 14, t0 + 60])
        history = StoreHistory.update(history, snapshot: snapshot(started: t0 + 90, at: t0 + 615), window: window, now: t0 + 615)
        #expect(history[1].restarts == [t0 + 60])
    }

    /// Three restarts within the window are flapping, though the sampled liveness never changed.
    @Test func flappingCountsRestarts() throws {
        let snapshot = F.snapshot()
        let three = [StoreHistory(storeID: 2, alive: true, restarts: [t0 - 300, t0 - 200, t0 - 100])]
        let v = verdict(.storeFlapping, snapshot, history: three)
        #expect(subjects(v) == ["store/2"])
        let violation = try #require(v.violations.first)
        #expect(violation.readings.first { $0.name == "restarts" }?.value == 3)
        #expect(violation.readings.first { $0.name == "transitions" }?.value == 0)
        let two = [StoreHistory(storeID: 2, alive: true, restarts: [t0 - 200, t0 - 100])]
        #expect(verdict(.storeFlapping, snapshot, history: two).violations.isEmpty)
    }

    /// A restart between two passes is a warning Event on the cluster with its time, and no ticket: the store was alive
    /// at both passes. A stale observation sees no restart.
    @Test func aRestartBetweenPassesIsAnEventNotATicket() throws {
        var cluster = F.cluster()
        func snapshot(started: Date, at now: Date) -> ClusterSnapshot {
            var store = F.store(2, at: now)
            store.startTime = started
            return F.snapshot(stores: [F.store(1, at: now), store, F.store(3, at: now)], at: now)
        }
        let first = HealthReconciler.reconcile(HealthInput(cluster: cluster, snapshot: snapshot(started: t0 - 86_400, at: t0), now: t0))
        #expect(first.events.isEmpty)
        cluster.status.storeHistory = first.storeHistory
        let later = snapshot(started: t0 + 4, at: t0 + 10)
        let second = HealthReconciler.reconcile(HealthInput(cluster: cluster, snapshot: later, tickets: first.tickets, now: t0 + 10))
        let event = try #require(second.events.first)
        #expect(second.events.count == 1)
        #expect(event.reason == StoreRestartEvents.reason && event.type == .warning)
        #expect(event.regarding == ObjectReference(kind: TiKVClusterKind.kind, name: "prod"))
        #expect(event.message.hasPrefix("store 2 restarted at \(CanonicalJSON.formatDate(t0 + 4))"), "\(event.message)")
        #expect(second.tickets.isEmpty, "\(second.tickets.map(\.name))")
        #expect(second.storeHistory.first { $0.storeID == 2 }?.restarts == [t0 + 4])
        // The same observation read again long after: stale, so nothing is judged and no restart is seen.
        let stale = HealthReconciler.reconcile(HealthInput(cluster: cluster, snapshot: later, now: t0 + 600))
        #expect(stale.events.isEmpty)
    }

    /// The slow score is remembered only when it changes (a steady score writes nothing), at most four values, and its
    /// trend is the direction of the last change.
    @Test func historyRemembersTheSlowScoresCourse() {
        let window = GoDuration.minutes(10)
        func snapshot(_ score: UInt64) -> ClusterSnapshot {
            var store = F.store(2)
            store.slowScore = score
            return F.snapshot(stores: [F.store(1), store])
        }
        var history = StoreHistory.update([], snapshot: snapshot(1), window: window, now: t0)
        #expect(history[1].slowScoreTrend == .steady)
        #expect(StoreHistory.update(history, snapshot: snapshot(1), window: window, now: t0 + 10) == history)
        for (i, score) in [UInt64(2), 4, 8, 16].enumerated() {
            history = StoreHistory.update(history, snapshot: snapshot(score), window: window, now: t0 + Double(i + 2) * 10)
        }
        #expect(history[1].slowScores == [2, 4, 8, 16])
        #expect(history[1].slowScoreTrend == .rising)
        history = StoreHistory.update(history, snapshot: snapshot(12), window: window, now: t0 + 70)
        #expect(history[1].slowScoreTrend == .falling)
        #expect(history[0].slowScores.isEmpty, "PD reports no score for store 1 (0)")
    }

    /// A stored history from before restarts and slow scores were remembered still decodes.
    @Test func anOlderStoredHistoryDecodes() throws {
        let json = #"{"storeID":4,"alive":true,"transitions":[]}"#
        let decoded = try JSONDecoder().decode(StoreHistory.self, from: Data(json.utf8))
        #expect(decoded == StoreHistory(storeID: 4, alive: true))
    }

    // MARK: highLatency and writeStall

    struct MetricCase: Sendable, CustomTestStringConvertible {
        var name: String
        var reading: MetricReading
        var finding: String
        var testDescription: String { name }
    }

    static let latencyCases = [
        MetricCase(name: "fast", reading: .value(0.05), finding: "holds"),
        MetricCase(name: "exactly the threshold", reading: .value(0.5), finding: "holds"),
        MetricCase(name: "slow", reading: .value(1.2), finding: "broken"),
        MetricCase(name: "no series", reading: .noSeries, finding: "unknown"),
        MetricCase(name: "NaN", reading: .notANumber, finding: "unknown"),
        MetricCase(name: "query failed", reading: .failed("503"), finding: "unknown"),
    ]

    func kind(_ f: InvariantVerdict.Finding) -> String {
        switch f {
        case .broken: "broken"
        case .holds: "holds"
        case .unknown: "unknown"
        }
    }

    @Test(arguments: latencyCases)
    func highLatency(_ c: MetricCase) {
        let stores = [F.store(1), F.store(2, p99: c.reading), F.store(3)]
        let v = verdict(.highLatency, F.snapshot(stores: stores))
        #expect(kind(v.finding(for: "store/2")) == c.finding)
        #expect(kind(v.finding(for: "store/1")) == "holds")
        if case .broken(let violation) = v.finding(for: "store/2") {
            #expect(violation.readings.first?.value == 1.2)
            #expect(violation.summary == "store 2 p99 gRPC latency is above 500ms")
        }
    }

    /// A reading names where it came from: the PromQL of Prometheus, or the controller's own scrape of
    /// the stores' `/metrics` when there is no Prometheus.
    @Test func readingsNameTheirMetricsOrigin() {
        let stores = [F.store(1), F.store(2, p99: .value(1.2)), F.store(3)]
        for (origin, source) in [(MetricsOrigin.prometheus, "prometheus:grpc_p99_seconds"), (.metricsEndpoint, "metrics:grpc_p99_seconds")] {
            var snapshot = F.snapshot(stores: stores)
            snapshot.metricsOrigin = origin
            guard case .broken(let violation) = verdict(.highLatency, snapshot).finding(for: "store/2") else {
                Issue.record("store 2 is not found slow")
                continue
            }
            #expect(violation.readings.first?.source == source)
        }
    }

    /// An evicted slow store serves nothing, so its p99 is NaN: PD's slow score (TiKV's disk probe) decides. At
    /// PD's slow line it is broken, only the floor counts as recovered, and between the two or with no score it is
    /// unknown (neither opens nor resolves).
    @Test(arguments: [(UInt64(1), "holds"), (UInt64(100), "broken"), (UInt64(80), "broken"), (UInt64(40), "unknown"),
                      (UInt64(0), "unknown")])
    func idleStoreJudgedBySlowScore(_ score: UInt64, _ finding: String) {
        var idle = F.store(2, leaders: 0, p99: .notANumber)
        idle.metrics.qps = .value(0)
        idle.slowScore = score
        #expect(kind(verdict(.highLatency, F.snapshot(stores: [F.store(1), idle, F.store(3)])).finding(for: "store/2")) == finding)
        // Traffic without a latency reading is not idleness: a failed query decides nothing.
        var busy = F.store(2, p99: .noSeries)
        busy.slowScore = 1
        #expect(kind(verdict(.highLatency, F.snapshot(stores: [F.store(1), busy])).finding(for: "store/2")) == "unknown")
        // A dead store's absent series are never "recovered".
        var dead = idle
        dead.liveness = .disconnected
        dead.slowScore = 1
        #expect(kind(verdict(.highLatency, F.snapshot(stores: [F.store(1), dead])).finding(for: "store/2")) == "unknown")
    }

    /// The slow score opens the slow-store ticket whatever the traffic: PD's evict-slow-store drained the store, its
    /// p99 fell below the threshold with its requests, and the score is still 100. The summary says which signal broke.
    @Test func aSlowScoreBreaksHighLatencyWithoutTraffic() throws {
        var drained = F.store(2, leaders: 0, p99: .value(0.02))
        drained.metrics.qps = .value(3)
        drained.slowScore = 100
        let v = verdict(.highLatency, F.snapshot(stores: [F.store(1), drained, F.store(3)]))
        guard case .broken(let violation) = v.finding(for: "store/2") else {
            Issue.record("store 2 is not found slow: \(v)")
            return
        }
        #expect(violation.summary == "store 2 is slow: PD's slow score is at least 80 (TiKV's disk probe)")
        #expect(violation.readings.first { $0.name == "slowScore" }?.value == 100)
        #expect(violation.readings.first { $0.name == "p99Latency" }?.value == 0.02)
        // Both signals: both named.
        drained.metrics.p99Latency = .value(1.2)
        guard case .broken(let both) = verdict(.highLatency, F.snapshot(stores: [F.store(1), drained])).finding(for: "store/2") else {
            Issue.record("store 2 is not found slow")
            return
        }
        #expect(both.summary == "store 2 p99 gRPC latency is above 500ms and PD's slow score is at least 80 (TiKV's disk probe)")
        // Fast again, the score on its way down (100 → 1 takes five minutes): neither broken nor recovered yet.
        drained.metrics.p99Latency = .value(0.02)
        drained.slowScore = 30
        #expect(kind(verdict(.highLatency, F.snapshot(stores: [F.store(1), drained])).finding(for: "store/2")) == "unknown")
        // With no latency source at all the score decides alone: at its floor the store holds.
        var unmeasured = F.snapshot(stores: [F.store(1, p99: .failed("no Prometheus configured")), F.store(2, p99: .failed("no Prometheus configured"))])
        unmeasured.sources[.metrics] = .skipped("no Prometheus configured")
        unmeasured.stores[1].slowScore = 1
        #expect(kind(verdict(.highLatency, unmeasured).finding(for: "store/2")) == "holds")
        unmeasured.stores[1].slowScore = 100
        #expect(kind(verdict(.highLatency, unmeasured).finding(for: "store/2")) == "broken")
        unmeasured.stores[1].slowScore = 0
        #expect(kind(verdict(.highLatency, unmeasured).finding(for: "store/2")) == "unknown")
        // A dead store's score is the last PD heard: it opens nothing.
        var dead = F.store(2, p99: .noSeries)
        dead.liveness = .disconnected
        dead.slowScore = 100
        #expect(kind(verdict(.highLatency, F.snapshot(stores: [F.store(1), dead])).finding(for: "store/2")) == "unknown")
    }

    /// A write-stall gauge keeps its last value when the writes stop: on an idle store (no requests, alive, Up, not
    /// busy, slow score at its floor) the ticket is judged on those signals and holds; with traffic, or with the disk
    /// probe not at its floor, the gauge decides as before.
    @Test func aWriteStallOnAnIdleStoreResolvesOnTheTrafficIndependentSignals() {
        var idle = F.store(2, leaders: 0, writeStall: .value(0.25))
        idle.metrics.qps = .value(0)
        idle.slowScore = 1
        #expect(kind(verdict(.writeStall, F.snapshot(stores: [F.store(1), idle])).finding(for: "store/2")) == "holds")
        var slow = idle
        slow.slowScore = 60
        #expect(kind(verdict(.writeStall, F.snapshot(stores: [F.store(1), slow])).finding(for: "store/2")) == "broken")
        var busy = idle
        busy.isBusy = true
        #expect(kind(verdict(.writeStall, F.snapshot(stores: [F.store(1), busy])).finding(for: "store/2")) == "broken")
        var serving = idle
        serving.metrics.qps = .value(50)
        #expect(kind(verdict(.writeStall, F.snapshot(stores: [F.store(1), serving])).finding(for: "store/2")) == "broken")
        var unscored = idle
        unscored.slowScore = 0
        #expect(kind(verdict(.writeStall, F.snapshot(stores: [F.store(1), unscored])).finding(for: "store/2")) == "broken")
    }

    @Test(arguments: [
        MetricCase(name: "no stall", reading: .value(0), finding: "holds"),
        MetricCase(name: "stalled 250ms", reading: .value(0.25), finding: "broken"),
        MetricCase(name: "no series", reading: .noSeries, finding: "unknown"),
    ])
    func writeStall(_ c: MetricCase) {
        let stores = [F.store(1), F.store(2, writeStall: c.reading), F.store(3)]
        #expect(kind(verdict(.writeStall, F.snapshot(stores: stores)).finding(for: "store/2")) == c.finding)
    }

    @Test func disabledMetricInvariantsFindNothing() {
        let stores = [F.store(1, p99: .value(9), writeStall: .value(9)), F.store(2)]
        let spec = F.cluster {
            $0.invariants.highLatency.enabled = false
            $0.invariants.writeStall.enabled = false
        }.spec
        #expect(verdict(.highLatency, F.snapshot(stores: stores), spec: spec).violations.isEmpty)
        #expect(verdict(.writeStall, F.snapshot(stores: stores), spec: spec).violations.isEmpty)
        #expect(verdict(.highLatency, F.snapshot(stores: stores)).violations.count == 1)
    }

    // MARK: lowSpace

    struct SpaceCase: Sendable, CustomTestStringConvertible {
        var name: String
        var capacityGiB: Int64
        var availableGiB: Int64
        var regions: Int
        var minAvailablePercent: Double = 20
        var broken: Bool
        var testDescription: String { name }
    }

    @Test(arguments: [
        SpaceCase(name: "60% free", capacityGiB: 1024, availableGiB: 600, regions: 300, broken: false),
        SpaceCase(name: "10% free", capacityGiB: 1024, availableGiB: 100, regions: 300, broken: true),
        SpaceCase(name: "exactly 20% free is not below the line", capacityGiB: 1000, availableGiB: 200, regions: 300, broken: false),
        SpaceCase(name: "young store: PD exempts it, the spec's 20% does not", capacityGiB: 1024, availableGiB: 100, regions: 10, broken: true),
        SpaceCase(name: "young store above PD's line but below a stricter spec", capacityGiB: 100, availableGiB: 25, regions: 10,
                  minAvailablePercent: 30, broken: true),
        SpaceCase(name: "owners' looser line does not hide PD's", capacityGiB: 1024, availableGiB: 150, regions: 300,
                  minAvailablePercent: 5, broken: true),
        SpaceCase(name: "young store with few GiB: PD counts it", capacityGiB: 40, availableGiB: 4, regions: 10, minAvailablePercent: 5,
                  broken: true),
        SpaceCase(name: "young store, PD exempt, loose spec", capacityGiB: 1024, availableGiB: 100, regions: 10, minAvailablePercent: 5,
                  broken: false),
        SpaceCase(name: "no capacity reported", capacityGiB: 0, availableGiB: 0, regions: 300, broken: false),
    ])
    func lowSpace(_ c: SpaceCase) {
        var s = F.store(2, regions: c.regions)
        s.capacityBytes = c.capacityGiB << 30
        s.availableBytes = c.availableGiB << 30
        let spec = F.cluster { $0.invariants.lowSpace.minAvailablePercent = c.minAvailablePercent }.spec
        let v = verdict(.lowSpace, F.snapshot(stores: [F.store(1), s, F.store(3)]), spec: spec)
        #expect(subjects(v) == (c.broken ? ["store/2"] : []))
    }

    @Test func lowSpaceFollowsPDsRatioAndSkipsDownStores() {
        var s = F.store(2)
        s.availableBytes = (1 << 40) / 4 // 25% free
        let spec = F.cluster { $0.invariants.lowSpace.minAvailablePercent = 10 }.spec
        let ratio = F.with(F.snapshot(stores: [F.store(1), s])) { $0.settings.lowSpaceRatio = 0.7 }
        #expect(subjects(verdict(.lowSpace, ratio, spec: spec)) == ["store/2"])
        #expect(verdict(.lowSpace, ratio, spec: spec).violations[0].summary == "store 2 has less available space than PD's low-space line (30% free)")
        let down = F.with(ratio) { $0.stores[1] = F.dead($0.stores[1], liveness: .down) }
        #expect(verdict(.lowSpace, down, spec: spec).violations.isEmpty)
        let noConfig = F.with(ratio) { $0.sources[.config] = .failed("timeout") }
        #expect(!verdict(.lowSpace, noConfig, spec: spec).judged)
    }

    // MARK: hotSpot

    @Test func hotSpotComparesWithTheOtherStoresMean() {
        let mib = 1024.0 * 1024
        var snapshot = F.snapshot()
        snapshot.hotRegions = [
            HotRegion(regionID: 10, storeID: 1, direction: .write, bytesPerSecond: 90 * mib),
            HotRegion(regionID: 11, storeID: 2, direction: .write, bytesPerSecond: 10 * mib),
            HotRegion(regionID: 12, storeID: 3, direction: .write, bytesPerSecond: 10 * mib),
            HotRegion(regionID: 13, storeID: 3, direction: .read, bytesPerSecond: 8 * mib),
        ]
        let v = verdict(.hotSpot, snapshot)
        #expect(subjects(v) == ["store/1"])
        #expect(v.violations[0].summary == "store 1 carries hot write flow above 3× the other stores' mean and 16 MiB/s")
        // The read flow is alone on store 3 but below minBytesPerSecond: not hot.
        #expect(kind(v.finding(for: "store/3")) == "holds")
        // Even: nothing is hot.
        snapshot.hotRegions = (1...3).map { HotRegion(regionID: UInt64($0), storeID: UInt64($0), direction: .write, bytesPerSecond: 50 * mib) }
        #expect(verdict(.hotSpot, snapshot).violations.isEmpty)
        // No hotspot answer: no verdict.
        snapshot.sources[.hotspot] = .failed("500")
        #expect(!verdict(.hotSpot, snapshot).judged)
    }
}
