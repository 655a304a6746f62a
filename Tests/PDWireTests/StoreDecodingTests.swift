import Foundation
import Testing
import TestSupport
@testable import PDWire

@Suite struct StoreDecodingTests {
    @Test func storesFixtureDecodesEveryField() throws {
        let info = try PDFixtures.decode(StoresInfo.self, "stores.json")
        #expect(info.count == 3)
        #expect(info.stores.map(\.store.id) == [1, 4, 5])
        let s1 = try #require(info.stores.first)
        #expect(s1.store.address == "basic-tikv-0.basic-tikv-peer.tidb.svc:20160")
        #expect(s1.store.statusAddress == "basic-tikv-0.basic-tikv-peer.tidb.svc:20180")
        #expect(s1.store.label("host") == "basic-tikv-0")
        #expect(s1.store.state == .up)            // absent key → 0 → Up
        #expect(s1.store.nodeState == .serving)
        #expect(s1.store.stateName == "Up")
        #expect(s1.store.lastHeartbeat == 1_749_542_396_482_796_882)
        #expect(s1.status.capacity.bytes == 1 << 40)
        #expect(abs(Double(s1.status.available.bytes) - 983.6 * 1_073_741_824) < 1)
        #expect(abs(Double(s1.status.usedSize.bytes) - 656.2 * 1_048_576) < 1)
        #expect(s1.status.leaderCount == 2)
        #expect(s1.status.regionSize == 482)
        #expect(s1.status.regionScore == 619.6570667141178)
        #expect(s1.status.slowScore == 1)
        #expect(s1.status.slowTrend?.resultValue == 612)
        #expect(s1.status.lastHeartbeatTS == GoTime(seconds: 1_749_542_396, nanoseconds: 482_796_882))
        #expect(s1.status.uptime == (try GoDuration(parsing: "123h59m51.482796882s")))
        #expect(s1.status.pauseLeaderTransferIn == false)
        #expect(try PDFixtures.decode(StoreInfo.self, "store.json") == s1)
    }

    @Test func missingEnumsDefaultToZero() throws {
        let json = #"{"store":{"id":10,"address":"a:20160","state_name":"Up"},"status":{"capacity":"0B","available":"0B","used_size":"0B"}}"#
        let s = try JSONDecoder().decode(StoreInfo.self, from: Data(json.utf8))
        #expect(s.store.state == .up)
        #expect(s.store.nodeState == .preparing)
        #expect(s.status.uptime == nil)
    }

    @Test func offlineAndTombstoneStates() throws {
        let json = #"""
        {"count":2,"stores":[
         {"store":{"id":8,"address":"h8:20160","state":1,"last_heartbeat":1749538800000000000,"node_state":2,"physically_destroyed":true,"state_name":"Offline"},
          "status":{"capacity":"1TiB","available":"1TiB","used_size":"0B","last_heartbeat_ts":"2025-06-10T07:00:00Z","pause_leader_transfer_in":true}},
         {"store":{"id":9,"address":"h9:20160","state":2,"node_state":3,"state_name":"Tombstone"},
          "status":{"capacity":"0B","available":"0B","used_size":"0B"}}]}
        """#
        let info = try JSONDecoder().decode(StoresInfo.self, from: Data(json.utf8))
        let offline = info.stores[0], tomb = info.stores[1]
        #expect(offline.store.state == .offline && offline.store.nodeState == .removing)
        #expect(offline.store.physicallyDestroyed)
        #expect(offline.status.pauseLeaderTransferIn)
        #expect(tomb.store.state == .tombstone && tomb.store.nodeState == .removed)
        // An Offline store silent for an hour still says "Offline"; liveness says it is down.
        let now = GoTime(seconds: 1_749_542_400)
        #expect(offline.store.stateName == "Offline")
        #expect(offline.liveness(now: now) == .down)
        #expect(tomb.liveness(now: now) == .tombstone)
    }

    @Test func livenessFromHeartbeatAge() throws {
        let s = try PDFixtures.decode(StoreInfo.self, "store.json")
        let hb = GoTime(seconds: 1_749_542_396, nanoseconds: 482_796_882)
        #expect(s.liveness(now: GoTime(seconds: 1_749_542_400)) == .alive)
        #expect(s.liveness(now: GoTime(seconds: hb.seconds + 21, nanoseconds: hb.nanoseconds)) == .disconnected)
        #expect(s.liveness(now: GoTime(seconds: hb.seconds + 20, nanoseconds: hb.nanoseconds)) == .alive) // strict >
        #expect(s.liveness(now: GoTime(seconds: hb.seconds + 1801, nanoseconds: hb.nanoseconds)) == .down)
        #expect(s.liveness(now: GoTime(seconds: hb.seconds + 700), maxStoreDownTime: .hours(1)) == .disconnected)
    }

    @Test func rejectsWrongTypes() {
        let json = #"{"store":{"id":"1","state_name":"Up"},"status":{}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(StoreInfo.self, from: Data(json.utf8)) }
        let bad = #"{"store":{"id":1,"state_name":"Up"},"status":{"capacity":"lots"}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(StoreInfo.self, from: Data(bad.utf8)) }
    }
}

@Suite struct UInt64PrecisionTests {
    /// Foundation's JSONDecoder on Linux must keep ids above 2^53 and above Int64.max exact.
    @Test func jsonDecoderKeepsFullUInt64() throws {
        struct Box: Decodable { var a: UInt64; var b: UInt64; var c: UInt64 }
        let json = #"{"a":13088853698788547064,"b":9007199254740993,"c":18446744073709551615}"#
        let box = try JSONDecoder().decode(Box.self, from: Data(json.utf8))
        #expect(box.a == 13_088_853_698_788_547_064)
        #expect(box.b == 9_007_199_254_740_993)
        #expect(box.c == UInt64.max)
        struct One: Decodable { var a: UInt64 }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(One.self, from: Data(#"{"a":18446744073709551616}"#.utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(One.self, from: Data(#"{"a":-1}"#.utf8)) }
    }
}

@Suite struct StoreLivenessEdgeTests {
    @Test func freshestHeartbeatWinsAndNeverSeenIsItsOwnCase() throws {
        // last_heartbeat (ns) newer than last_heartbeat_ts: the newer one counts.
        let json = #"{"store":{"id":2,"last_heartbeat":1749542399000000000,"state_name":"Up"},"status":{"capacity":"0B","available":"0B","used_size":"0B","last_heartbeat_ts":"2025-06-10T07:00:00+08:00"}}"#
        let s = try JSONDecoder().decode(StoreInfo.self, from: Data(json.utf8))
        #expect(s.status.lastHeartbeatTS.map { Int($0.utcOffsetSeconds) } == 28_800)
        #expect(s.liveness(now: GoTime(seconds: 1_749_542_400)) == .alive)
        let fresh = #"{"store":{"id":3,"state_name":"Up"},"status":{"capacity":"0B","available":"0B","used_size":"0B"}}"#
        let never = try JSONDecoder().decode(StoreInfo.self, from: Data(fresh.utf8))
        #expect(never.liveness(now: GoTime(seconds: 1_749_542_400)) == .neverSeen)
    }
}
