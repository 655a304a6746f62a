import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport
@testable import TiKVSimulator

@Suite(.serialized) struct FixtureFidelityTests {
    @Test func clusterAEndpointsMatchFixturesByteForByte() async throws {
        let live = try await LoopbackSimulator.start(.fixtureClusterA(), advertise: false)
        try await withServer(live) { live in
            let cases: [(String, String)] = [
                ("/pd/api/v1/stores", "stores.json"), ("/pd/api/v1/store/1", "store.json"),
                ("/pd/api/v1/regions", "regions.json"), ("/pd/api/v1/region/id/24", "region.json"),
                ("/pd/api/v1/region/key/7480000000000000FF0700000000000000F8?format=hex", "region_key.json"),
                ("/pd/api/v1/regions/key?key=&limit=2", "regions_key_page1.json"),
                ("/pd/api/v1/regions/count", "regions_count.json"),
                ("/pd/api/v1/operators", "operators_get.json"), ("/pd/api/v1/operators/24", "operator_region.json"),
                ("/pd/api/v1/config", "config.json"), ("/pd/api/v1/config/schedule", "config_schedule.json"), ("/pd/api/v1/config/replicate", "config_replicate.json"),
                ("/pd/api/v1/config/placement-rule", "config_placement_rule.json"),
                ("/pd/api/v1/health", "health.json"), ("/pd/api/v1/members", "members.json"), ("/pd/api/v1/leader", "leader.json"),
                ("/pd/api/v1/cluster", "cluster.json"), ("/pd/api/v1/cluster/status", "cluster_status.json"),
                ("/pd/api/v1/version", "version.json"), ("/pd/api/v1/status", "status.json"),
                ("/pd/api/v1/operators?kind=region", "operators_get_kind_no_match.json"),
            ]
            for (path, file) in cases {
                let (status, body, _) = try await live.request("GET", path)
                #expect(status == 200, "\(path)")
                #expect(body == (try PDFixtures.text(file)), "\(path) vs \(file)")
            }
            // Paging: page 2 starts at the hex-decoded end key of page 1.
            let (_, p2, type) = try await live.request("GET", "/pd/api/v1/regions/key?key=7480000000000000FF0700000000000000F8&format=hex&limit=2")
            #expect(p2 == (try PDFixtures.text("regions_key_page2.json")))
            #expect(type == "application/octet-stream")
            let (_, sched, _) = try await live.request("GET", "/pd/api/v1/schedulers")
            let expected = try PDFixtures.text("schedulers_get.json")
            // PD lists schedulers in Go map order; compare the names, not their order.
            let names: (String) -> Set<String> = { Set($0.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " ,")) }) }
            #expect(names(sched) == names(expected))
        }
    }

    @Test func errorBodiesAndStatusCodes() async throws {
        let live = try await LoopbackSimulator.start(.fixtureClusterA(), advertise: false)
        try await withServer(live) { live in
            let cases: [(String, String, String?, Int, String)] = [
                ("GET", "/pd/api/v1/store/99", nil, 404, "error_404.json"),
                ("GET", "/pd/api/v1/store/abc", nil, 400, "error_400_invalid_id.json"),
                ("GET", "/pd/api/v1/region/id/999", nil, 404, "error_404_region.json"),
                ("DELETE", "/pd/api/v1/schedulers/nope", nil, 404, "error_404_scheduler.json"),
                ("DELETE", "/pd/api/v1/store/5", nil, 400, "error_400_stores_not_enough.json"),
                ("POST", "/pd/api/v1/operators", "{\"region_id\":24}", 400, "error_400_operator_missing_name.json"),
                ("POST", "/pd/api/v1/operators", "{\"name\":\"nope\"}", 400, "error_400_unknown_operator.json"),
                ("POST", "/pd/api/v1/schedulers", "{\"name\":\"nope\"}", 400, "error_400_unknown_scheduler.json"),
                ("POST", "/pd/api/v1/schedulers", "{\"name\":\"balance-leader-scheduler\"}", 400, "error_400_scheduler_existed.json"),
                ("GET", "/pd/api/v1/operators/12", nil, 500, "error_500_operator_not_found.json"),
                ("POST", "/pd/api/v1/operators", "{\"name\":\"transfer-leader\",\"region_id\":24,\"to_store_id\":4}", 500, "error_500_add_operator.json"),
                // PD looks for a voter before any store check (handler.go:418-421).
                ("POST", "/pd/api/v1/operators", "{\"name\":\"transfer-leader\",\"region_id\":20,\"to_store_id\":9}", 500, "error_500_no_voter.json"),
            ]
            for (method, path, body, code, file) in cases {
                let (status, text, _) = try await live.request(method, path, body: body)
                #expect(status == code, "\(method) \(path)")
                #expect(text == (try PDFixtures.text(file)), "\(method) \(path)")
            }
            let (s404, t404, _) = try await live.request("GET", "/pd/api/v1/nothing-here")
            #expect(s404 == 404 && t404 == "404 page not found\n")
            let (s405, _, _) = try await live.request("PUT", "/pd/api/v1/stores")
            #expect(s405 == 405)
        }
    }
}
