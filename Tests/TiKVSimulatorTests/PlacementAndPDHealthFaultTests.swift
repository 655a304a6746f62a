import Foundation
import Testing
import TestSupport
@testable import TiKVSimulator

/// Location labels honoured by a new cluster's placement, the fault that misplaces replicas, and the fault that makes a
/// PD member unhealthy, seen over real HTTP on 127.0.0.1.
@Suite(.serialized) struct PlacementAndPDHealthFaultTests {
    /// Regions in `GET /regions` with two voters whose stores share a zone, by the stores' labels in `GET /stores`.
    static func regionsSharingAZone(_ sim: SimClient) async throws -> Int {
        let stores = try #require(try await sim.json("/pd/api/v1/stores") as? [String: Any])
        var zone: [Int: String] = [:]
        for s in stores["stores"] as? [[String: Any]] ?? [] {
            let meta = s["store"] as? [String: Any] ?? [:]
            let labels = meta["labels"] as? [[String: Any]] ?? []
            if let id = meta["id"] as? Int, let z = labels.first(where: { $0["key"] as? String == "zone" })?["value"] as? String { zone[id] = z }
        }
        let regions = try #require(try await sim.json("/pd/api/v1/regions") as? [String: Any])
        return (regions["regions"] as? [[String: Any]] ?? []).filter { r in
            let voters = (r["peers"] as? [[String: Any]] ?? []).filter { ($0["role_name"] as? String ?? "Voter") == "Voter" }
            let zones = voters.compactMap { ($0["store_id"] as? Int).flatMap { zone[$0] } }
            return Set(zones).count < zones.count
        }.count
    }

    /// With `location-labels` set a scenario's cluster starts with every region across three zones; without it the same
    /// stores and seed place many regions with two replicas in one zone (the issue counted 1,761 of 3,000).
    @Test func aNewClusterIsPlacedAcrossTheLocationLabels() throws {
        let labelled = try ScenarioCatalog.load("misplaced-replicas").makeCluster()
        #expect(labelled.config.locationLabels == ["zone", "host"])
        #expect(labelled.regionCount == 3000)
        #expect(labelled.regionsSharing(label: "zone") == 0)
        #expect(labelled.regionsSharing(label: "host") == 0)
        // Placement stays even: every store holds about a sixth of the 9,000 peers.
        let peers = labelled.storeStats.map(\.regionCount)
        #expect(peers.allSatisfy { abs($0 - 1500) < 150 }, "\(peers)")
        let random = try ScenarioCatalog.load("six-stores").makeCluster()
        #expect(random.config.locationLabels.isEmpty)
        #expect(random.regionsSharing(label: "zone") > 1000)
        // The generated clusters of the tests do the same when asked.
        #expect(ClusterState.generated(stores: 5, regions: 300, seed: 7, locationLabels: ["zone", "host"]).regionsSharing(label: "zone") == 0)
    }

    @Test func misplacedReplicasShareAZoneUntilTheFaultIsRemoved() async throws {
        // The scenario's own fault would fire at 60 s: the same six stores and labels, without its events.
        let c = SimulatedCluster(.generated(stores: 6, regions: 3000, seed: 42, locationLabels: ["zone", "host"]))
        c.advance(seconds: 20)
        let sim = try await SimClient.start(c)
        try await withServer(sim) { sim in
            #expect(try await Self.regionsSharingAZone(sim) == 0)
            let id = try await sim.inject(#"{"kind": "misplace-replicas", "factor": 25}"#)
            try await sim.advance(2)
            #expect(try await Self.regionsSharingAZone(sim) == 25)
            // Nothing in the simulated PD moves them back (its rule checker does not model location-aware placement).
            // The simulated PD has no location-aware checker to move them back: with its balancers paused (its checkers
            // still run) they stay as they are.
            try c.withState { try $0.pauseScheduler(name: "all", delaySeconds: 3600) }
            try await sim.advance(600)
            #expect(try await Self.regionsSharingAZone(sim) == 25)
            try await sim.revert(id)
            try await sim.advance(2)
            #expect(try await Self.regionsSharingAZone(sim) == 0)
        }
    }

    @Test func anUnhealthyMemberAnswersButHealthSaysSo() async throws {
        let c = SimulatedCluster.generated(stores: 4, regions: 100, seed: 5)
        c.advance(seconds: 20)
        let sim = try await SimClient.start(c)
        try await withServer(sim) { sim in
            func health() async throws -> [String: Bool] {
                let list = try #require(try await sim.json("/pd/api/v1/health") as? [[String: Any]])
                return Dictionary(uniqueKeysWithValues: list.compactMap { m in (m["name"] as? String).map { ($0, m["health"] as? Bool ?? false) } })
            }
            let id = try await sim.inject(#"{"kind": "pd-member-unhealthy", "member": "sim-pd-1"}"#)
            #expect(try await health() == ["sim-pd-0": true, "sim-pd-1": false, "sim-pd-2": true])
            // The leader still serves: /members answers with it.
            let members = try #require(try await sim.json("/pd/api/v1/members") as? [String: Any])
            #expect((members["leader"] as? [String: Any])?["name"] as? String == "sim-pd-0")
            try await sim.revert(id)
            #expect(try await health().values.allSatisfy { $0 })
            let (status, _, _) = try await sim.live.request("POST", "/sim/v1/faults", body: #"{"kind": "pd-member-unhealthy", "member": "nobody"}"#)
            #expect(status == 400)
        }
    }
}
