import Foundation
import Testing
import PDWire
import TestSupport
@testable import PDClient

@Suite struct PDClientReadTests {
    @Test func readsEveryEndpointOverLoopbackHTTP() async throws {
        let log = RequestLog()
        let server = try await FakePD.start(log: log)
        try await withServer(server) { server in
            let pd = FakePD.client([server.url])

            let stores = try await pd.stores()
            #expect(stores.stores.map(\.store.id) == [1, 4, 5])
            let texts = try await pd.operatorTexts()
            #expect(try OperatorText(parsing: try #require(texts.first)).steps == [.transferLeader(fromStore: 5, toStore: 1)])
            #expect(try await pd.region(id: 24).leader?.storeID == 5)
            #expect(try await pd.region(id: 1101).leader == nil)
            #expect(try await pd.regionCount() == 6)
            #expect(try await pd.hotRegions(.write).asPeer[1]?.regionsCount == 1)
            #expect(try await pd.hotRegions(.read).asPeer.isEmpty == false)
            #expect(try await pd.operatorStatus(regionID: 24)?.status == .running)
            #expect(try await pd.operatorStatus(regionID: 12) == nil)     // PD's 500 ErrOperatorNotFound
            #expect(try await pd.schedulers().contains("balance-region-scheduler"))
            #expect(try await pd.pausedSchedulers().first?.name == "balance-region-scheduler")
            #expect(try await pd.evictLeaderConfig()?.storeIDs == [8])
            #expect(try await pd.config().schedule?.maxStoreDownTime == .minutes(30))
            #expect(try await pd.placementRules().first?.groupID == "pd")
            let members = try await pd.members()
            #expect(members.clusterID == 7_512_310_118_539_536_325)
            #expect(members.leader?.memberID == 13_088_853_698_788_547_064)
            #expect(try await pd.health().count == 3)

            let seen = await log.requests
            #expect(seen.allSatisfy { $0.callerID == "operator" })
        }
    }

    @Test func tombstonesNeedNumericStateFilter() async throws {
        let log = RequestLog()
        let server = try await FakePD.start(log: log)
        try await withServer(server) { server in
            _ = try await FakePD.client([server.url]).stores(includeTombstone: true)
            let q = await log.requests.last?.query["state"]
            #expect(q == ["0", "1", "2"])
        }
    }

    @Test func largeRegionListStreamsThroughManyChunks() async throws {
        let body = RegionBodyGenerator.body(regions: 20_000)
        let server = try await LoopbackServer.start { _ in Reply.json(body, contentType: "application/octet-stream") }
        try await withServer(server) { server in
            let pd = FakePD.client([server.url])
            var count = 0
            var lastID: UInt64 = 0
            for try await r in pd.regions(onStore: 1) {
                count += 1
                lastID = r.id
                #expect(r.peers.count == 3)
            }
            #expect(count == 20_000)
            #expect(lastID == RegionBodyGenerator.regionID(19_999))
        }
    }

    @Test func pagesFollowThePdCtlRecipe() async throws {
        let log = RequestLog()
        let server = try await FakePD.start(log: log)
        try await withServer(server) { server in
            let pd = FakePD.client([server.url])
            var pages: [[UInt64]] = []
            for try await page in pd.regionPages(pageSize: 2) { pages.append(page.map(\.id)) }
            #expect(pages == [[2, 8], [12, 16], [20, 24]])
            let keys = await log.requests.filter { $0.path == "/pd/api/v1/regions/key" }.map { $0.first("key") ?? "?" }
            #expect(keys == ["", "7480000000000000FF0700000000000000F8", "7480000000000000FF0B00000000000000F8"])
            #expect(await log.requests.allSatisfy { $0.path != "/pd/api/v1/regions/key" || ($0.first("format") == "hex" && $0.first("limit") == "2") })
        }
    }
}

/// Generates a regions body in PD's exact compact shape (easyjson key order).
enum RegionBodyGenerator {
    static func regionID(_ i: Int) -> UInt64 { UInt64(1000 + i * 4) }

    static func body(regions n: Int) -> Data {
        var s = "{\"count\":\(n),\"regions\":["
        s.reserveCapacity(n * 620)
        for i in 0..<n {
            if i > 0 { s += "," }
            let id = regionID(i)
            let start = i == 0 ? "" : String(format: "7480000000000000FF%02X5F728000000000%06X", i % 256, i)
            let end = i == n - 1 ? "" : String(format: "7480000000000000FF%02X5F728000000000%06X", (i + 1) % 256, i + 1)
            s += "{\"id\":\(id),\"start_key\":\"\(start)\",\"end_key\":\"\(end)\",\"epoch\":{\"conf_ver\":5,\"version\":\(i % 97 + 1)},"
            s += "\"peers\":[{\"role_name\":\"Voter\",\"id\":\(id + 1),\"store_id\":1},{\"role_name\":\"Voter\",\"id\":\(id + 2),\"store_id\":4},{\"role_name\":\"Voter\",\"id\":\(id + 3),\"store_id\":5}],"
            s += "\"leader\":{\"role_name\":\"Voter\",\"id\":\(id + 1 + UInt64(i % 3)),\"store_id\":\([1, 4, 5][i % 3])},"
            s += "\"cpu_usage\":\(i % 500),\"written_bytes\":\(i * 1024),\"read_bytes\":\(i * 2048),\"written_keys\":\(i % 9000),\"read_keys\":\(i % 7000),"
            s += "\"approximate_size\":\(i % 256),\"approximate_keys\":\(i * 10),\"approximate_kv_size\":\(i % 200),\"approximate_columnar_kv_size\":0}"
        }
        s += "]}"
        return Data(s.utf8)
    }
}
