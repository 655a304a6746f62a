import Foundation
import Testing
import PDWire
import Reconcilers
import TiKVSimulator
import TestSupport
@testable import PDClient
@testable import TiKVObservation

/// The observer against the real simulator over loopback HTTP.
@Suite struct ClusterObserverTests {
    @Test func steadyStateSnapshotOfClusterAIsCompleteAndExact() async throws {
        let sim = try await LoopbackSimulator.start(.fixtureClusterA())
        try await withServer(sim) { sim in
            let counting = CountingTransport()
            let snap = await sim.observer(transport: counting).observe(cluster: "a", regions: .none, now: sim.now)

            #expect(snap.isComplete, "\(snap.incompleteReasons)")
            #expect(snap.hasStores)
            #expect(snap.stores.map(\.id) == [1, 4, 5])
            let store1 = try #require(snap.store(1))
            #expect(store1.liveness == .alive)
            #expect(store1.isUpAndAlive)
            #expect(store1.address == "basic-tikv-0.basic-tikv-peer.tidb.svc:20160")
            #expect(store1.statusAddress == "basic-tikv-0.basic-tikv-peer.tidb.svc:20180")
            #expect(store1.capacityBytes == 1 << 40)
            // PD writes sizes as 4-significant-digit strings ("983.6GiB"): the snapshot holds what the wire said.
            let reported = try #require(sim.cluster.withState { $0.store(1)?.reportedAvailable })
            #expect(store1.availableBytes == Int64(try ByteSize(parsing: ByteSize(reported).description).bytes))
            #expect(store1.labels == ["host": "basic-tikv-0"])
            #expect(snap.stores.map(\.leaderCount) == [2, 2, 2])
            #expect(snap.stores.map(\.regionCount) == [6, 6, 6])
            // Heartbeat age from the fixture: store 4 last heartbeat 8.005 s before observation.
            let age = try #require(snap.store(4)?.heartbeatAge(at: sim.now))
            #expect(abs(age - 8.004921377) < 0.001)

            #expect(snap.regionCount == 6)
            #expect(Set(snap.regionChecks.keys) == Set(ClusterObserver.listedChecks + [.emptyRegion]))
            #expect(snap.regionChecks[.emptyRegion]?.count == 2)    // regions 2 and 20 are 1 MiB
            #expect(snap.clusterID == 7_512_310_118_539_536_325)
            #expect(snap.members.count == 3)
            #expect(snap.members.filter(\.isLeader).map(\.name) == ["basic-pd-1"])
            #expect(snap.members.first { $0.name == "basic-pd-2" }?.healthy == false)
            #expect(snap.members.first { $0.name == "basic-pd-0" }?.healthy == true)
            #expect(snap.operators.map(\.regionID) == [24])
            #expect(snap.operators.first?.description == "admin-transfer-leader")
            #expect(snap.settings.maxReplicas == 3)
            #expect(snap.settings.maxStoreDownTime == .minutes(30))
            #expect(snap.schedulers.names.contains("balance-leader-scheduler"))

            // No Prometheus: skipped, and every reading says so instead of looking healthy.
            #expect(snap.state(of: .metrics) == .skipped("no Prometheus configured"))
            #expect(store1.metrics.p99Latency == .failed("no Prometheus configured"))
            #expect(!store1.metrics.up.isKnown)

            // Steady state downloads no region list.
            #expect(snap.regions == nil)
            #expect(snap.state(of: .regions) == .skipped("not requested"))
            let paths = counting.snapshot.paths
            #expect(!paths.contains { $0.contains("/regions/key") || $0.contains("/regions/store") || $0.hasSuffix("/pd/api/v1/regions") })
            #expect(paths.contains { $0.contains("/regions/check/miss-peer") })
        }
    }

    @Test func regionCheckIdsAreCappedButCountsExact() async throws {
        let sim = try await LoopbackSimulator.start(.generated(stores: 4, regions: 300, seed: 7))
        try await withServer(sim) { sim in
            // A dead store gives its regions down (and pending) peers: long lists, of which at most `cap`
            // ids are kept while the count stays PD's.
            _ = try sim.cluster.withState { try $0.inject(Fault(kind: .kill, store: 1)) }
            sim.cluster.advance(seconds: 11 * 60)
            let observer = ClusterObserver(pd: PDEndpoint(urls: [sim.url], timeout: .seconds(30)), prometheus: nil, retry: RetryBackoff(maxAttempts: 1),
                                           regionCheckIDCap: 5)
            let snap = await observer.observe(cluster: "g", regions: .none, now: sim.now)
            #expect(snap.state(of: .regionChecks) == .complete)
            // The size checks that list most of a cluster are not fetched; empty-region comes from the histogram.
            #expect(snap.regionChecks[.undersizedRegion] == nil)
            #expect(snap.regionChecks[.oversizedRegion] == nil)
            #expect(snap.regionChecks[.emptyRegion]?.count == (try await observer.pd.regionCheck(.emptyRegion, keep: .max)).count)
            #expect(ClusterObserver.listedChecks.contains { (snap.regionChecks[$0]?.count ?? 0) > 5 })
            for check in ClusterObserver.listedChecks {
                let full = try await observer.pd.regionCheck(check, keep: .max).regions
                let result = try #require(snap.regionChecks[check])
                #expect(result.count == full.count, "\(check)")
                #expect(result.regionIDs.count == min(5, full.count))
                #expect(Set(result.regionIDs).isSubset(of: Set(full.map(\.id))))
                let listed = full.filter { result.regionIDs.contains($0.id) }
                var involved: [UInt64: Int] = [:]
                for r in listed { for s in Set(r.storeIDs) { involved[s, default: 0] += 1 } }
                #expect(result.storesInvolved == involved)
            }
        }
    }

    /// With location-labels set the observer counts replicas sharing a level over the first 4,096 regions in key order:
    /// past that the count is a lower bound and says so. The first regions' misplaced followers are all inside it.
    @Test func replicaIsolationIsCountedOverABoundedSample() async throws {
        let sim = try await LoopbackSimulator.start(SimulatedCluster(.generated(stores: 6, regions: 5000, seed: 9, locationLabels: ["zone", "host"])))
        try await withServer(sim) { sim in
            _ = try sim.cluster.withState { try $0.inject(Fault(kind: .misplaceReplicas, factor: 30)) }
            sim.cluster.advance(seconds: 2)
            let observer = ClusterObserver(pd: PDEndpoint(urls: [sim.url], timeout: .seconds(30)), prometheus: nil, retry: RetryBackoff(maxAttempts: 1))
            let snap = await observer.observe(cluster: "g", regions: .none, now: sim.now)
            #expect(snap.state(of: .isolation) == .complete)
            let isolation = try #require(snap.isolation)
            #expect(isolation.locationLabels == ["zone", "host"])
            #expect(isolation.sampledRegions == ClusterObserver.isolationRegionCap)
            #expect(!isolation.exact)
            #expect(isolation.regionsByLevel == ["zone": 30])
            #expect(isolation.distinctValues == ["zone": 3, "host": 6])
        }
    }

    @Test func killedStoreIsDisconnectedThenDown() async throws {
        let sim = try await LoopbackSimulator.start(.fixtureClusterA())
        try await withServer(sim) { sim in
            _ = try sim.cluster.withState { try $0.inject(Fault(kind: .kill, store: 4)) }
            sim.cluster.advance(seconds: 60)
            let observer = sim.observer()
            let disconnected = await observer.observe(cluster: "a", regions: .none, now: sim.now)
            #expect(disconnected.store(4)?.liveness == .disconnected)
            #expect(disconnected.store(4)?.isUpAndAlive == false)
            #expect(disconnected.store(1)?.liveness == .alive)

            sim.cluster.advance(seconds: 31 * 60)
            let down = await observer.observe(cluster: "a", regions: .none, now: sim.now)
            #expect(down.store(4)?.liveness == .down)
            #expect(down.store(5)?.liveness == .alive)
        }
    }

    @Test func offlineStoreThatStoppedHeartbeatingIsNotAlive() async throws {
        let sim = try await LoopbackSimulator.start(.generated(stores: 4, regions: 400, seed: 3))
        try await withServer(sim) { sim in
            let observer = sim.observer()
            // Kill it first, so its regions cannot move away and it stays Offline instead of turning Tombstone.
            _ = try sim.cluster.withState { try $0.inject(Fault(kind: .kill, store: 1)) }
            _ = try await observer.pd.send(PDCall(method: "DELETE", path: "/store/1"))
            sim.cluster.advance(seconds: 45)
            let snap = await observer.observe(cluster: "g", regions: .none, now: sim.now)
            let store = try #require(snap.store(1))
            // PD still says Offline: only the heartbeat age tells the store is gone.
            #expect(store.state == .offline)
            #expect(store.stateName == "Offline")
            #expect(store.liveness != .alive)
            #expect(!store.isUpAndAlive)
        }
    }

    @Test func unreachablePDFailsTheStoresSourceAndIsNeverHealthy() async throws {
        let observer = ClusterObserver(pd: PDEndpoint(urls: [try await LoopbackServer.refusingURL().absoluteString], timeout: .seconds(2)),
                                       prometheus: nil, retry: RetryBackoff(maxAttempts: 1))
        let snap = await observer.observe(cluster: "x", regions: .all, now: Date(timeIntervalSince1970: 1_749_542_400))
        guard case .failed(let reason) = snap.state(of: .stores) else {
            Issue.record("stores should have failed, got \(snap.state(of: .stores))")
            return
        }
        #expect(reason.contains("connection refused") || reason.contains("connectionRefused"))
        #expect(!snap.isComplete)
        #expect(!snap.hasStores)
        #expect(snap.stores.isEmpty)
        #expect(snap.regionCount == nil)
        #expect(snap.regions == nil)
        for source in ClusterSnapshot.requiredSources {
            #expect(!snap.state(of: source).isComplete, "\(source)")
        }
        #expect(snap.incompleteReasons.contains { $0.hasPrefix("stores: Failed") })
    }

    @Test func prometheusDownFailsMetricsAndLeavesReadingsUnknown() async throws {
        let sim = try await LoopbackSimulator.start(.fixtureClusterA())
        try await withServer(sim) { sim in
            let snap = await sim.observer(prometheus: try await LoopbackServer.refusingURL(port: 2).absoluteString)
                .observe(cluster: "a", regions: .none, now: sim.now)
            #expect(snap.isComplete, "PD sources stay complete: \(snap.incompleteReasons)")
            guard case .failed = snap.state(of: .metrics) else {
                Issue.record("metrics should have failed, got \(snap.state(of: .metrics))")
                return
            }
            for store in snap.stores {
                for reading in [store.metrics.p99Latency, store.metrics.qps, store.metrics.writeStall, store.metrics.up] {
                    #expect(!reading.isKnown)
                    guard case .failed = reading else {
                        Issue.record("store \(store.id): \(reading) should be .failed")
                        continue
                    }
                }
            }
        }
    }

    @Test func regionScopesReturnTheRightPlacements() async throws {
        let sim = try await LoopbackSimulator.start(.generated(stores: 5, regions: 2_500, seed: 11))
        try await withServer(sim) { sim in
            let observer = ClusterObserver(pd: PDEndpoint(urls: [sim.url], timeout: .seconds(30)), prometheus: nil, retry: RetryBackoff(maxAttempts: 1),
                                           regionPageSize: 300)
            var everything: [RegionInfo] = []
            for try await page in observer.pd.regionPages() { everything += page }
            #expect(everything.count == 2_500)

            let all = await observer.observe(cluster: "g", regions: .all, now: sim.now)
            #expect(all.state(of: .regions) == .complete)
            let placements = try #require(all.regions)
            #expect(placements.map(\.id) == everything.map(\.id).sorted())
            #expect(Set(placements.map(\.id)).count == placements.count)
            let byID = Dictionary(uniqueKeysWithValues: everything.map { ($0.id, $0) })
            for p in placements.prefix(200) {
                let r = try #require(byID[p.id])
                #expect(p.leaderStoreID == r.leader?.storeID ?? 0)
                #expect(Set(p.storeIDs) == Set(r.storeIDs))
                #expect(p.approximateSizeMiB == r.approximateSize)
            }

            let scoped = await observer.observe(cluster: "g", regions: .stores([2, 4]), now: sim.now)
            #expect(scoped.state(of: .regions) == .complete)
            let expected = everything.filter { $0.storeIDs.contains(2) || $0.storeIDs.contains(4) }.map(\.id).sorted()
            #expect(try #require(scoped.regions).map(\.id) == expected)
            #expect(scoped.regionScope == .stores([2, 4]))
        }
    }
}

extension LoopbackSimulator {
    /// The controller's observer pointed at this simulator (and at `prometheus` when given).
    func observer(prometheus: String? = nil, transport: any HTTPTransport = CurlTransport()) -> ClusterObserver {
        ClusterObserver(pd: PDEndpoint(urls: [url], timeout: .seconds(30)), prometheus: prometheus.map { PrometheusEndpoint(url: $0, timeout: .seconds(30)) },
                        transport: transport, retry: RetryBackoff(maxAttempts: 1))
    }
}
