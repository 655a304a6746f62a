import Foundation
import Testing
import TestSupport
@testable import TiKVSimulator

/// PD's `split-region` operator (v8.5.7 handler.go:341-359, 618-650; create_operator.go:153-176) over loopback HTTP,
/// and what a split does to a hot region's flow.
@Suite(.serialized) struct SplitRegionOperatorTests {
    func post(_ live: LoopbackSimulator, _ body: String) async throws -> (Int, String) {
        let (status, text, _) = try await live.request("POST", "/pd/api/v1/operators", body: body)
        return (status, text)
    }

    func quoted(_ s: String) -> String { JSONValue.string(s).compact() + "\n" }

    func region(_ live: LoopbackSimulator, _ id: UInt64) async throws -> [String: Any] {
        let (_, text, _) = try await live.request("GET", "/pd/api/v1/region/id/\(id)")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The region holding `hexKey` (PD's `/region/key/{key}` takes the raw key; here the cluster's own index).
    func regionID(_ c: SimulatedCluster, containingCode code: UInt64) -> UInt64? {
        c.withState { s in s.keyOrder.rank(containingCode: code).map { s.truth[s.slot(atRank: $0)].id } }
    }

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

    @Test func refusalsFollowPDsHandler() async throws {
        let c = Self.cluster()
        let live = try await LoopbackSimulator.start(c)
        try await withServer(live) { live in
            let rid = try #require(c.withState { $0.reported.first { $0.known }?.id })
            var (status, body) = try await post(live, #"{"name":"split-region","region_id":\#(rid)}"#)
            #expect(status == 400 && body == quoted("missing split policy"))
            (status, body) = try await post(live, #"{"name":"split-region","policy":"approximate"}"#)
            #expect(status == 400 && body == quoted("missing region id"))
            (status, body) = try await post(live, #"{"name":"split-region","region_id":\#(rid),"policy":"usekey","keys":[1]}"#)
            #expect(status == 400 && body == quoted("bad format keys"))
            (status, body) = try await post(live, #"{"name":"split-region","region_id":\#(rid),"policy":"half"}"#)
            #expect(status == 500 && body == quoted("check policy half is not supported"))
            (status, body) = try await post(live, #"{"name":"split-region","region_id":\#(rid),"policy":"usekey","keys":["zz"]}"#)
            #expect(status == 500 && body == quoted("split key zz is not in hex format"))
            (status, body) = try await post(live, #"{"name":"split-region","region_id":999999,"policy":"scan"}"#)
            #expect(status == 500 && body == quoted("[PD:region:ErrRegionNotFound]region 999999 not found"))
            // Keys are not even decoded for another policy (handler.go:634).
            (status, body) = try await post(live, #"{"name":"split-region","region_id":\#(rid),"policy":"Approximate","keys":["zz"]}"#)
            #expect(status == 200)
        }
    }

    @Test func approximateHalvesTheRegionAndTheOperatorSucceeds() async throws {
        let c = Self.cluster()
        let live = try await LoopbackSimulator.start(c)
        try await withServer(live) { live in
            let rid = try #require(c.withState { $0.reported.first { $0.known && $0.leaderStoreId != nil }?.id })
            let before = try await region(live, rid)
            let regionsBefore = c.withState { $0.keyOrder.count }
            let (status, _) = try await post(live, #"{"name":"split-region","region_id":\#(rid),"policy":"approximate"}"#)
            #expect(status == 200)
            let (_, running, _) = try await live.request("GET", "/pd/api/v1/operators/\(rid)")
            #expect(running.contains("admin-split-region") && running.contains("split: region \(rid) use policy APPROXIMATE"))
            #expect(running.contains("split region with policy APPROXIMATE"))
            c.advance(seconds: 2)
            let after = try await region(live, rid)
            // Right-derive: the region keeps its id and the upper half; a new region takes the lower half.
            #expect(after["end_key"] as? String == before["end_key"] as? String)
            #expect(after["start_key"] as? String != before["start_key"] as? String)
            #expect(c.withState { $0.keyOrder.count } == regionsBefore + 1)
            let (_, done, _) = try await live.request("GET", "/pd/api/v1/operators/\(rid)")
            #expect(done.hasPrefix("\"status: SUCCESS"), "\(done)")
        }
    }

    @Test func usekeySplitsAtTheKeyAndIgnoresKeysOutsideTheRange() async throws {
        let c = Self.cluster()
        let live = try await LoopbackSimulator.start(c)
        try await withServer(live) { live in
            let (rid, start, end) = try #require(c.withState { s -> (UInt64, UInt64, UInt64)? in
                for slot in s.keyOrder.slots.map(Int.init) where s.truth[slot].leader != nil {
                    let a = s.keyOrder.startCode(slot: slot), b = s.keyOrder.endCode(slot: slot)
                    if b != 0, b - a > 4 { return (s.truth[slot].id, a, b) }
                }
                return nil
            })
            // A key outside the range: TiKV does nothing, the region stays whole.
            let outside = RegionKey.hex(code: end + 1)
            var (status, _) = try await post(live, #"{"name":"split-region","region_id":\#(rid),"policy":"usekey","keys":["\#(outside)"]}"#)
            #expect(status == 200)
            c.advance(seconds: 2)
            #expect(try await region(live, rid)["start_key"] as? String == RegionKey.hex(code: start))
            _ = try await live.request("DELETE", "/pd/api/v1/operators/\(rid)")
            let key = start + (end - start) / 3
            (status, _) = try await post(live, #"{"name":"split-region","region_id":\#(rid),"policy":"USEKEY","keys":["\#(RegionKey.hex(code: key).lowercased())"]}"#)
            #expect(status == 200)
            c.advance(seconds: 2)
            #expect(try await region(live, rid)["start_key"] as? String == RegionKey.hex(code: key))
        }
    }

    /// The hot-region fault's traffic stays with the half holding its hot key; PD's hot statistics follow the leader.
    @Test func aHotRegionsFlowStaysWithItsHotKeyAndFollowsTheLeader() async throws {
        let c = Self.cluster()
        let live = try await LoopbackSimulator.start(c)
        try await withServer(live) { live in
            let (rid, leader, other) = try #require(c.withState { s -> (UInt64, UInt32, UInt32)? in
                guard let r = s.reported.first(where: { $0.known && $0.leaderStoreId != nil && $0.peers.count == 3 }),
                      let l = r.leaderStoreId, let o = r.peers.first(where: { $0.storeId != l })?.storeId else { return nil }
                return (r.id, l, o)
            })
            let faultID = try c.withState { try $0.inject(Fault(kind: .hotRegion, region: rid, factor: 20, flow: "write")) }
            c.advance(seconds: 2)
            let hotCode = try #require(c.withState { $0.faults.first { $0.id == faultID }?.hotCode })
            var (status, _) = try await post(live, #"{"name":"split-region","region_id":\#(rid),"policy":"approximate"}"#)
            #expect(status == 200)
            c.advance(seconds: 2)
            let hotHalf = try #require(regionID(c, containingCode: hotCode))
            #expect(hotHalf != rid, "a quarter into the range lies in the new lower half")
            let (_, hot, _) = try await live.request("GET", "/pd/api/v1/hotspot/regions/write")
            let asLeader = try #require((try JSONSerialization.jsonObject(with: Data(hot.utf8)) as? [String: Any])?["as_leader"] as? [String: Any])
            func hotIDs(_ store: UInt32, _ body: [String: Any]) -> [UInt64] {
                ((body["\(store)"] as? [String: Any])?["statistics"] as? [[String: Any]] ?? []).compactMap { ($0["region_id"] as? NSNumber)?.uint64Value }
            }
            #expect(hotIDs(leader, asLeader).contains(hotHalf))
            #expect(!hotIDs(leader, asLeader).contains(rid), "the other half keeps only half the ordinary flow")
            (status, _) = try await post(live, #"{"name":"transfer-leader","region_id":\#(hotHalf),"to_store_id":\#(other)}"#)
            #expect(status == 200)
            c.advance(seconds: 2)
            let (_, moved, _) = try await live.request("GET", "/pd/api/v1/hotspot/regions/write")
            let movedLeader = try #require((try JSONSerialization.jsonObject(with: Data(moved.utf8)) as? [String: Any])?["as_leader"] as? [String: Any])
            #expect(hotIDs(other, movedLeader).contains(hotHalf))
            #expect(!hotIDs(leader, movedLeader).contains(hotHalf))
            // Reverting ends the traffic where the hot key is now.
            try c.withState { try $0.revert(faultId: faultID) }
            c.advance(seconds: 2)
            let (_, cold, _) = try await live.request("GET", "/pd/api/v1/hotspot/regions/write")
            #expect(!cold.contains("\"region_id\": \(hotHalf),"))
        }
    }
}
