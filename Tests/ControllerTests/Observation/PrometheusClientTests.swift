import Foundation
import Testing
import FlyingFox
import PDWire
import TestSupport
@testable import PDClient
@testable import TiKVObservation

@Suite struct PrometheusClientTests {
    static func serve(_ fixture: String, status: Int = 200, log: RequestLog? = nil) async throws -> LoopbackServer {
        try await LoopbackServer.start { request in
            _ = await log?.record(request)
            return try Reply.fixture("prometheus/\(fixture)", status: status)
        }
    }

    static func client(_ url: URL, method: PrometheusClient.Method = .post) -> PrometheusClient {
        PrometheusClient(baseURL: url, method: method, limits: .patient)
    }

    /// Stores whose client address (`:20160`) differs from the scraped status address (`:20180`).
    static let stores: [MetaStore] = [
        MetaStore(id: 1, address: "10.0.3.11:20160", statusAddress: "10.0.3.11:20180"),
        MetaStore(id: 4, address: "10.0.3.14:20160", statusAddress: "10.0.3.14:20180"),
        MetaStore(id: 5, address: "10.0.3.15:20160", statusAddress: "10.0.3.15:20180"),
        MetaStore(id: 6, address: "10.0.3.16:20160", statusAddress: "10.0.3.16:20180"),
    ]

    @Test func vectorMapsToStoresThroughStatusAddress() async throws {
        let log = RequestLog()
        let server = try await Self.serve("query_vector_leader_count.json", log: log)
        try await withServer(server) { server in
            let prom = Self.client(server.url)
            let q = SimulatorSeriesQueries.tikvLeaderCount(selector: #"job="tikv""#)
            let readings = await prom.storeReadings(q, matcher: StoreSeriesMatcher(stores: Self.stores))
            #expect(readings[1] == .value(3))
            #expect(readings[4] == .value(2))
            #expect(readings[5] == .value(2))
            #expect(readings[6] == .noSeries)          // no series for 10.0.3.16:20180 → unknown, never healthy
            #expect(readings[6]?.isKnown == false)
            #expect(readings.count == 4)               // series of other instances are ignored
            // POST form: the PromQL survives form encoding.
            let seen = try #require(await log.requests.first)
            #expect(seen.method == "POST" && seen.path == "/api/v1/query")
            let form = String(decoding: seen.body, as: UTF8.self)
            #expect(form.contains("query=" + PrometheusClient.formEncode(q.expr)))
            #expect(form.removingPercentEncoding?.contains(#"type="leader""#) == true)
        }
    }

    @Test func clientAddressNeverMatches() {
        let m = StoreSeriesMatcher(stores: Self.stores)
        #expect(m.storeID(for: ["instance": "10.0.3.11:20160"], key: .instance) == nil)
        #expect(m.storeID(for: ["instance": "10.0.3.11:20180"], key: .instance) == 1)
        #expect(m.storeID(for: ["instance": "HTTP://10.0.3.11:20180/"], key: .instance) == 1)
        #expect(m.storeID(for: ["store": "4"], key: .store) == 4)
        #expect(m.storeID(for: ["store": "99"], key: .store) == nil)
    }

    @Test func pdClusterStatusPerStoreShape() async throws {
        let server = try await Self.serve("query_vector_pd_cluster_status.json")
        try await withServer(server) { server in
            let samples = try await Self.client(server.url, method: .get).query(#"pd_cluster_status{type=~"store_.*_count"}"#).vector
            let byStore = Dictionary(grouping: samples, by: { $0.labels["store"] ?? "" }).mapValues { $0.map { $0.labels["type"] ?? "" } }
            #expect(byStore["6"] == ["store_down_count"])
            #expect(byStore["4"] == ["store_disconnected_count"])
            let m = StoreSeriesMatcher(stores: Self.stores)
            let down = m.readings(samples.filter { $0.labels["type"] == "store_down_count" }, key: .store)
            #expect(down[6] == .value(1) && down[1] == .noSeries)
        }
    }

    @Test func olderPdSummedShapeGivesNoPerStoreSeries() {
        // v8.5.4 and earlier: one series per type, no `store` label → every store is unknown.
        let samples = [PromSample(labels: ["type": "store_up_count"], point: PromPoint(time: 1, value: 3))]
        let r = StoreSeriesMatcher(stores: Self.stores).readings(samples, key: .store)
        #expect(r.values.allSatisfy { $0 == .noSeries })
    }

    @Test func sumScalarStringEmptyAndInfos() async throws {
        let sum = try await Self.serve("query_vector_sum.json")
        let scalar = try await Self.serve("query_scalar.json")
        let string = try await Self.serve("query_string.json")
        let empty = try await Self.serve("query_vector_empty.json")
        let infos = try await Self.serve("success_with_infos.json")
        try await withServers([sum, scalar, string, empty, infos]) { _ in
            let total = try await Self.client(sum.url).query(SimulatorSeriesQueries.pdStoreStatusCount(type: "store_up_count").expr)
            #expect(StoreSeriesMatcher.clusterReading(total.vector) == .value(3))
            #expect(try await Self.client(scalar.url).query("0.8").result == .scalar(PromPoint(time: 1_749_542_400.781, value: 0.8)))
            #expect(try await Self.client(string.url).query(#""hello""#).result == .string(time: 1_749_542_400.781, value: "hello"))
            let none = try await Self.client(empty.url).query("up")
            #expect(none.vector.isEmpty)
            #expect(StoreSeriesMatcher.clusterReading(none.vector) == .noSeries)
            let withInfos = try await Self.client(infos.url).query("rate(tikv_store_size_bytes[1m])")
            #expect(withInfos.infos.first?.hasPrefix("PromQL info") == true)
            #expect(withInfos.warnings.isEmpty)
        }
    }

    @Test func matrixWithNaN() async throws {
        let log = RequestLog()
        let server = try await Self.serve("query_range_matrix_grpc_p99.json", log: log)
        try await withServer(server) { server in
            let end = Date(timeIntervalSince1970: 1_749_542_400)
            let r = try await Self.client(server.url, method: .get)
                .queryRange(PromQLCatalogue.grpcP99Latency().expr, start: end.addingTimeInterval(-60), end: end, step: .seconds(30))
            guard case .matrix(let series) = r.result else { Issue.record("not a matrix"); return }
            #expect(series.map { $0.labels["type"] } == ["kv_get", "kv_prewrite", "kv_commit"])
            #expect(series[0].points.map(\.value) == [0.000987, 0.001024, 0.0009215])
            #expect(series[2].points[1].value.isNaN)
            let seen = try #require(await log.requests.first)
            #expect(seen.method == "GET" && seen.path == "/api/v1/query_range")
            #expect(seen.first("step") == "30.0" && seen.first("start") == "1749542340.000" && seen.first("timeout") == "10s")
            #expect(seen.first("query") == PromQLCatalogue.grpcP99Latency().expr)
        }
    }

    @Test func specialValues() {
        #expect(PromValueText.parse("+Inf") == .infinity)
        #expect(PromValueText.parse("-Inf") == -.infinity)
        #expect(PromValueText.parse("NaN")?.isNaN == true)
        #expect(PromValueText.parse("1e-3") == 0.001)
        #expect(PromValueText.parse("fast") == nil)
        let m = StoreSeriesMatcher(stores: Self.stores)
        let r = m.readings([PromSample(labels: ["instance": "10.0.3.11:20180"], point: PromPoint(time: 0, value: .nan))], key: .instance)
        #expect(r[1] == .notANumber && r[1]?.isKnown == false)
    }

    @Test(arguments: [
        ("error_bad_data.json", 400, PrometheusError.Kind.badData, "bad_data", "invalid parameter"),
        ("error_execution.json", 422, .execution, "execution", "found duplicate series"),
        ("error_timeout.json", 503, .timeout, "timeout", "query timed out"),
    ])
    func errorsKeepTypeAndMessage(fixture: String, status: Int, kind: PrometheusError.Kind, type: String, message: String) async throws {
        let server = try await Self.serve(fixture, status: status)
        try await withServer(server) { server in
            do throws(PrometheusError) { _ = try await Self.client(server.url).query("up"); Issue.record("accepted") } catch {
                #expect(error.kind == kind && error.status == status && error.errorType == type)
                #expect(error.message.hasPrefix(message))
            }
        }
    }

    @Test func proxyPagesAndBrokenBodies() async throws {
        let html = try await LoopbackServer.start { _ in Reply.text("<html>502 Bad Gateway</html>", status: 502) }
        let broken = try await LoopbackServer.start { _ in Reply.json(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}"#) }
        let slow = try await LoopbackServer.start { _ in
            try await Task.sleep(for: .seconds(30))
            return Reply.json("{}")
        }
        try await withServers([html, broken, slow]) { _ in
            do throws(PrometheusError) { _ = try await Self.client(html.url).query("up"); Issue.record("accepted") } catch {
                #expect(error.kind == .server && error.status == 502)
            }
            do throws(PrometheusError) { _ = try await Self.client(broken.url).query("up"); Issue.record("accepted") } catch {
                #expect(error.kind == .malformedBody)
            }
            let impatient = PrometheusClient(baseURL: slow.url, limits: HTTPLimits(responseHeaderTimeout: .milliseconds(200), deadline: .seconds(2)))
            do throws(PrometheusError) { _ = try await impatient.query("up"); Issue.record("no timeout") } catch {
                #expect(error.kind == .transport)
            }
            let failed = await impatient.storeReadings(PromQLCatalogue.qps(), matcher: StoreSeriesMatcher(stores: Self.stores))
            #expect(failed.values.allSatisfy { if case .failed = $0 { return true } else { return false } })
        }
    }

    @Test func catalogueCoversEverySignal() {
        let all = [
            PromQLCatalogue.grpcP99Latency(), PromQLCatalogue.qps(), PromQLCatalogue.writeStall(), PromQLCatalogue.tikvUp(),
            PromQLCatalogue.tikvUpScrapeTime(),
        ]
        #expect(Set(all.map(\.name)).count == all.count)
        // TiKV-side series are keyed by instance.
        #expect(all.filter { $0.expr.contains("tikv_") || $0.expr.contains("up{") }.allSatisfy { $0.key == .instance })
        #expect(PromQLCatalogue.qps(selector: #"job="tikv""#).expr == #"sum(rate(tikv_grpc_msg_duration_seconds_count{job="tikv",type!="kv_gc"}[1m])) by (instance)"#)
    }
}
