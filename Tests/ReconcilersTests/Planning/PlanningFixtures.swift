import Foundation
import PDWire
@testable import Reconcilers

/// Hand-built clusters for the planner tests: complete snapshots whose store counts agree with the regions.
enum PlanningFixtures {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let gib: Int64 = 1 << 30

    static func cluster(_ name: String = "prod", balance: BalancePolicy = BalancePolicy(), limits: Limits = Limits()) -> TiKVCluster {
        TiKVCluster(metadata: ObjectMeta(name: name, generation: 1),
                    spec: TiKVClusterSpec(pd: PDEndpoint(urls: ["http://127.0.0.1:2379"]), balance: balance, limits: limits))
    }

    static func store(_ id: UInt64, leaders: Int = 0, regions: Int = 0, state: StoreState = .up, liveness: StoreLiveness = .alive,
                      capacity: Int64 = 1000 * gib, available: Int64 = 800 * gib) -> StoreSnapshot {
        StoreSnapshot(id: id, address: "127.0.0.1:\(20160 + id)", state: state, stateName: state == .up ? "Up" : "Offline",
                      liveness: liveness, capacityBytes: capacity, availableBytes: available, usedBytes: capacity - available,
                      leaderCount: leaders, regionCount: regions)
    }

    /// Stores whose leader and region counts are recomputed from `regions`.
    static func counted(_ stores: [StoreSnapshot], _ regions: [RegionPlacement]) -> [StoreSnapshot] {
        var leaders: [UInt64: Int] = [:], peers: [UInt64: Int] = [:]
        for r in regions {
            leaders[r.leaderStoreID, default: 0] += 1
            for s in r.storeIDs { peers[s, default: 0] += 1 }
        }
        return stores.map { s in
            var s = s
            s.leaderCount = leaders[s.id] ?? 0
            s.regionCount = peers[s.id] ?? 0
            return s
        }
    }

    static func snapshot(_ stores: [StoreSnapshot], regions: [RegionPlacement]? = nil, scope: RegionScope = .all,
                         evicted: [UInt64] = [], operators: [UInt64] = [], settings: PDSettings = PDSettings()) -> ClusterSnapshot {
        var sources: [ObservationSource: SourceState] = [:]
        for s in ObservationSource.allCases { sources[s] = .complete }
        if regions == nil { sources[.regions] = .skipped("not needed") }
        return ClusterSnapshot(cluster: "prod", observedAt: now, sources: sources, stores: stores, regionCount: regions?.count,
                               schedulers: SchedulerSnapshot(names: evicted.isEmpty ? [] : ["evict-leader-scheduler"], evictLeaderStores: evicted.sorted()),
                               operators: operators.map { OperatorSnapshot(regionID: $0, description: "admin-transfer-leader") },
                               settings: settings, regions: regions, regionScope: regions == nil ? .none : scope)
    }

    static func ticket(_ invariant: String, _ subject: String, cluster: String = "prod", state: TicketState = .open) -> Ticket {
        var t = Ticket(metadata: ObjectMeta(name: "\(cluster)-\(invariant.lowercased())-\(subject.replacingOccurrences(of: "/", with: "-"))"),
                       spec: TicketSpec(cluster: cluster, invariant: invariant, subject: subject, severity: .warning, summary: "\(invariant) on \(subject)"))
        t.status.state = state
        return t
    }

    static func maintenance(_ store: UInt64, cluster: String = "prod", offline: Bool = false, until: Date? = nil,
                            allowConcurrent: Bool = false, created: Date = now) -> StoreMaintenance {
        StoreMaintenance(metadata: ObjectMeta(name: "drain-\(store)", generation: 1, creationTimestamp: created),
                         spec: StoreMaintenanceSpec(cluster: cluster, storeID: store, reason: "kernel upgrade", offline: offline,
                                                    until: until, allowConcurrent: allowConcurrent))
    }

    static func input(_ snapshot: ClusterSnapshot, cluster: TiKVCluster = cluster(), maintenances: [StoreMaintenance] = [],
                      tickets: [Ticket] = [], plans: [RemediationPlan] = [], now: Date = now) -> PlanningInput {
        PlanningInput(cluster: cluster, snapshot: snapshot, maintenances: maintenances, tickets: tickets, plans: plans, now: now)
    }

    /// The plan of a concern among `plans`.
    static func plan(_ concern: String, in plans: [RemediationPlan]) -> RemediationPlan? {
        plans.last { $0.spec.concern == concern }
    }
}

