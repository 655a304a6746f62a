import Foundation
import Testing
import TestSupport
@testable import TiKVSimulator

/// PD's evict-slow-store scheduler: its own unit tests transcribed from
/// v8.5.7:pkg/schedule/schedulers/evict_slow_store_test.go (the mock cluster's `SlowScore` is set on the store as
/// PD last heard it; the failpoint `transientRecoveryGap` is `recovery-duration: 0`), then the whole loop over
/// virtual time with TiKV's slow score.
@Suite struct EvictSlowStoreTests {
    static let name = "evict-slow-store-scheduler"

    func setScore(_ c: inout ClusterState, store: UInt64, _ score: UInt64) throws {
        let i = try #require(c.storeIndex(store))
        c.stores[i].slowScore = score
    }

    func ops(_ c: ClusterState, desc: String) -> [SimOperator] { c.operators.values.filter { $0.desc == desc } }

    /// `TestEvictSlowStore`: a store at 100 is evicted (an urgent leader operator off it, named after the
    /// scheduler) and balance-leader moves nothing onto it; at score 0 it is released and balance-leader may
    /// target it again.
    @Test func evictSlowStore() throws {
        var c = ClusterState.generated(stores: 4, regions: 200, seed: 5)
        c.updateEvictSlowStoreConfig(recoverySeconds: 0, batch: nil, enableNetworkSlowStore: nil)
        try setScore(&c, store: 1, 100)
        c.runEvictSlowStore()
        let evicting = ops(c, desc: Self.name)
        #expect(!evicting.isEmpty)
        #expect(evicting.allSatisfy { $0.kind == [.leader] && $0.brief.hasPrefix("transfer leader: store 1 to ") })
        #expect(c.store(1)?.evictedAsSlowStore == true)
        #expect(c.schedulers.evictSlowStore.evictedStores == [1])
        // Store 1 is the least loaded, yet balance-leader never picks it as a target.
        _ = try c.inject(Fault(kind: .leaderSkew, store: 2))
        c.cancelAllOperators()
        for _ in 0..<20 { c.runBalanceLeader(); c.cancelAllOperators() }
        #expect(!c.records.values.contains { $0.desc == "balance-leader-scheduler" && $0.brief.hasSuffix("to 1") })
        try setScore(&c, store: 1, 0)
        c.runEvictSlowStore()
        #expect(ops(c, desc: Self.name).isEmpty)
        #expect(c.schedulers.evictSlowStore.evictStore == nil)
        #expect(c.store(1)?.evictedAsSlowStore == false)
        c.runBalanceLeader()
        #expect(c.operators.values.contains { $0.desc == "balance-leader-scheduler" })
        // No slow store: nothing to evict.
        c.cancelAllOperators()
        c.runEvictSlowStore()
        #expect(ops(c, desc: Self.name).isEmpty)
    }

    /// `TestEvictSlowStoreBatch`: `batch` leaders per round (3 by default, then 5).
    @Test func evictSlowStoreBatch() throws {
        var c = ClusterState.generated(stores: 3, regions: 300, seed: 6)
        _ = try c.inject(Fault(kind: .leaderSkew, store: 1))
        c.updateEvictSlowStoreConfig(recoverySeconds: 0, batch: nil, enableNetworkSlowStore: nil)
        try setScore(&c, store: 1, 100)
        c.runEvictSlowStore()
        #expect(ops(c, desc: Self.name).count == 3)
        c.cancelAllOperators()
        c.updateEvictSlowStoreConfig(recoverySeconds: nil, batch: 5, enableNetworkSlowStore: nil)
        c.runEvictSlowStore()
        #expect(ops(c, desc: Self.name).count == 5)
        c.cancelAllOperators()
        try setScore(&c, store: 1, 0)
        c.runEvictSlowStore()
        #expect(ops(c, desc: Self.name).isEmpty)
        #expect(c.schedulers.evictSlowStore.evictStore == nil)
        #expect(c.schedulers.evictSlowStore.batch == 5)
    }

    /// `TestRecoveryTime`: the store is released only after its score has stayed at the recovery threshold for
    /// `recovery-duration`; turning slow again restarts that clock.
    @Test func recoveryTime() throws {
        var c = ClusterState.generated(stores: 3, regions: 60, seed: 8)
        c.updateEvictSlowStoreConfig(recoverySeconds: 1, batch: nil, enableNetworkSlowStore: nil)
        var now = c.nowNanos
        func sleep(_ ns: Int64) { now += ns; c.setClock(nanos: now) }
        try setScore(&c, store: 1, 100)
        c.runEvictSlowStore()
        #expect(c.schedulers.evictSlowStore.evictStore == 1)
        sleep(ClusterState.second)
        try setScore(&c, store: 1, 0)
        for _ in 0..<10 { c.cancelAllOperators(); c.runEvictSlowStore(); #expect(c.schedulers.evictSlowStore.evictStore == 1) }
        sleep(ClusterState.second / 2)
        try setScore(&c, store: 1, 100)
        sleep(ClusterState.second / 2)
        for _ in 0..<10 { c.cancelAllOperators(); c.runEvictSlowStore(); #expect(c.schedulers.evictSlowStore.evictStore == 1) }
        sleep(ClusterState.second)
        try setScore(&c, store: 1, 0)
        for _ in 0..<10 { c.cancelAllOperators(); c.runEvictSlowStore(); #expect(c.schedulers.evictSlowStore.evictStore == 1) }
        sleep(ClusterState.second)
        c.cancelAllOperators()
        c.runEvictSlowStore()
        #expect(c.schedulers.evictSlowStore.evictStore == nil)
        #expect(c.store(1)?.evictedAsSlowStore == false)
    }

    /// `scheduleDiskSlowStore`'s guard: with two stores at 80 or more PD evicts neither.
    @Test func twoSlowStoresEvictNone() throws {
        var c = ClusterState.generated(stores: 4, regions: 100, seed: 9)
        try setScore(&c, store: 1, 100)
        try setScore(&c, store: 2, 80)
        c.runEvictSlowStore()
        #expect(c.schedulers.evictSlowStore.evictStore == nil)
        #expect(c.operators.isEmpty)
        // At 80 alone a store is slow but not yet evicted: eviction needs 100.
        try setScore(&c, store: 1, 1)
        c.runEvictSlowStore()
        #expect(c.schedulers.evictSlowStore.evictStore == nil)
    }

    /// The whole loop over virtual time: TiKV's score climbs per heartbeat to 100, PD evicts every leader and
    /// keeps them off while held; after the revert the score falls back over five minutes, and PD releases the
    /// store 30 minutes after that; balance-leader then brings leaders back.
    @Test func slowScoreClimbsPDEvictsThenRecovers() throws {
        var c = ClusterState.generated(stores: 6, regions: 600, seed: 7)
        let i = try #require(c.storeIndex(3))
        let id = try c.inject(Fault(kind: .slow, store: 3, factor: 10))
        var seen: [UInt64] = []
        for _ in 0..<12 {
            c.advance(seconds: 10)
            seen.append(c.stores[i].slowScore)
        }
        // Gradual (doubling per heartbeat), bounded, never a jump to 100.
        #expect(seen.first.map { $0 <= 2 } == true, "\(seen)")
        #expect(seen.contains { $0 > 8 && $0 < 100 }, "\(seen)")
        #expect(seen.last == 100 && seen.allSatisfy { (1...100).contains($0) }, "\(seen)")
        c.advance(seconds: 300)
        #expect(c.storeStats[i].leaderCount == 0)
        #expect(c.stores[i].evictedAsSlowStore)
        #expect(c.schedulers.evictSlowStore.evictedStores == [3])
        #expect(c.prometheusText().contains("pd_scheduler_evicted_slow_store_status{instance=\"sim-pd-0.sim-pd-peer.sim.svc:2379\",slow_type=\"disk\",store=\"3\"} 1"))
        try c.revert(faultId: id)
        c.advance(seconds: 330)
        #expect(c.stores[i].slowScore == 1)
        // Still held: recovery-duration has only begun.
        #expect(c.stores[i].evictedAsSlowStore && c.storeStats[i].leaderCount == 0)
        let leaderMovesOnto3 = c.records.values.filter { $0.kind.contains(.leader) && $0.brief.hasSuffix("to 3") }
        #expect(leaderMovesOnto3.isEmpty)
        c.advance(seconds: 1800)
        #expect(!c.stores[i].evictedAsSlowStore)
        #expect(c.schedulers.evictSlowStore.evictedStores.isEmpty)
        c.advance(seconds: 900)
        #expect(c.storeStats[i].leaderCount > 50, "\(c.storeStats.map(\.leaderCount))")
    }

    /// Removing the scheduler releases its store (`CleanConfig`).
    @Test func removingTheSchedulerReleasesTheStore() throws {
        var c = ClusterState.generated(stores: 4, regions: 100, seed: 10)
        try setScore(&c, store: 2, 100)
        c.runEvictSlowStore()
        #expect(c.store(2)?.evictedAsSlowStore == true)
        _ = try c.removeScheduler(name: Self.name)
        #expect(c.store(2)?.evictedAsSlowStore == false)
    }

    /// The scheduler-config endpoints in PD's shape and with its validation (evict_slow_store.go:294-362).
    @Test func configListAndUpdateOverHTTP() async throws {
        let cluster = SimulatedCluster(.generated(stores: 4, regions: 100, seed: 11))
        let live = try await LoopbackSimulator.start(cluster)
        try await withServer(live) { live in
            let path = "/pd/api/v1/scheduler-config/evict-slow-store-scheduler"
            let (s0, b0, _) = try await live.request("GET", path + "/list")
            #expect(s0 == 200)
            #expect(b0 == """
            {
              "disabled": false,
              "recovery-duration": 1800,
              "evict-stores": [],
              "enable-network-slow-store": false,
              "paused-network-slow-stores": [],
              "evicted-network-slow-stores": [],
              "batch": 3
            }

            """)
            let bad: [(String, String)] = [(#"{"batch": 11}"#, "\"batch is invalid, it should be in [1, 10]\"\n"),
                                           (#"{"batch": "3"}"#, "\"invalid argument for 'batch'\"\n"),
                                           (#"{"recovery-duration": "1"}"#, "\"invalid argument for 'recovery-duration'\"\n")]
            for (body, want) in bad {
                let (s, b, _) = try await live.request("POST", path + "/config", body: body)
                #expect(s == 400 && b == want, "\(body) → \(s) \(b)")
            }
            let (s1, b1, _) = try await live.request("POST", path + "/config", body: #"{"recovery-duration": 60, "batch": 5}"#)
            #expect(s1 == 200 && b1 == "\"Config updated.\"\n")
            cluster.withState { c in
                c.stores[1].slowScore = 100
                c.runEvictSlowStore()
            }
            let (_, b2, _) = try await live.request("GET", path + "/list")
            let list = try #require(try JSONSerialization.jsonObject(with: Data(b2.utf8)) as? [String: Any])
            #expect(list["evict-stores"] as? [Int] == [2] && list["recovery-duration"] as? Int == 60 && list["batch"] as? Int == 5)
            // The evicted store's slow score shows in /stores, and the metric TiKV exports.
            let (_, st, _) = try await live.request("GET", "/pd/api/v1/store/2")
            #expect(st.contains("\"slow_score\": 100"))
            _ = try await live.request("DELETE", "/pd/api/v1/schedulers/evict-slow-store-scheduler")
            let (s3, b3, _) = try await live.request("GET", path + "/list")
            #expect(s3 == 404 && b3 == "404 page not found\n")
        }
    }
}
