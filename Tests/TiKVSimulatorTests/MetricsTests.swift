import Foundation
import Testing
@testable import TiKVSimulator

@Suite struct MetricsTests {
    @Test func seriesAgreeWithTheModel() throws {
        let cluster = SimulatedCluster.generated(stores: 5, regions: 300, seed: 13)
        cluster.advance(seconds: 30)
        let (text, c) = cluster.withState { ($0.prometheusText(), $0) }
        let m = try PromText(text)
        #expect(m.instances == Set(c.stores.map(\.statusAddress)))
        for (i, s) in c.stores.enumerated() {
            let sid = UInt32(s.id), inst = s.statusAddress
            let leaders = c.truth.filter { $0.leaderStoreId == sid }.count
            let peers = c.truth.filter { $0.peers.index(ofStore: sid) != nil }.count
            #expect(m.value("tikv_raftstore_region_count", ["instance": inst, "type": "leader"]) == Double(leaders))
            #expect(m.value("tikv_raftstore_region_count", ["instance": inst, "type": "region"]) == Double(peers))
            #expect(m.value("tikv_store_size_bytes", ["instance": inst, "type": "capacity"]) == Double(s.capacityBytes))
            #expect(m.value("tikv_store_size_bytes", ["instance": inst, "type": "available"]) == Double(s.availableBytes))
            #expect(m.value("pd_scheduler_store_status", ["store": "\(s.id)", "type": "leader_count"]) == Double(c.storeStats[i].leaderCount))
            #expect(m.value("pd_cluster_status", ["store": "\(s.id)", "type": "store_up_count"]) == 1)
            // QPS follows leadership: 20 gets per leader per second over the 30 s run, histograms well-formed.
            let sel = ["instance": inst, "type": "kv_get"]
            let count = try #require(m.value("tikv_grpc_msg_duration_seconds_count", sel))
            #expect(abs(count - Double(leaders * 20 * 30)) <= Double(leaders * 20 * 2))
            let buckets = m.buckets("tikv_grpc_msg_duration_seconds", sel)
            #expect(buckets.count == StoreWorkload.bucketBounds.count + 1)
            #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.count <= $1.count })
            #expect(buckets.last?.count == count)
        }
        #expect(m.value("pd_regions_status", ["type": "miss-peer-region-count"]) == 0)
    }

    @Test func perStoreScrapeHasOnlyThatStore() throws {
        let cluster = SimulatedCluster.generated(stores: 3, regions: 30, seed: 1)
        let m = try PromText(cluster.withState { $0.prometheusText(onlyStore: 2) })
        #expect(m.instances == [instance(2)])
        #expect(m.values("pd_cluster_status").isEmpty)
    }

    /// A per-store target stands for that TiKV's status port: a killed store's answers 503, so Prometheus
    /// records `up = 0` for it; the store comes back with its process.
    @Test func aKilledStoresTargetFailsItsScrape() throws {
        let cluster = SimulatedCluster.generated(stores: 3, regions: 30, seed: 1)
        let router = PDRouter(cluster: cluster)
        let scrape = PDRouter.Request(method: "GET", path: "/metrics", query: [("store", "2")])
        #expect(router.handle(scrape).status == 200)
        let fault = try cluster.withState { try $0.inject(Fault(kind: .kill, store: 2)) }
        #expect(router.handle(scrape).status == 503)
        #expect(router.handle(PDRouter.Request(method: "GET", path: "/metrics", query: [("store", "1")])).status == 200)
        #expect(router.handle(PDRouter.Request(method: "GET", path: "/metrics")).status == 200)
        try cluster.withState { try $0.revert(faultId: fault) }
        #expect(router.handle(scrape).status == 200)
    }

    @Test func countersNeverGoBackwardsWhenLeadershipMoves() throws {
        let cluster = SimulatedCluster.generated(stores: 3, regions: 90, seed: 3)
        cluster.advance(seconds: 10)
        let a = try PromText(cluster.withState { $0.prometheusText() })
        _ = try cluster.withState { try $0.inject(Fault(kind: .leaderSkew, store: 3)) }
        cluster.advance(seconds: 5)
        let b = try PromText(cluster.withState { $0.prometheusText() })
        for id in 1...3 {
            let sel = ["instance": instance(id), "type": "kv_get"]
            #expect(try #require(b.value("tikv_grpc_msg_duration_seconds_count", sel)) >= (try #require(a.value("tikv_grpc_msg_duration_seconds_count", sel))))
        }
    }
}
