import Foundation
import Testing
import TestSupport
@testable import TiKVSimulator

/// A live simulator with JSON and metrics helpers; time moves only through `POST /sim/v1/clock/advance`.
struct SimClient: StoppableService {
    let live: LoopbackSimulator

    static func start(_ cluster: SimulatedCluster) async throws -> SimClient { SimClient(live: try await LoopbackSimulator.start(cluster)) }
    func stop() async { await live.server.stop() }

    func json(_ path: String, method: String = "GET", body: String? = nil) async throws -> Any {
        let (status, text, _) = try await live.request(method, path, body: body)
        guard status == 200 else { throw PromTextError.malformed("\(method) \(path) → \(status): \(text)") }
        return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    func advance(_ seconds: Int) async throws {
        let (status, _, _) = try await live.request("POST", "/sim/v1/clock/advance", body: "{\"seconds\": \(seconds)}")
        #expect(status == 200)
    }

    func inject(_ body: String) async throws -> Int {
        let reply = try await json("/sim/v1/faults", method: "POST", body: body) as? [String: Any]
        return try #require(reply?["id"] as? Int)
    }

    func revert(_ id: Int) async throws {
        let (status, _, _) = try await live.request("DELETE", "/sim/v1/faults/\(id)")
        #expect(status == 200)
    }

    func metrics() async throws -> PromText {
        let (status, text, type) = try await live.request("GET", "/metrics")
        #expect(status == 200 && type.hasPrefix("text/plain"))
        return try PromText(text)
    }

    /// The store's `status` object from `GET /store/{id}`.
    func storeStatus(_ id: Int) async throws -> (state: String, status: [String: Any]) {
        let info = try #require(try await json("/pd/api/v1/store/\(id)") as? [String: Any])
        let store = try #require(info["store"] as? [String: Any]), status = try #require(info["status"] as? [String: Any])
        return (try #require(store["state_name"] as? String), status)
    }
}

/// Status address of store `id` in a generated cluster.
func instance(_ id: Int) -> String { "tikv-\(id - 1).tikv-peer.sim.svc:20180" }

@Suite(.serialized) struct FaultTests {
    static func cluster() -> SimulatedCluster {
        let c = SimulatedCluster.generated(stores: 4, regions: 200, seed: 11)
        // Let PD hear from every store and build the workload's counters before faults start.
        c.advance(seconds: 20)
        return c
    }

    @Test func killStopsHeartbeatsAndSeriesAndRestartBringsThemBack() async throws {
        let sim = try await SimClient.start(Self.cluster())
        let before = try await sim.metrics()
        #expect(before.instances.contains(instance(2)))
        let id = try await sim.inject(#"{"kind": "kill", "store": 2}"#)
        try await sim.advance(30)
        #expect(try await sim.storeStatus(2).state == "Disconnected")
        let dead = try await sim.metrics()
        #expect(!dead.instances.contains(instance(2)))
        #expect(dead.instances.count == 3)
        #expect(dead.value("pd_cluster_status", ["store": "2", "type": "store_disconnected_count"]) == 1)
        #expect(try await sim.storeStatus(2).status["leader_count"] as? Int == 0)
        let faults = try await sim.json("/sim/v1/faults") as? [[String: Any]]
        #expect(faults?.count == 1 && faults?.first?["kind"] as? String == "kill")

        try await sim.revert(id)
        try await sim.advance(15)
        #expect(try await sim.storeStatus(2).state == "Up")
        let back = try await sim.metrics()
        #expect(back.instances.contains(instance(2)))
        // A restarted TiKV starts its counters from zero.
        let restarted = try #require(back.value("tikv_grpc_msg_duration_seconds_count", ["instance": instance(2), "type": "kv_get"]))
        let steady = try #require(back.value("tikv_grpc_msg_duration_seconds_count", ["instance": instance(1), "type": "kv_get"]))
        #expect(restarted < steady)
        #expect((try await sim.json("/sim/v1/faults") as? [Any])?.isEmpty == true)
        await sim.stop()
    }

    @Test func partitionKeepsProcessButSilencesIt() async throws {
        let cluster = Self.cluster()
        let sim = try await SimClient.start(cluster)
        let id = try await sim.inject(#"{"kind": "partition", "store": 3}"#)
        try await sim.advance(25)
        #expect(try await sim.storeStatus(3).state == "Disconnected")
        // The process is alive and Prometheus can still scrape it: that is what tells a partition from a dead process.
        #expect((try await sim.metrics()).instances.contains(instance(3)))
        #expect(cluster.withState { $0.store(3)?.processAlive } == true)
        try await sim.revert(id)
        try await sim.advance(5)
        #expect(try await sim.storeStatus(3).state == "Up")
        // A healed partition keeps the process's counters.
        let m = try await sim.metrics()
        #expect(try #require(m.value("tikv_grpc_msg_duration_seconds_count", ["instance": instance(3), "type": "kv_get"])) > 0)
        await sim.stop()
    }

    @Test func slowStoreRaisesItsP99AndRecovers() async throws {
        let sim = try await SimClient.start(Self.cluster())
        // Measures the fault's latency alone: PD's evict-slow-store would take the store's leaders (and so its
        // reads) away for half an hour after the score recovers (EvictSlowStoreTests covers that).
        _ = try await sim.json("/pd/api/v1/schedulers/evict-slow-store-scheduler", method: "DELETE")
        func p99(_ store: Int, over seconds: Int) async throws -> Double {
            let a = try await sim.metrics()
            try await sim.advance(seconds)
            let b = try await sim.metrics()
            let sel = ["instance": instance(store), "type": "kv_get"]
            return try #require(PromText.quantile(0.99, from: a.buckets("tikv_grpc_msg_duration_seconds", sel),
                                                  to: b.buckets("tikv_grpc_msg_duration_seconds", sel)))
        }
        let base = try await p99(1, over: 60)
        let id = try await sim.inject(#"{"kind": "slow", "store": 1, "factor": 10}"#)
        let slow = try await p99(1, over: 60)
        let other = try await p99(2, over: 60)
        #expect(slow > base * 5)
        #expect(other < base * 2)
        // A disk that slow stalls writes.
        let stalled = try await sim.metrics()
        #expect(try #require(stalled.value("tikv_engine_write_stall", ["instance": instance(1), "type": "write_stall_percentile99"])) > 0)
        try await sim.revert(id)
        let healed = try await p99(1, over: 60)
        #expect(healed < base * 2)
        await sim.stop()
    }

    @Test func diskFillShowsInAvailableAndStallsWrites() async throws {
        let sim = try await SimClient.start(Self.cluster())
        // Keep PD from moving regions so the bytes stay exactly where the fault put them.
        _ = try await sim.json("/pd/api/v1/schedulers/all", method: "POST", body: #"{"delay": 3600}"#)
        try await sim.advance(1)
        let m0 = try await sim.metrics()
        let cap = try #require(m0.value("tikv_store_size_bytes", ["instance": instance(4), "type": "capacity"]))
        let avail0 = try #require(m0.value("tikv_store_size_bytes", ["instance": instance(4), "type": "available"]))
        let id = try await sim.inject(#"{"kind": "disk-fill", "store": 4, "percent": 2}"#)
        try await sim.advance(12)
        let m1 = try await sim.metrics()
        let avail1 = try #require(m1.value("tikv_store_size_bytes", ["instance": instance(4), "type": "available"]))
        #expect(abs(avail1 - cap * 0.02) <= 1)
        #expect(try #require(m1.value("tikv_engine_write_stall", ["instance": instance(4), "type": "write_stall_percentile99"])) > 0)
        #expect(m1.value("tikv_engine_write_stall", ["instance": instance(1), "type": "write_stall_percentile99"]) == 0)
        // PD hears it in the next store heartbeat: low space.
        #expect(m1.value("pd_cluster_status", ["store": "4", "type": "store_low_space_count"]) == 1)
        let reported = try #require(try await sim.storeStatus(4).status["available"] as? String)
        #expect(reported.hasSuffix("GiB"))
        try await sim.revert(id)
        try await sim.advance(12)
        let m2 = try await sim.metrics()
        #expect(m2.value("tikv_store_size_bytes", ["instance": instance(4), "type": "available"]) == avail0)
        #expect(m2.value("tikv_engine_write_stall", ["instance": instance(4), "type": "write_stall_percentile99"]) == 0)
        #expect(m2.value("pd_cluster_status", ["store": "4", "type": "store_low_space_count"]) == 0)
        await sim.stop()
    }

    @Test func leaderSkewPilesLeadersOnOneStoreAndRevertGivesThemBack() async throws {
        let sim = try await SimClient.start(Self.cluster())
        _ = try await sim.json("/pd/api/v1/schedulers/all", method: "POST", body: #"{"delay": 3600}"#)
        let before = try #require(try await sim.storeStatus(1).status["leader_count"] as? Int)
        let peersOn1 = try #require(try await sim.storeStatus(1).status["region_count"] as? Int)
        let id = try await sim.inject(#"{"kind": "leader-skew", "store": 1}"#)
        try await sim.advance(1)
        #expect(try await sim.storeStatus(1).status["leader_count"] as? Int == peersOn1)
        let m = try await sim.metrics()
        #expect(m.value("tikv_raftstore_region_count", ["instance": instance(1), "type": "leader"]) == Double(peersOn1))
        try await sim.revert(id)
        try await sim.advance(1)
        #expect(try await sim.storeStatus(1).status["leader_count"] as? Int == before)
        await sim.stop()
    }

    @Test(arguments: ["write", "read"]) func hotRegionIsHotInPDAndLoadsItsLeaderStore(flow: String) async throws {
        let cluster = Self.cluster()
        let sim = try await SimClient.start(cluster)
        let (rid, leader) = try #require(cluster.withState { c in c.reported.first.map { ($0.id, Int($0.leaderStoreId ?? 0)) } })
        let type = flow == "write" ? "kv_prewrite" : "kv_get"
        func qps(_ m0: PromText, _ m1: PromText, _ store: Int) throws -> Double {
            let sel = ["instance": instance(store), "type": type]
            return (try #require(m1.value("tikv_grpc_msg_duration_seconds_count", sel)) - (try #require(m0.value("tikv_grpc_msg_duration_seconds_count", sel)))) / 60
        }
        let a = try await sim.metrics()
        try await sim.advance(60)
        let b = try await sim.metrics()
        let id = try await sim.inject("{\"kind\": \"hot-region\", \"region\": \(rid), \"flow\": \"\(flow)\"}")
        try await sim.advance(60)
        let c = try await sim.metrics()
        let hotQPS = try qps(b, c, leader), coldQPS = try qps(a, b, leader)
        #expect(hotQPS > coldQPS * 1.2)
        let flowType = flow == "write" ? "bytes_written" : "bytes_read"
        func flowRate(_ m0: PromText, _ m1: PromText) throws -> Double {
            let sel = ["instance": instance(leader), "type": flowType]
            return try #require(m1.value("tikv_engine_flow_bytes", sel)) - (try #require(m0.value("tikv_engine_flow_bytes", sel)))
        }
        let hotFlow = try flowRate(b, c), coldFlow = try flowRate(a, b)
        #expect(hotFlow > coldFlow * 1.2)
        let (_, hot, _) = try await sim.live.request("GET", "/pd/api/v1/hotspot/regions/\(flow)")
        #expect(hot.contains("\"region_id\": \(rid),"))
        try await sim.revert(id)
        try await sim.advance(2)
        let (_, cold, _) = try await sim.live.request("GET", "/pd/api/v1/hotspot/regions/\(flow)")
        #expect(!cold.contains("\"region_id\": \(rid),"))
        await sim.stop()
    }

    @Test func flappingStoreAlternatesWithItsPeriod() async throws {
        let cluster = Self.cluster()
        let sim = try await SimClient.start(cluster)
        let id = try await sim.inject(#"{"kind": "flapping", "store": 2, "period": 40}"#)
        var seen: [Bool] = []
        for _ in 0..<8 {
            try await sim.advance(10)
            seen.append((try await sim.metrics()).instances.contains(instance(2)))
        }
        // Down for the first half of each 40 s period, up for the second.
        #expect(seen == [false, true, true, false, false, true, true, false])
        try await sim.revert(id)
        try await sim.advance(2)
        #expect((try await sim.metrics()).instances.contains(instance(2)))
        #expect(cluster.withState { $0.store(2)?.isUp } == true)
        await sim.stop()
    }

    @Test func badFaultsAreRefused() async throws {
        let sim = try await SimClient.start(Self.cluster())
        let cases: [(String, Int)] = [(#"{"kind": "meteor", "store": 1}"#, 400), (#"{"kind": "kill", "store": 99}"#, 400),
                                      (#"{"kind": "hot-region", "region": 1}"#, 400)]
        for (body, code) in cases {
            let (status, _, _) = try await sim.live.request("POST", "/sim/v1/faults", body: body)
            #expect(status == code, "\(body)")
        }
        let (status, _, _) = try await sim.live.request("DELETE", "/sim/v1/faults/42")
        #expect(status == 404)
        await sim.stop()
    }

    @Test func clockAdvanceMovesVirtualTime() async throws {
        let cluster = Self.cluster()
        let sim = try await SimClient.start(cluster)
        let t0 = try #require((try await sim.json("/sim/v1/clock") as? [String: Any])?["now"] as? Int)
        let reply = try #require(try await sim.json("/sim/v1/clock/advance", method: "POST", body: #"{"seconds": 90}"#) as? [String: Any])
        #expect(reply["now"] as? Int == t0 + 90_000_000_000)
        #expect(cluster.nowNanos == Int64(t0) + 90_000_000_000)
        let (bad, _, _) = try await sim.live.request("POST", "/sim/v1/clock/advance", body: #"{"seconds": -1}"#)
        #expect(bad == 400)
        await sim.stop()
    }
}
