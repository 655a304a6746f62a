import Foundation
import Testing
import TestSupport
@testable import PDWire

@Suite struct RegionDecodingTests {
    static let regionListFixtures = [
        "regions.json", "regions_key_page1.json", "regions_key_page2.json", "regions_key_page3.json",
        "regions_writeflow.json", "regions_readflow.json", "regions_size.json", "regions_keys.json",
        "regions_confver.json", "regions_version.json",
    ]

    @Test func regionFixture() throws {
        let r = try PDFixtures.decode(RegionInfo.self, "region.json")
        #expect(r.id == 24)
        #expect(r.startKey == "7480000000000000FF6800000000000000F8" && r.endKey == "")
        #expect(r.epoch == RegionEpoch(confVer: 5, version: 7))
        #expect(r.storeIDs == [1, 4, 5])
        #expect(r.leader == MetaPeer(id: 27, storeID: 5))
        #expect(r.approximateSize == 210 && r.approximateKeys == 2_094_771 && r.writtenBytes == 31_457_280)
        #expect(try RegionStreamDecoder.decodeAll(Data("{\"count\":1,\"regions\":[".utf8) + PDFixtures.data("region.json") + Data("]}".utf8)).regions == [r])
    }

    @Test func noLeaderIsNil() throws {
        let r = try PDFixtures.decode(RegionInfo.self, "region_no_leader.json")
        #expect(r.id == 1101)
        #expect(r.leader == nil)
        #expect(r.peers.count == 3)
        let streamed = try RegionStreamDecoder.decodeAll(Data("{\"regions\":[".utf8) + PDFixtures.data("region_no_leader.json") + Data("]}".utf8))
        #expect(streamed.regions.first?.leader == nil)
        #expect(streamed.regions == [r])
    }

    @Test func regionsFixtureHasSixRegionsWithLeaders() throws {
        let all = try PDFixtures.decode(RegionsInfo.self, "regions.json")
        #expect(all.count == 6)
        let leaders = Dictionary(uniqueKeysWithValues: all.regions.map { ($0.id, $0.leader?.storeID) })
        #expect(leaders == [2: 1, 8: 4, 12: 5, 16: 1, 20: 4, 24: 5])
        #expect(try PDFixtures.decode(RegionInfo.self, "region_key.json").id == 12)
        #expect(try PDFixtures.decode(PDRegionCount.self, "regions_count.json").count == 6)
    }

    @Test func learnerDownAndPendingPeers() throws {
        let r = try PDFixtures.decode(RegionsInfo.self, "regions_readflow.json")
        let r1009 = try #require(r.regions.first { $0.id == 1009 })
        #expect(r1009.peers.last == MetaPeer(id: 1020, storeID: 5, role: .learner))
        #expect(r1009.peers.last?.isLearner == true)
        #expect(r1009.downPeers == [DownPeer(peer: MetaPeer(id: 1011, storeID: 6), downSeconds: 2514)])
        #expect(r1009.pendingPeers.map(\.id) == [1011, 1020])
    }

    @Test(arguments: regionListFixtures)
    func streamDecoderMatchesFoundation(name: String) throws {
        let data = try PDFixtures.data(name)
        let expected = try JSONDecoder().decode(RegionsInfo.self, from: data)
        let whole = try RegionStreamDecoder.decodeAll(data)
        #expect(whole == expected)
        // Every chunk size from 1 byte upward must give the same regions.
        for chunk in [1, 2, 3, 7, 16, 61, 256] {
            var d = RegionStreamDecoder()
            var got: [RegionInfo] = []
            var i = data.startIndex
            while i < data.endIndex {
                let j = data.index(i, offsetBy: chunk, limitedBy: data.endIndex) ?? data.endIndex
                try d.feed(data[i..<j]) { got.append($0) }
                i = j
            }
            try d.finish()
            #expect(got == expected.regions, "chunk \(chunk)")
            #expect(d.count == expected.count)
        }
    }

    @Test func jointRolesWitnessBucketsReplicationAndUnknownKeys() throws {
        let json = #"{"count":1,"extra":{"a":[1,2.5e3,"x\"y",null,true]},"regions":[{"id":1017,"start_key":"","end_key":"74","epoch":{"conf_ver":8},"peers":[{"role_name":"DemotingVoter","id":1021,"store_id":8,"role":3},{"role_name":"IncomingVoter","id":1022,"store_id":7,"role":2},{"role_name":"Voter","id":1,"store_id":1,"is_witness":true}],"leader":{"role_name":"Voter","id":1,"store_id":1},"cpu_usage":0,"written_bytes":0,"read_bytes":0,"written_keys":0,"read_keys":0,"approximate_size":-1,"approximate_keys":0,"approximate_kv_size":0,"buckets":["61","62\u0041"],"bucket_version":3,"replication_status":{"state":"SIMPLE_MAJORITY","state_id":2},"future_field":{"nested":[[]]}}]}"#
        let streamed = try RegionStreamDecoder.decodeAll(Data(json.utf8))
        let foundation = try JSONDecoder().decode(RegionsInfo.self, from: Data(json.utf8))
        #expect(streamed == foundation)
        let r = try #require(streamed.regions.first)
        #expect(r.isInJointState)
        #expect(r.peers.map(\.role) == [.demotingVoter, .incomingVoter, .voter])
        #expect(r.peers[2].isWitness)
        #expect(r.epoch == RegionEpoch(confVer: 8, version: 0))
        #expect(r.buckets == ["61", "62A"])
        #expect(r.replicationStatus == RegionReplicationStatus(state: "SIMPLE_MAJORITY", stateID: 2))
        #expect(r.approximateSize == -1)
    }

    @Test func idsAboveInt64Max() throws {
        let json = #"{"count":1,"regions":[{"id":18446744073709551615,"peers":[{"role_name":"Voter","id":13088853698788547064,"store_id":1}],"leader":{"role_name":""}}]}"#
        let r = try RegionStreamDecoder.decodeAll(Data(json.utf8))
        #expect(r.regions.first?.id == UInt64.max)
        #expect(r.regions.first?.peers.first?.id == 13_088_853_698_788_547_064)
    }

    @Test(arguments: [
        ("", "empty body"),
        (#"{"count":1,"regions":[{"id":1"#, "truncated"),
        (#"{"count":1,"regions":[{"id":1}]"#, "truncated"),
        (#"{"count":1,"regions":[{"id":"1"}]}"#, "unsigned integer"),
        (#"{"count":1,"regions":[{"id":1.5}]}"#, "fraction"),
        (#"{"count":1,"regions":[{"id":-1}]}"#, "unsigned integer"),
        (#"{"count":1,"regions":[{"id":18446744073709551616}]}"#, "out of range"),
        (#"{"count":1,"regions":[{"id":01}]}"#, "leading zero"),
        (#"{"count":1,"regions":[{"start_key":""}]}"#, "without an id"),
        (#"{"count":1,"regions":[{"id":1,}]}"#, "a string"),
        (#"{"count":1,"regions":[{"id":1}]}x"#, "trailing data"),
        (#"{"count":1,"regions":{"id":1}}"#, "'['"),
        (#"<html><body>502 Bad Gateway</body></html>"#, "'{'"),
        (#"{"count":1,"regions":[{"id":1,"peers":[{"role_name":"Vo\#u{01}ter"}]}]}"#, "control character"),
        (#"{"count":1,"regions":[{"id":1,"leader":nul}]}"#, "null"),
        (#"{"count":1,"regions":[{"id":1,"x":tru}]}"#, "true"),
        (#"{"count":1,"regions":[{"id":1,"start_key":"\q"}]}"#, "bad escape"),
    ])
    func rejectsMalformed(body: String, reason: String) {
        var d = RegionStreamDecoder()
        do {
            _ = try d.feed(Data(body.utf8))
            try d.finish()
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.reason.contains(reason), "\(error.reason)")
            // The failure sticks: feeding more never resumes a broken stream.
            #expect(throws: RegionDecodeError.self) { _ = try d.feed(Data("]}".utf8)) }
        }
    }

    @Test func countOnlyBodyWithNullRegions() throws {
        let r = try RegionStreamDecoder.decodeAll(try PDFixtures.data("regions_count.json"))
        #expect(r.count == 6 && r.regions.isEmpty)
    }

    @Test func histogramBuckets() throws {
        let json = #"[{"start":1,"end":1,"count":2},{"start":32,"end":63,"count":5}]"#
        let h = try JSONDecoder().decode([RegionHistogramBucket].self, from: Data(json.utf8))
        #expect(h == [RegionHistogramBucket(start: 1, end: 1, count: 2), RegionHistogramBucket(start: 32, end: 63, count: 5)])
    }
}
