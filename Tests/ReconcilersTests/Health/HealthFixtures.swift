import Foundation
import PDWire
@testable import Reconcilers

/// Hand-built clusters and snapshots for the health tests.
enum HealthFixtures {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static let everySource: [ObservationSource: SourceState] = [
        .stores: .complete, .regionChecks: .complete, .members: .complete, .schedulers: .complete, .config: .complete,
        .hotspot: .complete, .metrics: .complete, .regions: .skipped("not needed"), .isolation: .complete,
    ]

    static func store(_ id: UInt64, leaders: Int = 100, regions: Int = 300, p99: MetricReading = .value(0.01),
                      writeStall: MetricReading = .value(0), at now: Date = t0) -> StoreSnapshot {
        StoreSnapshot(id: id, address: "tikv-\(id):20160", statusAddress: "tikv-\(id):20180", state: .up, stateName: "Up",
                      liveness: .alive, lastHeartbeat: now.addingTimeInterval(-3),
                      capacityBytes: 1 << 40, availableBytes: 600 << 30, usedBytes: 400 << 30,
                      leaderCount: leaders, regionCount: regions,
                      metrics: StoreMetrics(p99Latency: p99, qps: .value(1000), writeStall: writeStall, up: .value(1)))
    }

    static func members() -> [MemberSnapshot] {
        (1...3).map { MemberSnapshot(name: "pd-\($0)", memberID: UInt64($0) * 1_000_003, isLeader: $0 == 1, healthy: true) }
    }

    static func checks(_ counts: [RegionCheck: Int] = [:]) -> [RegionCheck: RegionCheckResult] {
        Dictionary(uniqueKeysWithValues: RegionCheck.allCases.map { ($0, RegionCheckResult(count: counts[$0] ?? 0)) })
    }

    /// A healthy, balanced 3-store cluster observed completely at `now`.
    static func snapshot(stores: [StoreSnapshot]? = nil, at now: Date = t0) -> ClusterSnapshot {
        let stores = stores ?? (1...3).map { store(UInt64($0), at: now) }
        return ClusterSnapshot(cluster: "prod", observedAt: now, sources: everySource, clusterID: 7, stores: stores,
                               regionCount: 300, regionChecks: checks(), members: members())
    }

    static func cluster(_ configure: (inout TiKVClusterSpec) -> Void = { _ in }) -> TiKVCluster {
        var spec = TiKVClusterSpec(pd: PDEndpoint(urls: ["http://127.0.0.1:2379"]))
        configure(&spec)
        return TiKVCluster(metadata: ObjectMeta(name: "prod", generation: 1), spec: spec)
    }

    static func maintenance(store: UInt64, offline: Bool = false, until: Date? = nil) -> StoreMaintenance {
        StoreMaintenance(metadata: ObjectMeta(name: "drain-\(store)"),
                         spec: StoreMaintenanceSpec(cluster: "prod", storeID: store, reason: "disk swap", offline: offline, until: until))
    }

    static func with(_ snapshot: ClusterSnapshot, _ change: (inout ClusterSnapshot) -> Void) -> ClusterSnapshot {
        var s = snapshot
        change(&s)
        return s
    }

    static func dead(_ store: StoreSnapshot, liveness: StoreLiveness = .disconnected, at now: Date = t0) -> StoreSnapshot {
        var s = store
        s.liveness = liveness
        s.stateName = liveness == .down ? "Down" : "Disconnected"
        s.lastHeartbeat = now.addingTimeInterval(liveness == .down ? -3600 : -60)
        s.metrics = StoreMetrics(p99Latency: .noSeries, qps: .noSeries, writeStall: .noSeries, up: .value(0))
        return s
    }
}
