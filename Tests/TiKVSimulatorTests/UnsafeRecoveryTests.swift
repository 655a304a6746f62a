import Foundation
import Testing
import TestSupport
@testable import TiKVSimulator

/// PD's online unsafe recovery over HTTP: its refusals (v8.5.7 server/api/unsafe_operation.go,
/// pkg/unsaferecovery) and what the recovery leaves behind.
@Suite(.serialized) struct UnsafeRecoveryTests {
    static func cluster() -> SimulatedCluster {
        let c = SimulatedCluster.generated(stores: 6, regions: 300, seed: 23)
        c.advance(seconds: 20)
        return c
    }

    /// Regions (PD's view) whose voters on `failed` stores are a majority.
    static func lostRegions(_ sim: SimClient, failed: Set<Int>) async throws -> [Int] {
        let all = try #require(try await sim.json("/pd/api/v1/regions") as? [String: Any])
        let regions = try #require(all["regions"] as? [[String: Any]])
        return regions.compactMap { r in
            let peers = (r["peers"] as? [[String: Any]] ?? []).filter { ($0["role_name"] as? String) != "Learner" }
            let down = peers.filter { failed.contains($0["store_id"] as? Int ?? 0) }.count
            return peers.count - down < peers.count / 2 + 1 ? r["id"] as? Int : nil
        }
    }

    @Test func refusesConnectedStoresThenBuriesFailedOnesAndRestoresAQuorum() async throws {
        try await withServer(try await SimClient.start(Self.cluster())) { sim in
            // Nothing ran yet.
            let idle = try #require(try await sim.json("/pd/api/v1/admin/unsafe/remove-failed-stores/show") as? [[String: Any]])
            #expect(idle.first?["info"] as? String == "No on-going recovery.")

            _ = try await sim.inject(#"{"kind": "kill", "store": 1}"#)
            _ = try await sim.inject(#"{"kind": "kill", "store": 2}"#)
            // PD heard from them within 20 s: they are still "up and connected".
            let (early, earlyText, _) = try await sim.live.request("POST", "/pd/api/v1/admin/unsafe/remove-failed-stores", body: #"{"stores":[1,2]}"#)
            #expect(early == 500)
            #expect(earlyText.contains("[PD:unsaferecovery:ErrUnsafeRecoveryInvalidInput]invalid input store 1 is up and connected"))

            try await sim.advance(40)
            let lost = try await Self.lostRegions(sim, failed: [1, 2])
            #expect(!lost.isEmpty, "two of six stores dead with three replicas leaves some region without a majority")

            let (unknown, unknownText, _) = try await sim.live.request("POST", "/pd/api/v1/admin/unsafe/remove-failed-stores", body: #"{"stores":[1,99]}"#)
            #expect(unknown == 500 && unknownText.contains("store 99 doesn't exist"))
            let (bad, badText, _) = try await sim.live.request("POST", "/pd/api/v1/admin/unsafe/remove-failed-stores", body: #"{"stores":"1"}"#)
            #expect(bad == 400 && badText.contains("Store ids are invalid"))
            let (empty, emptyText, _) = try await sim.live.request("POST", "/pd/api/v1/admin/unsafe/remove-failed-stores", body: #"{"stores":[]}"#)
            #expect(empty == 500 && emptyText.contains("no store specified"))
            // A refused request buried nothing.
            #expect(try await sim.storeStatus(1).state != "Tombstone")

            let accepted = try #require(try await sim.json("/pd/api/v1/admin/unsafe/remove-failed-stores", method: "POST", body: #"{"stores":[1,2]}"#) as? String)
            #expect(accepted == "Request has been accepted.")
            #expect(try await sim.storeStatus(1).state == "Tombstone")
            #expect(try await sim.storeStatus(2).state == "Tombstone")
            let stages = try #require(try await sim.json("/pd/api/v1/admin/unsafe/remove-failed-stores/show") as? [[String: Any]])
            #expect(stages.first?["info"] as? String == "Unsafe recovery enters collect report stage")
            #expect(stages.contains { $0["info"] as? String == "Unsafe recovery enters force leader stage" })
            #expect(stages.last?["info"] as? String == "Unsafe recovery Finished")

            // Every region that had lost its quorum now has a leader on an alive store and no voter on the buried ones.
            try await sim.advance(1)
            #expect(try await Self.lostRegions(sim, failed: [1, 2]).isEmpty)
            for id in lost {
                let r = try #require(try await sim.json("/pd/api/v1/region/id/\(id)") as? [String: Any])
                let leader = try #require(r["leader"] as? [String: Any])
                #expect(![1, 2].contains(leader["store_id"] as? Int ?? 0), "region \(id) is led by a survivor")
                let stores = (r["peers"] as? [[String: Any]] ?? []).compactMap { $0["store_id"] as? Int }
                #expect(!stores.contains(1) && !stores.contains(2), "region \(id)'s failed voters were removed")
            }
        }
    }
}
