import Foundation
import FlyingFox
import Testing
import Reconcilers
import TiKVSimulator
import TestSupport
@testable import PDClient
@testable import TiKVObservation

/// Answers no real PD or TiKV gives, from hostile loopback servers: the source is partial with the reason, never a
/// complete observation, and the values concerned are unknown.
@Suite struct ImplausibleObservationTests {
    /// PD's fixture members, with `/stores` answering a negative leader count and store 4 listed twice.
    @Test func negativeCountsAndAStoreListedTwiceMakeTheStoresPartial() async throws {
        var stores = String(decoding: try PDFixtures.data("stores.json"), as: UTF8.self)
        let first = try #require(stores.range(of: #""leader_count": 2"#))
        stores.replaceSubrange(first, with: #""leader_count": -5"#)
        let region = try #require(stores.range(of: #""region_count": 6"#))
        stores.replaceSubrange(region, with: #""region_count": -1"#)
        // The second entry (store 4) again at the end of the list.
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(stores.utf8)) as? [String: Any])
        let list = try #require(entries["stores"] as? [Any])
        let store4 = String(decoding: try JSONSerialization.data(withJSONObject: list[1]), as: UTF8.self)
        let end = try #require(stores.range(of: "]", options: .backwards))
        stores.replaceSubrange(end, with: ", " + store4 + "]")
        let hostile = stores
        let log = RequestLog()
        let pd = try await LoopbackServer.start { request in
            let seen = await log.record(request)
            if seen.path == "/pd/api/v1/stores" { return Reply.json(hostile) }
            return try FakePD.answer(seen)
        }
        try await withServer(pd) { pd in
            let observer = ClusterObserver(pd: PDEndpoint(urls: [pd.url.absoluteString], timeout: .seconds(30)), prometheus: nil,
                                           retry: RetryBackoff(maxAttempts: 1), followLeader: false)
            let snap = await observer.observe(cluster: "a", regions: .none, now: Date())

            #expect(snap.state(of: .stores) == .partial(
                "implausible: store 1: leader_count -5 is negative, store 1: region_count -1 is negative, store 4 listed more than once"))
            #expect(!snap.isComplete && !snap.hasStores)
            #expect(snap.stores.map(\.id) == [1, 4, 5])
            // What the cluster's status says: not observed, with the reason.
            #expect(snap.incompleteReasons.contains { $0.hasPrefix("stores: Partial (implausible: store 1: leader_count -5") })
        }
    }

    /// The simulator as PD, and a Prometheus that answers two p99 series for store 1, a negative p99 for store 4, an
    /// infinite QPS and an `up` of 2 for store 5.
    @Test func impossibleMetricReadingsAreUnknownAndTheSourcePartial() async throws {
        try await withSimulator(.fixtureClusterA()) { sim in
            let addresses = await sim.observer().observe(cluster: "a", regions: .none, now: sim.now).stores
                .reduce(into: [UInt64: String]()) { $0[$1.id] = $1.statusAddress }
            let (s1, s4, s5) = (try #require(addresses[1]), try #require(addresses[4]), try #require(addresses[5]))
            let at = sim.now.timeIntervalSince1970
            @Sendable func vector(_ series: [(String, String)]) -> String {
                let result = series.map { #"{"metric":{"instance":"\#($0.0)","job":"tikv"},"value":[\#(at),"\#($0.1)"]}"# }
                return #"{"status":"success","data":{"resultType":"vector","result":[\#(result.joined(separator: ","))]}}"#
            }
            let prometheus = try await LoopbackServer.start { request in
                let form = String(decoding: (try? await request.bodyData) ?? Data(), as: UTF8.self)
                let query = (form.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? form)
                if query.contains("histogram_quantile") { return Reply.json(vector([(s1, "0.01"), (s1, "0.9"), (s4, "-0.5"), (s5, "0.01")])) }
                if query.contains("tikv_grpc_msg_duration_seconds_count") { return Reply.json(vector([(s1, "100"), (s4, "100"), (s5, "+Inf")])) }
                if query.contains("write_stall") { return Reply.json(vector([(s1, "0"), (s4, "0"), (s5, "0")])) }
                if query.contains("timestamp(") { return Reply.json(vector([(s1, "\(at)"), (s4, "\(at)"), (s5, "\(at)")])) }
                return Reply.json(vector([(s1, "1"), (s4, "1"), (s5, "2")]))
            }
            try await withServer(prometheus) { prometheus in
                let snap = await sim.observer(prometheus: prometheus.url.absoluteString).observe(cluster: "a", regions: .none, now: sim.now)

                #expect(snap.state(of: .metrics) == .partial("implausible readings (unknown): store 1: 2 series of p99 latency, "
                    + "store 4: p99 latency -0.5 is impossible, store 5: up 2.0 is impossible, store 5: qps inf is impossible"))
                let (m1, m4, m5) = (try #require(snap.store(1)?.metrics), try #require(snap.store(4)?.metrics), try #require(snap.store(5)?.metrics))
                #expect(!m1.p99Latency.isKnown && m1.qps == .value(100))
                #expect(!m4.p99Latency.isKnown && m4.up == .value(1))
                #expect(!m5.up.isKnown && !m5.qps.isKnown && m5.writeStall == .value(0))
            }
        }
    }
}
