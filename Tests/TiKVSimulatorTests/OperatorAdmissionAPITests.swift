import Foundation
import Testing
import TestSupport
@testable import TiKVSimulator

/// `POST /operators` refusals, priorities and records as tikv/pd v8.5.7 answers them, over loopback HTTP.
@Suite(.serialized) struct OperatorAdmissionAPITests {
    /// Four stores, every region on three of them; balance schedulers paused so nothing moves unasked.
    static func cluster() -> SimulatedCluster {
        let c = SimulatedCluster.generated(stores: 4, regions: 60, seed: 21)
        c.withState { s in
            for name in ["balance-leader-scheduler", "balance-region-scheduler", "balance-hot-region-scheduler"] {
                try? s.pauseScheduler(name: name, delaySeconds: 86_400)
            }
        }
        c.advance(seconds: 20)
        return c
    }

    /// A region with its leader store, a follower store and the store without a peer.
    static func layout(_ c: SimulatedCluster, avoiding: Set<UInt32> = []) throws -> (region: UInt64, leader: UInt32, follower: UInt32, absent: UInt32) {
        try c.withState { s in
            for r in s.reported where r.known && r.peers.count == 3 {
                guard let l = r.leaderStoreId, let f = r.peers.first(where: { $0.storeId != l })?.storeId,
                      let a = s.stores.map({ UInt32($0.id) }).first(where: { r.peers.index(ofStore: $0) == nil }),
                      avoiding.isDisjoint(with: [l, f, a]) else { continue }
                return (r.id, l, f, a)
            }
            throw PromTextError.malformed("no region fits")
        }
    }

    func post(_ live: LoopbackSimulator, _ body: String) async throws -> (Int, String) {
        let (status, text, _) = try await live.request("POST", "/pd/api/v1/operators", body: body)
        return (status, text)
    }

    /// PD's JSON string body for a message.
    func quoted(_ s: String) -> String { JSONValue.string(s).compact() + "\n" }

    // create_operator_test.go TestCreateTransferLeaderOperator (leader already there is an error; joint state allowed),
    // handler.go:408-429 (voter lookup before any store check).
    @Test func transferLeaderRefusalsFollowPDsOrder() async throws {
        let c = Self.cluster()
        let live = try await LoopbackSimulator.start(c)
        try await withServer(live) { live in
            let (rid, leader, follower, absent) = try Self.layout(c)
            var (status, body) = try await post(live, #"{"name":"transfer-leader","region_id":\#(rid),"to_store_id":\#(leader)}"#)
            #expect(status == 500 && body == quoted("no operator step is built"))
            (status, body) = try await post(live, #"{"name":"transfer-leader","region_id":\#(rid),"to_store_id":99}"#)
            #expect(status == 500 && body == quoted("region has no voter in store 99"))
            (status, body) = try await post(live, #"{"name":"transfer-leader","region_id":\#(rid),"to_store_id":\#(absent)}"#)
            #expect(status == 500 && body == quoted("region has no voter in store \(absent)"))
            // A builder refusal never reaches AddOperator: no record.
            let (recStatus, _, _) = try await live.request("GET", "/pd/api/v1/operators/\(rid)")
            #expect(recStatus == 500)
            // An Offline (removing) target is refused by the leader-target filter (filters.go:498-500).
            let (del, _, _) = try await live.request("DELETE", "/pd/api/v1/store/\(follower)")
            #expect(del == 200)
            (status, body) = try await post(live, #"{"name":"transfer-leader","region_id":\#(rid),"to_store_id":\#(follower)}"#)
            #expect(status == 500 && body == quoted("cannot create operator: target leader is not allowed"))
        }
    }

    // filters.go isBusy / isDisconnected in the leaderTarget list; the busy fault shows as `is_busy` after a heartbeat.
    @Test func busyAndDisconnectedTargetsAreNotAllowed() async throws {
        let c = Self.cluster()
        let sim = SimClient(live: try await LoopbackSimulator.start(c))
        try await withServer(sim) { sim in
            let (rid, _, follower, _) = try Self.layout(c)
            let fault = try await sim.inject(#"{"kind":"busy","store":\#(follower)}"#)
            try await sim.advance(10)
            #expect(try await sim.storeStatus(Int(follower)).status["is_busy"] as? Bool == true)
            var (status, body) = try await post(sim.live, #"{"name":"transfer-leader","region_id":\#(rid),"to_store_id":\#(follower)}"#)
            #expect(status == 500 && body == quoted("cannot create operator: target leader is not allowed"))
            try await sim.revert(fault)
            try await sim.advance(10)
            #expect(try await sim.storeStatus(Int(follower)).status["is_busy"] == nil)

            _ = try await sim.inject(#"{"kind":"kill","store":\#(follower)}"#)
            try await sim.advance(30)
            #expect(try await sim.storeStatus(Int(follower)).state == "Disconnected")
            // Once the leader has reported the silent follower pending, SetLeader's health check answers first
            // (builder.go:294-304); until then the filter's isDisconnected does.
            let pending = c.withState { s in s.slot(ofRegion: rid).map { s.reported[$0].peers.first { $0.storeId == follower }?.pending == true } ?? false }
            (status, body) = try await post(sim.live, #"{"name":"transfer-leader","region_id":\#(rid),"to_store_id":\#(follower)}"#)
            let want = pending ? "cannot transfer leader to \(follower): unhealthy" : "cannot create operator: target leader is not allowed"
            #expect(status == 500 && body == quoted(want))
        }
    }

    // handler.go:482-489 (source before target), builder.go:188-189 (already have peer), handler.go:300-327 (400 texts).
    @Test func transferPeerAndAddPeerRefusals() async throws {
        let c = Self.cluster()
        let live = try await LoopbackSimulator.start(c)
        try await withServer(live) { live in
            let (rid, leader, follower, absent) = try Self.layout(c)
            var (status, body) = try await post(live, #"{"name":"transfer-peer","region_id":\#(rid),"from_store_id":\#(absent),"to_store_id":99}"#)
            #expect(status == 500 && body == quoted("region has no peer in store \(absent)"))
            (status, body) = try await post(live, #"{"name":"transfer-peer","region_id":\#(rid),"from_store_id":\#(leader),"to_store_id":99}"#)
            #expect(status == 500 && body == quoted("[PD:core:ErrStoreNotFound]store 99 not found"))
            let peerId = c.withState { s in s.slot(ofRegion: rid).flatMap { s.reported[$0].peers.first { $0.storeId == follower }?.id } ?? 0 }
            (status, body) = try await post(live, #"{"name":"transfer-peer","region_id":\#(rid),"from_store_id":\#(leader),"to_store_id":\#(follower)}"#)
            #expect(status == 500 && body == quoted("cannot add peer store_id:\(follower) : already have peer id:\(peerId) store_id:\(follower) "))
            (status, body) = try await post(live, #"{"name":"add-peer","region_id":\#(rid),"store_id":\#(follower)}"#)
            #expect(status == 500 && body == quoted("region already has peer in store \(follower)"))
            for name in ["add-peer", "add-learner", "remove-peer"] {
                (status, body) = try await post(live, #"{"name":"\#(name)","region_id":\#(rid)}"#)
                #expect(status == 400 && body == quoted("invalid store id to transfer peer to"), "\(name)")
            }
        }
    }

    // tests/server/api/operator_test.go checkAddRemovePeer: add-peer is "add learner" then "promote learner … to
    // voter" (no joint consensus for one change), RUNNING, and after DELETE the record names admin-add-peer.
    @Test func addPeerStepsAndRecords() async throws {
        let c = Self.cluster()
        let live = try await LoopbackSimulator.start(c)
        try await withServer(live) { live in
            let (rid, _, _, absent) = try Self.layout(c)
            let (notFound, nf, _) = try await live.request("GET", "/pd/api/v1/operators/\(rid)")
            #expect(notFound == 500 && nf.contains("operator not found"))
            let (status, _) = try await post(live, #"{"name":"add-peer","region_id":\#(rid),"store_id":\#(absent)}"#)
            #expect(status == 200)
            let (_, running, _) = try await live.request("GET", "/pd/api/v1/operators/\(rid)")
            #expect(running.contains("RUNNING") && running.contains("admin-add-peer {add peer: store [\(absent)]}"))
            #expect(running.contains("0:{add learner peer ") && running.contains("1:{promote learner peer ") && running.contains("on store \(absent) to voter}"))
            #expect(running.contains("timeout:[11m0s]"))
            let (del, _, _) = try await live.request("DELETE", "/pd/api/v1/operators/\(rid)")
            #expect(del == 200)
            let (_, record, _) = try await live.request("GET", "/pd/api/v1/operators/\(rid)")
            #expect(record.contains("status: CANCEL, operator: admin-add-peer {add peer: store [\(absent)]}"))
        }
    }

    // operator_controller.go:462, 522-524 with evict_leader.go:385: an admin operator cannot replace an Urgent
    // evict-leader operator; the refused one is buried as CANCEL (never started: Go's zero start time).
    @Test func adminOperatorCannotReplaceEvictLeaderAndLeavesACancelRecord() async throws {
        let c = Self.cluster()
        let live = try await LoopbackSimulator.start(c)
        try await withServer(live) { live in
            let (_, leader, _, _) = try Self.layout(c)
            let (s, _, _) = try await live.request("POST", "/pd/api/v1/schedulers", body: #"{"name":"evict-leader-scheduler","store_id":\#(leader)}"#)
            #expect(s == 200)
            // One tick: the scheduler adds its operators after the operators of that tick ran.
            c.advance(seconds: 1)
            let (rid, target) = try c.withState { s in
                guard let op = s.operators.values.first(where: { $0.desc == "evict-leader-scheduler" }),
                      case .transferLeader(_, let to) = op.steps[0] else { throw PromTextError.malformed("no evict-leader transfer") }
                return (op.regionId, to)
            }
            let (status, body) = try await post(live, #"{"name":"transfer-leader","region_id":\#(rid),"to_store_id":\#(target)}"#)
            #expect(status == 500 && body == quoted("[PD:operator:ErrAddOperator]failed to add operator, maybe already have one"))
            // The running operator still answers for the region; the records hold the refused one.
            let (_, one, _) = try await live.request("GET", "/pd/api/v1/operators/\(rid)")
            #expect(one.contains("status: RUNNING, operator: evict-leader-scheduler"))
            let (_, recs, _) = try await live.request("GET", "/pd/api/v1/operators/records")
            #expect(recs.contains("admin-transfer-leader {transfer leader: store \(leader) to \(target)} (kind:admin,leader, region:\(rid)("))
            #expect(recs.contains("startAt:0001-01-01 00:00:00 +0000 UTC, currentStep:0"))
            #expect(recs.contains("duration:2562047h47m16.854775807s)"))
        }
    }

    // handler.go:158-181 (one list per kind, concatenated) and operator_controller.go:779-785 (every producer's
    // operators and records): the rule checker's operators show under `kind=region` and in the records.
    @Test func kindFilterAndRecordsCoverEveryProducer() async throws {
        let c = Self.cluster()
        let live = try await LoopbackSimulator.start(c)
        try await withServer(live) { live in
            let (rid, _, follower, _) = try Self.layout(c)
            let (status, _) = try await post(live, #"{"name":"transfer-leader","region_id":\#(rid),"to_store_id":\#(follower)}"#)
            #expect(status == 200)
            var (_, body, _) = try await live.request("GET", "/pd/api/v1/operators?kind=admin&kind=leader")
            let twice = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String])
            #expect(twice.count == 2 && twice[0] == twice[1] && twice[0].hasPrefix("admin-transfer-leader"))
            (_, body, _) = try await live.request("GET", "/pd/api/v1/operators?kind=region")
            #expect(body == "null\n")
            // Take a store offline: the rule checker's replace-rule-offline-peer operators appear as region operators.
            let (_, _, _) = try await live.request("DELETE", "/pd/api/v1/store/\(c.withState { $0.stores[3].id })")
            c.advance(seconds: 11)
            (_, body, _) = try await live.request("GET", "/pd/api/v1/operators?kind=region")
            #expect(body.contains("replace-rule-offline-peer {mv peer: store [4] to ["))
            c.advance(seconds: 120)
            (_, body, _) = try await live.request("GET", "/pd/api/v1/operators/records")
            #expect(body.contains("replace-rule-offline-peer {mv peer: store [4] to [") && body.contains(") finished (finishAt:"))
        }
    }

    // cluster.go:2132-2161: tombstones still owning regions stay and are named; the rest are removed.
    @Test func removeTombstoneRefusesWhileRegionsRemain() async throws {
        let c = Self.cluster()
        let live = try await LoopbackSimulator.start(c)
        try await withServer(live) { live in
            c.withState { s in
                // A store buried while PD still counts regions on it (a force-bury, as PD's own test sets up).
                s.stores[3].state = .tombstone
                s.stores[3].nodeState = .removed
            }
            let id = c.withState { $0.stores[3].id }
            let (status, body, _) = try await live.request("DELETE", "/pd/api/v1/stores/remove-tombstone")
            #expect(status == 500 && body == quoted("failed stores: \(id)"))
            #expect(c.withState { $0.store(id) != nil })
        }
    }
}
