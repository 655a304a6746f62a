import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// Table tests for the cluster-wide invariants: balance, region health, PD members, leftover schedulers.
@Suite struct ClusterInvariantTests {
    typealias F = HealthFixtures
    let t0 = HealthFixtures.t0

    func verdict(_ id: InvariantID, _ snapshot: ClusterSnapshot, spec: TiKVClusterSpec = F.cluster().spec,
                 maintenances: [StoreMaintenance] = []) -> InvariantVerdict {
        HealthReconciler.evaluate(spec, snapshot, maintenances, history: [], now: t0).first { $0.invariant == id } ?? .noVerdict(id)
    }

    // MARK: leaderSkew / regionSkew

    struct SkewCase: Sendable, CustomTestStringConvertible {
        var name: String
        var leaders: [Int]
        var weights: [Double] = [1, 1, 1]
        var maxSkewPercent: Double = 10
        var evicted: [UInt64] = []
        var slowEvicted: [UInt64] = []
        var maintained: [UInt64] = []
        var outside: [UInt64]
        var testDescription: String { name }
    }

    @Test(arguments: [
        SkewCase(name: "balanced", leaders: [100, 100, 100], outside: []),
        SkewCase(name: "within 10%", leaders: [108, 95, 97], outside: []),
        SkewCase(name: "one store heavy", leaders: [150, 75, 75], outside: [1, 2, 3]),
        SkewCase(name: "integer rounding keeps tiny clusters quiet", leaders: [2, 1, 1], outside: []),
        SkewCase(name: "weights 2:1:1 met", leaders: [150, 75, 75], weights: [2, 1, 1], outside: []),
        SkewCase(name: "weights 2:1:1 missed", leaders: [100, 100, 100], weights: [2, 1, 1], outside: [1, 2, 3]),
        SkewCase(name: "wider band", leaders: [120, 90, 90], maxSkewPercent: 25, outside: []),
        SkewCase(name: "evicted store does not count", leaders: [150, 150, 0], evicted: [3], outside: []),
        SkewCase(name: "a store PD evicts as slow does not count", leaders: [150, 150, 0], slowEvicted: [3], outside: []),
        SkewCase(name: "store under maintenance does not count", leaders: [150, 150, 0], maintained: [3], outside: []),
        SkewCase(name: "zero weight wants no leaders", leaders: [140, 140, 20], weights: [1, 1, 0], outside: [3]),
        SkewCase(name: "empty cluster", leaders: [0, 0, 0], outside: []),
    ])
    func leaderSkew(_ c: SkewCase) {
        let stores = c.leaders.enumerated().map { F.store(UInt64($0.offset + 1), leaders: $0.element) }
        var snapshot = F.snapshot(stores: stores)
        snapshot.schedulers.evictLeaderStores = c.evicted
        snapshot.schedulers.evictSlowStores = c.slowEvicted
        let spec = F.cluster {
            $0.balance.leaders.maxSkewPercent = c.maxSkewPercent
            $0.balance.storeWeights = c.weights.enumerated().map { StoreWeight(storeID: UInt64($0.offset + 1), leader: $0.element) }
        }.spec
        let v = verdict(.leaderSkew, snapshot, spec: spec, maintenances: c.maintained.map { F.maintenance(store: $0) })
        #expect(v.judged)
        if c.outside.isEmpty {
            #expect(v.violations.isEmpty)
        } else {
            #expect(v.violations.map(\.subject) == ["cluster"])
            let named = v.violations.first?.readings.filter { $0.name.hasSuffix("Count") }.map(\.name) ?? []
            #expect(named == c.outside.map { "store\($0)Count" })
        }
    }

    @Test func regionSkewUsesRegionCountsAndOnlyUpAliveStores() {
        let stores = [F.store(1, regions: 400), F.store(2, regions: 200), F.store(3, regions: 300), F.dead(F.store(4, regions: 0))]
        let v = verdict(.regionSkew, F.snapshot(stores: stores))
        #expect(v.violations.first?.summary == "regions further than 15% from the weighted target on stores 1, 2")
        #expect(v.violations.first?.severity == .info)
        // Leaders are balanced in the same snapshot; the dead store 4 is not counted.
        #expect(verdict(.leaderSkew, F.snapshot(stores: stores)).violations.isEmpty)
        let spec = F.cluster { $0.balance.regions.enabled = false }.spec
        #expect(verdict(.regionSkew, F.snapshot(stores: stores), spec: spec).violations.isEmpty)
        let noSchedulers = F.with(F.snapshot(stores: stores)) { $0.sources[.schedulers] = .failed("timeout") }
        #expect(!verdict(.regionSkew, noSchedulers).judged)
    }

    // MARK: regionHealth

    struct RegionCase: Sendable, CustomTestStringConvertible {
        var name: String
        var counts: [RegionCheck: Int]
        var broken: Bool
        var testDescription: String { name }
    }

    @Test(arguments: [
        RegionCase(name: "all clear", counts: [:], broken: false),
        RegionCase(name: "miss-peer", counts: [.missPeer: 4], broken: true),
        RegionCase(name: "down-peer", counts: [.downPeer: 12], broken: true),
        RegionCase(name: "pending-peer", counts: [.pendingPeer: 1], broken: true),
        RegionCase(name: "offline-peer", counts: [.offlinePeer: 30], broken: true),
        RegionCase(name: "extra-peer", counts: [.extraPeer: 2], broken: true),
        RegionCase(name: "empty regions are not unhealthy", counts: [.emptyRegion: 50, .learnerPeer: 3], broken: false),
    ])
    func regionHealth(_ c: RegionCase) {
        let snapshot = F.with(F.snapshot()) { $0.regionChecks = F.checks(c.counts) }
        let v = verdict(.regionHealth, snapshot)
        #expect(v.violations.map(\.subject) == (c.broken ? ["cluster"] : []))
        if let violation = v.violations.first, let (check, count) = c.counts.first {
            #expect(violation.readings.first { $0.name == check.rawValue }?.value == Double(count))
            #expect(violation.readings.count == 5)
        }
    }

    @Test func offlinePeersOfAPlannedDrainAreExpected() {
        var snapshot = F.with(F.snapshot()) { $0.regionChecks = F.checks([.offlinePeer: 30]) }
        snapshot.stores[2].state = .offline
        #expect(verdict(.regionHealth, snapshot, maintenances: [F.maintenance(store: 3, offline: true)]).violations.isEmpty)
        #expect(verdict(.regionHealth, snapshot, maintenances: [F.maintenance(store: 3)]).violations.count == 1)
        #expect(verdict(.regionHealth, snapshot).violations.count == 1)
        let failed = F.with(snapshot) { $0.sources[.regionChecks] = .partial("down-peer: timeout") }
        #expect(!verdict(.regionHealth, failed).judged)
    }

    // MARK: pdMembers

    @Test func pdMembers() {
        #expect(verdict(.pdMembers, F.snapshot()).violations.isEmpty)
        var snapshot = F.snapshot()
        snapshot.members[1].healthy = false
        snapshot.members[2].healthy = nil
        var v = verdict(.pdMembers, snapshot)
        #expect(v.violations.map(\.subject) == ["member/pd-2"])
        #expect(v.finding(for: "member/pd-3") == .unknown)
        snapshot.members[0].isLeader = false
        v = verdict(.pdMembers, snapshot)
        #expect(v.violations.map(\.subject) == ["cluster", "member/pd-2"])
        #expect(v.violations.first?.summary == "the PD cluster has no leader")
        // A failed /members is not "no leader".
        let failed = F.with(snapshot) {
            $0.sources[.members] = .failed("connection refused")
            $0.members = []
        }
        #expect(!verdict(.pdMembers, failed).judged)
        #expect(verdict(.pdMembers, failed).violations.isEmpty)
        let spec = F.cluster { $0.invariants.pdMembers.enabled = false }.spec
        #expect(verdict(.pdMembers, snapshot, spec: spec).violations.isEmpty)
    }

    // MARK: leftoverScheduler

    @Test func leftoverEvictLeaderScheduler() {
        var snapshot = F.snapshot()
        snapshot.schedulers = SchedulerSnapshot(names: ["balance-leader-scheduler", "evict-leader-scheduler"], evictLeaderStores: [2, 3])
        let v = verdict(.leftoverScheduler, snapshot, maintenances: [F.maintenance(store: 2)])
        #expect(v.violations.map(\.subject) == ["scheduler/evict-leader-scheduler-3"])
        #expect(HealthSubject.storeID(of: v.violations[0].subject) == 3)
        // A maintenance past its `until` no longer covers its store.
        let expired = verdict(.leftoverScheduler, snapshot, maintenances: [F.maintenance(store: 2, until: t0 - 1), F.maintenance(store: 3)])
        #expect(expired.violations.map(\.subject) == ["scheduler/evict-leader-scheduler-2"])
        #expect(verdict(.leftoverScheduler, F.snapshot()).violations.isEmpty)
        let failed = F.with(snapshot) { $0.sources[.schedulers] = .failed("timeout") }
        #expect(!verdict(.leftoverScheduler, failed).judged)
        let spec = F.cluster { $0.invariants.leftoverScheduler.enabled = false }.spec
        #expect(verdict(.leftoverScheduler, snapshot, spec: spec).violations.isEmpty)
    }

    /// PD's own evict-slow-store-scheduler is PD protecting a slow disk, never a leftover: with or without a maintenance,
    /// beside an evict-leader scheduler or alone.
    @Test func pdsEvictSlowStoreIsNeverALeftover() {
        var snapshot = F.snapshot()
        snapshot.schedulers = SchedulerSnapshot(names: ["balance-leader-scheduler", "evict-slow-store-scheduler"], evictSlowStores: [2])
        let alone = verdict(.leftoverScheduler, snapshot)
        #expect(alone.judged)
        #expect(alone.violations.isEmpty)
        snapshot.schedulers.names.append("evict-leader-scheduler")
        snapshot.schedulers.evictLeaderStores = [2, 3]
        let beside = verdict(.leftoverScheduler, snapshot, maintenances: [F.maintenance(store: 3)])
        #expect(beside.violations.map(\.subject) == ["scheduler/evict-leader-scheduler-2"], "only the evict-leader entry, never PD's scheduler")
    }
}
