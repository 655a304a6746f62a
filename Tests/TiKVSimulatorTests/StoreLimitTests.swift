import Foundation
import Testing
import TestSupport
@testable import TiKVSimulator

/// Store limits v1: the endpoints (v8.5.7:server/api/store.go:307-529) and the token buckets
/// (pkg/core/storelimit/store_limit.go) as PD's own tests pin them.
@Suite(.serialized) struct StoreLimitTests {
    func quoted(_ s: String) -> String { JSONValue.string(s).compact() + "\n" }

    @Test func endpointsAnswerWithPDsBodiesAndValidation() async throws {
        let c = SimulatedCluster.generated(stores: 3, regions: 30, seed: 4)
        let live = try await LoopbackSimulator.start(c)
        try await withServer(live) { live in
            func limits() async throws -> [String: [String: Double]] {
                let (status, body, _) = try await live.request("GET", "/pd/api/v1/stores/limit")
                #expect(status == 200)
                return try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: [String: Double]])
            }
            let fifteen = ["add-peer": 15.0, "remove-peer": 15.0]
            #expect(try await limits() == ["1": fifteen, "2": fifteen, "3": fifteen])
            var (status, body): (Int, String) = (0, "")
            let cases: [(String, String, Int, String)] = [
                ("/pd/api/v1/store/1/limit", #"{"type":"add-peer"}"#, 400, quoted("rate unset")),
                ("/pd/api/v1/store/1/limit", #"{"rate":0}"#, 400, quoted("invalid rate which should be larger than 0")),
                ("/pd/api/v1/store/1/limit", #"{"rate":"5"}"#, 400, quoted("invalid rate which should be larger than 0")),
                ("/pd/api/v1/store/1/limit", #"{"rate":5,"type":"bogus"}"#, 400, quoted("unknown type")),
                ("/pd/api/v1/store/1/limit", #"{"rate":5,"type":1}"#, 400, quoted("bad format type")),
                ("/pd/api/v1/store/1/limit?ttlSecond=x", #"{"rate":5}"#, 400, quoted(#"strconv.Atoi: parsing "x": invalid syntax"#)),
                ("/pd/api/v1/store/9/limit", #"{"rate":5}"#, 500, quoted("[PD:core:ErrStoreNotFound]store 9 not found")),
                ("/pd/api/v1/stores/limit", #"{"rate":-1}"#, 400, quoted("invalid rate which should be larger than 0")),
                ("/pd/api/v1/store/1/limit", #"{"rate":5,"type":"remove-peer"}"#, 200, quoted("The store's limit is updated.")),
                ("/pd/api/v1/stores/limit", #"{"rate":7.5,"type":"add-peer"}"#, 200, quoted("Set store limit successfully.")),
            ]
            for (path, payload, want, text) in cases {
                (status, body, _) = try await live.request("POST", path, body: payload)
                #expect(status == want && body == text, "\(path) \(payload)")
            }
            #expect(try await limits() == ["1": ["add-peer": 7.5, "remove-peer": 5], "2": ["add-peer": 7.5, "remove-peer": 15],
                                           "3": ["add-peer": 7.5, "remove-peer": 15]])
            // `store-limit` in the schedule config renders the same rates.
            (status, body, _) = try await live.request("GET", "/pd/api/v1/config/schedule")
            let schedule = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let one = try #require((schedule["store-limit"] as? [String: Any])?["1"] as? [String: Any])
            #expect(one["add-peer"] as? Double == 7.5 && one["remove-peer"] as? Double == 5)
            (status, _, _) = try await live.request("GET", "/pd/api/v1/stores/limit?include_tombstone=maybe")
            #expect(status == 400)
            // v2 refuses both reads and writes.
            try c.withState { s in try s.config.set("schedule.store-limit-version", to: .string("v2")) }
            (status, body, _) = try await live.request("GET", "/pd/api/v1/stores/limit")
            #expect(status == 400 && body == quoted("current store limit version:v2 not support get limit"))
            (status, body, _) = try await live.request("POST", "/pd/api/v1/store/1/limit", body: #"{"rate":5}"#)
            #expect(status == 400 && body == quoted("current store limit version:v2 not support set limit"))
        }
    }

    // server/api/store_test.go TestGetAllLimit: tombstones only with include_tombstone=true.
    @Test func getAllLimitLeavesTombstonesOutByDefault() throws {
        var c = ClusterState.generated(stores: 4, regions: 20, seed: 2)
        c.stores[3].state = .tombstone
        #expect(c.storeLimitRates(includeTombstone: true).map(\.0) == [1, 2, 3, 4])
        #expect(c.storeLimitRates(includeTombstone: false).map(\.0) == [1, 2, 3])
    }

    // server/api/store_test.go TestStoreLimitTTL: a TTL rate wins until it expires.
    @Test func ttlRatesExpire() throws {
        var c = ClusterState.generated(stores: 3, regions: 20, seed: 2)
        try c.setStoreLimit(1, types: [.addPeer], rate: 999, ttlSeconds: 5)
        try c.setStoreLimit(1, types: [.removePeer], rate: 998, ttlSeconds: 5)
        c.setAllStoresLimit(types: [.addPeer], rate: 997, ttlSeconds: 3)
        c.setAllStoresLimit(types: [.removePeer], rate: 996, ttlSeconds: 3)
        // The later all-store TTL overrides store 1's too, as PD's TTL keys do for the stores they name.
        #expect(c.storeLimits.rate(2, .addPeer, now: c.nowNanos) == 997 && c.storeLimits.rate(2, .removePeer, now: c.nowNanos) == 996)
        c.advance(seconds: 5)
        #expect(c.storeLimits.rate(1, .addPeer, now: c.nowNanos) == 15 && c.storeLimits.rate(2, .removePeer, now: c.nowNanos) == 15)
    }

    // pkg/schedule/operator/operator_controller_test.go TestStoreLimit: small regions (cost 200) against a 60/min
    // bucket (burst 1000) admit five operators, the sixth is refused; at 120/min (burst 2000) ten.
    @Test func controllerStoreLimitAdmitsWhatTheBucketHolds() throws {
        var c = ClusterState.generated(stores: 3, regions: 40, seed: 9)
        let regions = c.reported.filter(\.known).prefix(12)
        func op(_ r: RegionRecord, _ step: OpStep) -> SimOperator {
            SimOperator(regionId: r.id, desc: "test", brief: "", kind: [.region], epochVersion: r.version, epochConfVer: r.confVer,
                        sizeMiB: 10, steps: [step], createdAtNanos: c.nowNanos, startAtNanos: c.nowNanos)
        }
        func admitAndRemove(_ o: SimOperator) -> Bool {
            do { try c.admitOperator(o) } catch { return false }
            try? c.cancelOperator(region: o.regionId)
            return true
        }
        for (type, step) in [(StoreLimitTable.LimitType.addPeer, OpStep.addLearner(peerId: 1, store: 2)), (.removePeer, .removePeer(store: 2))] {
            try c.setStoreLimit(2, types: [type], rate: 60, ttlSeconds: 0)
            for r in regions.prefix(5) { #expect(admitAndRemove(op(r, step))) }
            #expect(!admitAndRemove(op(regions.first!, step)))
            try c.setStoreLimit(2, types: [type], rate: 120, ttlSeconds: 0)
            for r in regions.prefix(10) { #expect(admitAndRemove(op(r, step))) }
            c.setAllStoresLimit(types: [type], rate: 60, ttlSeconds: 0)
            for r in regions.prefix(5) { #expect(admitAndRemove(op(r, step))) }
            #expect(!admitAndRemove(op(regions.first!, step)))
        }
    }

    // operator_controller.go:1013-1021, 588-597: Urgent (admin) operators skip the check but take the tokens,
    // and the filter then keeps PD's own producers off the drained store (filters.go:427-434).
    @Test func adminOperatorsConsumeButSkipTheLimit() throws {
        var c = ClusterState.generated(stores: 4, regions: 40, seed: 9)
        try c.setStoreLimit(4, types: [.addPeer], rate: 1, ttlSeconds: 0)
        let i = try #require(c.storeIndex(4))
        #expect(c.storeFilterRefusal(.regionTarget, storeIndex: i) == nil)
        let targets = c.reported.filter { $0.known && $0.peers.index(ofStore: 4) == nil && $0.approximateSizeMiB > 20 }.prefix(2)
        for r in targets { try c.createAdminOperator(.addLearner(region: r.id, store: 4)) }
        #expect(c.operators.count == 2)
        #expect(c.storeFilterRefusal(.regionTarget, storeIndex: i) == .exceedAddLimit)
        // One operator a minute refills 1000 tokens: the store is a target again after 60 s.
        c.advance(seconds: 61)
        #expect(c.storeFilterRefusal(.regionTarget, storeIndex: i) != .exceedAddLimit)
    }

    // cluster.go:1556-1562, 1718-1734: removing a store lifts its remove-peer limit; setting it Up restores it.
    @Test func removingAStoreLiftsItsRemovePeerLimitUntilUp() throws {
        var c = ClusterState.generated(stores: 4, regions: 20, seed: 2)
        try c.setStoreLimit(4, types: [.removePeer], rate: 3, ttlSeconds: 0)
        try c.removeStore(4, force: false)
        #expect(c.storeLimits.rate(4, .removePeer, now: c.nowNanos) == StoreLimitTable.unlimited)
        try c.upStore(4)
        #expect(c.storeLimits.rate(4, .removePeer, now: c.nowNanos) == 3)
    }
}
