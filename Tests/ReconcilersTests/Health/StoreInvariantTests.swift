import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// Table tests for the per-store invariants: healthy, broken, unknown data, disabled.
@Suite struct StoreInvariantTests {
    typealias F = HealthFixtures
    let t0 = HealthFixtures.t0

    func verdict(_ id: InvariantID, _ snapshot: ClusterSnapshot, spec: TiKVClusterSpec = F.cluster().spec,
                 maintenances: [StoreMaintenance] = [], history: [StoreLivenessHistory] = []) -> InvariantVerdict {
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
        let three = [StoreLivenessHistory(storeID: 2, alive: true, transitions: [t0 - 300, t0 - 200, t0 - 100])]
        let two = [StoreLivenessHistory(storeID: 2, alive: true, transitions: [t0 - 200, t0 - 100])]
        #expect(subjects(verdict(.storeFlapping, snapshot, history: three)) == ["store/2"])
        #expect(verdict(.storeFlapping, snapshot, history: two).violations.isEmpty)
        let spec = F.cluster { $0.invariants.storeFlapping.enabled = false }.spec
        #expect(verdict(.storeFlapping, snapshot, spec: spec, history: three).violations.isEmpty)
    }

    @Test func livenessHistoryRecordsChangesAndForgetsOldOnes() {
        let window = GoDuration.minutes(10)
        let healthy = F.snapshot()
        var history = StoreLivenessHistory.update([], snapshot: healthy, window: window, now: t0)
        #expect(history.map(\.transitions) == [[], [], []])
        // Same liveness again: nothing changes, so an idle pass writes nothing.
        #expect(StoreLivenessHistory.update(history, snapshot: healthy, window: window, now: t0 + 30) == history)
        let down = F.snapshot(stores: [F.store(1), F.dead(F.store(2)), F.store(3)])
        history = StoreLivenessHistory.update(history, snapshot: down, window: window, now: t0 + 60)
        history = StoreLivenessHistory.update(history, snapshot: healthy, window: window, now: t0 + 120)
        #expect(history[1].transitions == [t0 + 60, t0 + 120])
        #expect(history[1].alive)
        // Ten minutes later the first change has left the window.
        history = StoreLivenessHistory.update(history, snapshot: healthy, window: window, now: t0 + 61 + 600)
        #expect(history[1].transitions == [t0 + 120])
        // A failed store list keeps the history; a store PD no longer lists is forgotten.
        let failed = F.with(healthy) { $0.sources[.stores] = .failed("timeout") }
        #expect(StoreLivenessHistory.update(history, snapshot: failed, window: window, now: t0 + 700) == history)
        let twoStores = F.snapshot(stores: [F.store(1), F.store(3)])
        #expect(StoreLivenessHistory.update(history, snapshot: twoStores, window: window, now: t0 + 700).map(\.storeID) == [1, 3])
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

    /// An evicted slow store serves nothing, so its p99 is NaN: PD's slow score (TiKV's disk probe) decides
    /// whether it recovered, and only the floor counts as recovered; an elevated or missing score stays unknown.
    @Test(arguments: [(UInt64(1), "holds"), (UInt64(100), "unknown"), (UInt64(0), "unknown")])
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
