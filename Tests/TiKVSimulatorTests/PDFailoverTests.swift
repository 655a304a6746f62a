import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport
@testable import TiKVSimulator

/// Several PD members, each on its own loopback listener, and leader failover (PD v8.5.7's redirector, members
/// and election behaviour), over real HTTP on 127.0.0.1 with time moved on the virtual clock.
@Suite(.serialized) struct PDFailoverTests {
    /// A 3-member cluster served on three listeners, with PD having heard every store.
    static func start(regions: Int = 300) async throws -> (SimClient, SimulatorServer, [(name: String, port: Int)]) {
        let c = SimulatedCluster.generated(stores: 4, regions: regions, seed: 5)
        c.advance(seconds: 20)
        let sim = try await SimClient.start(c)
        return (sim, sim.live.server, sim.live.server.memberPorts)
    }

    static func get(_ port: Int, _ path: String, headers: [String: String] = [:]) async throws -> (Int, String, String) {
        var req = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
        for (k, v) in headers { req.setValue(v, forHTTPHeaderField: k) }
        let (data, resp) = try await URLSession.shared.data(for: req)
        let http = resp as? HTTPURLResponse
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), http?.value(forHTTPHeaderField: "Content-Type") ?? "")
    }

    static func leaderName(_ port: Int) async throws -> String? {
        let (status, body, _) = try await get(port, "/pd/api/v1/leader")
        guard status == 200 else { return nil }
        return (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["name"] as? String
    }

    /// PD server/api/member_test.go TestMemberList / TestMemberLeader: every member lists the same members and
    /// leader, and every client URL is a listener that answers.
    @Test func everyMemberAgreesAndClientURLsAreReal() async throws {
        let (sim, _, ports) = try await Self.start()
        try await withServer(sim) { sim in
            #expect(ports.count == 3 && Set(ports.map(\.port)).count == 3)
            var bodies: Set<String> = []
            for m in ports {
                let (status, body, _) = try await Self.get(m.port, "/pd/api/v1/members")
                #expect(status == 200)
                bodies.insert(body)
                #expect(try await Self.leaderName(m.port) == "sim-pd-0")
            }
            #expect(bodies.count == 1)
            let first = try #require(bodies.first)
            let members = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
            let urls = (members["members"] as? [[String: Any]] ?? []).compactMap { ($0["client_urls"] as? [String])?.first }
            #expect(urls.sorted() == ports.map { "http://127.0.0.1:\($0.port)" }.sorted())
            // PD server/api/health_test.go TestHealthSlice: /health lists every member, healthy.
            let (_, health, _) = try await Self.get(ports[1].port, "/pd/api/v1/health")
            let list = try #require(try JSONSerialization.jsonObject(with: Data(health.utf8)) as? [[String: Any]])
            #expect(list.count == 3 && list.allSatisfy { $0["health"] as? Bool == true })
        }
    }

    /// PD tests/server/api/api_test.go TestRedirect (a follower's answer equals the leader's), TestNotLeader
    /// (a request already redirected once fails on a follower) and TestAllowFollowerHandle.
    @Test func followersProxyAndRefuseASecondRedirect() async throws {
        let (sim, _, ports) = try await Self.start()
        try await withServer(sim) { sim in
            let fromLeader = try await Self.get(ports[0].port, "/pd/api/v1/stores")
            let fromFollower = try await Self.get(ports[2].port, "/pd/api/v1/stores")
            #expect(fromLeader.0 == 200 && fromFollower.0 == 200 && fromLeader.1 == fromFollower.1 && fromLeader.2 == fromFollower.2)
            let twice = try await Self.get(ports[1].port, "/pd/api/v1/members", headers: ["PD-Redirector": "pd"])
            #expect(twice.0 == 500 && twice.1 == "[PD:apiutil:ErrRedirectToNotLeader]redirect to not leader\n")
            let local = try await Self.get(ports[1].port, "/pd/api/v1/version", headers: ["PD-Allow-follower-handle": "true"])
            #expect(local.0 == 200)
        }
    }

    /// PD tests/server/member/member_test.go TestLeaderResign and api_test.go TestRedirect's election part: after
    /// the leader resigns, followers answer 503 `ErrRedirectNoLeader` (text/plain) until a different member leads;
    /// local paths keep answering; the new leader starts with no operators, records or region statistics.
    @Test func leaderChangeElectsAnotherMemberAndForgetsOperators() async throws {
        let (sim, _, ports) = try await Self.start()
        try await withServer(sim) { sim in
            let created = try await sim.live.request("POST", "/pd/api/v1/operators", body: #"{"name":"transfer-leader","region_id":10,"to_store_id":1}"#)
            let before = try await sim.json("/pd/api/v1/operators") as? [Any]
            #expect(created.0 == 200 || !(before ?? []).isEmpty || created.0 == 500)
            _ = try await sim.inject(#"{"kind":"pd-leader-change","seconds":3}"#)
            for m in ports {
                let (status, body, type) = try await Self.get(m.port, "/pd/api/v1/leader")
                #expect(status == 503 && body == "[PD:apiutil:ErrRedirectNoLeader]redirect finds no leader\n" && type == "text/plain; charset=utf-8")
                #expect(try await Self.get(m.port, "/pd/api/v1/health").0 == 200)
                #expect(try await Self.get(m.port, "/pd/api/v1/stores").0 == 503)
            }
            try await sim.advance(3)
            let leader = try await Self.leaderName(ports[2].port)
            #expect(leader != nil && leader != "sim-pd-0")
            for m in ports { #expect(try await Self.leaderName(m.port) == leader) }
            let leaderPort = try #require(ports.first { $0.name == leader }?.port)
            let ops = try await Self.get(leaderPort, "/pd/api/v1/operators")
            #expect(ops.0 == 200 && ops.1.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
            let records = try await Self.get(leaderPort, "/pd/api/v1/operators/records")
            #expect(records.0 == 500)
            // Region statistics start empty (the empty-region list too) and fill in as regions report.
            #expect(sim.live.server.cluster.withState { $0.checkIndex.observedCount } < 300 / 10)
            try await sim.advance(61)
            #expect(sim.live.server.cluster.withState { $0.checkIndex.observedCount == $0.knownRegionCount })
        }
    }

    /// pd-member-down of the leader: its listener refuses connections; the others answer 500 `ErrRedirect` while
    /// its lease (5 s) lasts, then 503 during the election, then proxy to the new leader. Reverting brings the
    /// member back as a follower on its old port.
    @Test func leaderDownRefusesThenRedirectFailsThenNoLeaderThenNewLeader() async throws {
        let (sim, server, ports) = try await Self.start()
        try await withServer(sim) { sim in
            // The simulator's own /sim/v1 is served by every live member; sim-pd-0 is about to go.
            let control = SimClient(live: LoopbackSimulator(cluster: sim.live.cluster, server: server, port: ports[1].port))
            let id = try await control.inject(#"{"kind":"pd-member-down","member":"sim-pd-0"}"#)
            await server.syncListeners()
            await #expect(throws: (any Error).self) { _ = try await Self.get(ports[0].port, "/pd/api/v1/ping") }
            let stale = try await Self.get(ports[1].port, "/pd/api/v1/stores")
            #expect(stale.0 == 500 && stale.1 == "[PD:apiutil:ErrRedirect]redirect failed\n" && stale.2 == "text/plain; charset=utf-8")
            try await control.advance(5)
            #expect(try await Self.get(ports[1].port, "/pd/api/v1/stores").0 == 503)
            try await control.advance(3)
            let leader = try await Self.leaderName(ports[1].port)
            #expect(leader == "sim-pd-1")
            let (_, health, _) = try await Self.get(ports[1].port, "/pd/api/v1/health")
            #expect(health.contains("\"health\": false"))
            try await control.revert(id)
            await server.syncListeners()
            #expect(try await Self.get(ports[0].port, "/pd/api/v1/ping").0 == 200)
            #expect(try await Self.leaderName(ports[0].port) == "sim-pd-1")
        }
    }

    /// Clock skew: PD-stamped times carry PD's offset; TiKV's start time does not; state is unchanged.
    @Test func clockSkewShowsOnPDStampedTimesOnly() async throws {
        let (sim, _, _) = try await Self.start()
        try await withServer(sim) { sim in
            let before = try await sim.storeStatus(1)
            let info0 = try #require(try await sim.json("/pd/api/v1/store/1") as? [String: Any])
            let hb0 = try #require((info0["store"] as? [String: Any])?["last_heartbeat"] as? Int)
            _ = try await sim.inject(#"{"kind":"clock-skew","seconds":300}"#)
            let after = try await sim.storeStatus(1)
            let info1 = try #require(try await sim.json("/pd/api/v1/store/1") as? [String: Any])
            let hb1 = try #require((info1["store"] as? [String: Any])?["last_heartbeat"] as? Int)
            #expect(hb1 - hb0 == 300_000_000_000)
            #expect(before.state == after.state && after.state == "Up")
            #expect(before.status["start_ts"] as? String == after.status["start_ts"] as? String)
            #expect(before.status["last_heartbeat_ts"] as? String != after.status["last_heartbeat_ts"] as? String)
            // An operator created now says so in PD's clock: 5 minutes after the cluster's.
            // A follower of a region no operator holds (PD's balancers run too).
            let pick = sim.live.server.cluster.withState { c -> (UInt64, UInt32)? in
                let free = c.reported.filter { $0.known && c.operators[$0.id] == nil }
                return free.compactMap { r in r.peers.first { $0.id != r.leaderPeerId }.map { (r.id, $0.storeId) } }.first
            }
            let (region, store) = try #require(pick)
            let (status, answer, _) = try await sim.live.request("POST", "/pd/api/v1/operators",
                                                                  body: #"{"name":"remove-peer","region_id":\#(region),"store_id":\#(store)}"#)
            #expect(status == 200, "\(answer)")
            // PD's own balancers may run operators too; the admin one was created now.
            let ops = (try await sim.json("/pd/api/v1/operators") as? [String] ?? []).filter { $0.hasPrefix("admin-remove-peer") }
            let now = sim.live.server.cluster.nowNanos + 300_000_000_000
            let stamp = GoTimeString.format(unixNanos: now, monotonicBaseNanos: nil).prefix(19)
            #expect(ops.count == 1 && ops.allSatisfy { $0.contains("createAt:\(stamp)") }, "\(ops)")
        }
    }
}

/// PD's region statistics lag the heartbeats (v8.5.7 pkg/statistics/region_collection.go Observe and
/// RegionStatsNeedUpdate; PD region_collection_test.go TestRegionStatistics: offline-peer appears only once a
/// region is observed again after its store goes offline).
@Suite struct RegionStatisticsLagTests {
    @Test func offlinePeerDoesNotFillInTheTickTheStoreGoesOffline() throws {
        var c = ClusterState.generated(stores: 6, regions: 1000, seed: 7)
        c.advance(seconds: 20)
        try c.removeStore(4, force: false)
        #expect(c.regionCheckSlots(.offlinePeer).isEmpty)
        #expect(!c.scanRegionCheck(.offlinePeer, c.regionCheckContext()).isEmpty)
        // Each listed region was observed after the store went offline and has a peer there (or had, at that heartbeat).
        c.advance(seconds: 60)
        let listed = c.regionCheckSlots(.offlinePeer)
        #expect(!listed.isEmpty)
        #expect(listed.count < c.scanRegionCheck(.offlinePeer, c.regionCheckContext()).count + listed.count)
    }

    @Test func statsNeedUpdateRefreshesDownPeersButNotMissPeerOnAConfigChange() throws {
        var c = ClusterState.generated(stores: 4, regions: 200, seed: 3)
        c.advance(seconds: 20)
        // max-replicas 3 → 4: miss-peer is not in RegionStatsNeedUpdate, and idle regions save nothing.
        try c.config.set("max-replicas", to: .int(4))
        c.advance(seconds: 5)
        #expect(c.regionCheckSlots(.missPeer).count < c.scanRegionCheck(.missPeer, c.regionCheckContext()).count)
    }

    @Test func newLeaderStartsEmptyAndWaitsUntilPrepared() throws {
        var c = ClusterState.generated(stores: 4, regions: 600, seed: 9)
        c.advance(seconds: 20)
        try c.removeStore(4, force: false)
        c.advance(seconds: 30)
        #expect(!c.operators.isEmpty)
        _ = try c.inject(Fault(kind: .pdLeaderChange))
        c.advance(seconds: 3)
        #expect(c.leaderName == "sim-pd-1" && c.operators.isEmpty && c.records.isEmpty)
        // Only the regions that reported in the election's last tick are observed; the rest came from storage,
        // with no leader until they report.
        #expect(!c.leadership.prepared && c.checkIndex.observedCount < c.knownRegionCount / 10)
        #expect(c.storeStats.reduce(0) { $0 + $1.leaderCount } < c.knownRegionCount / 10)
        c.advance(seconds: 20)
        #expect(!c.leadership.prepared && c.operators.values.allSatisfy { $0.kind.contains(.admin) })
        c.advance(seconds: 60)
        #expect(c.leadership.prepared)
        c.advance(seconds: 20)
        #expect(!c.operators.isEmpty)
    }
}
