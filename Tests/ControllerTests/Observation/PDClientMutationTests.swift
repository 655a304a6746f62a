import Foundation
import Testing
import FlyingFox
@testable import Controller
@testable import PDClient

/// The executor's PD calls: exact method, path, query and body.
@Suite struct PDClientMutationTests {
    static func okServer(log: RequestLog) async throws -> LoopbackServer {
        try await LoopbackServer.start { request in
            _ = await log.record(request)
            return Reply.json("\"ok.\"\n")
        }
    }

    static func json(_ d: Data) -> [String: Double] {
        (try? JSONSerialization.jsonObject(with: d) as? [String: Any])?.compactMapValues { ($0 as? NSNumber)?.doubleValue } ?? [:]
    }

    static func name(_ d: Data) -> String? {
        (try? JSONSerialization.jsonObject(with: d) as? [String: Any])?["name"] as? String
    }

    @Test func operatorsAndSchedulers() async throws {
        let log = RequestLog()
        let server = try await Self.okServer(log: log)
        defer { Task { await server.stop() } }
        let pd = FakePD.client([server.url])
        #expect(try await pd.createOperator(.transferLeader(regionID: 24, toStoreID: 1)) == "ok.")
        try await pd.createOperator(.transferPeer(regionID: 24, fromStoreID: 5, toStoreID: 6))
        try await pd.createOperator(.addPeer(regionID: 24, storeID: 6))
        try await pd.createOperator(.removePeer(regionID: 24, storeID: 5))
        try await pd.cancelOperator(regionID: 24)
        try await pd.addEvictLeader(storeID: 4)
        try await pd.removeEvictLeader(storeID: 4)
        try await pd.removeScheduler(named: "evict-leader-scheduler")
        try await pd.pauseScheduler(named: "balance-region-scheduler", forSeconds: 3600)
        try await pd.resumeScheduler(named: "balance-region-scheduler")

        let r = await log.requests
        #expect(r.map { "\($0.method) \($0.path)" } == [
            "POST /pd/api/v1/operators", "POST /pd/api/v1/operators", "POST /pd/api/v1/operators", "POST /pd/api/v1/operators",
            "DELETE /pd/api/v1/operators/24", "POST /pd/api/v1/schedulers",
            "DELETE /pd/api/v1/schedulers/evict-leader-scheduler-4", "DELETE /pd/api/v1/schedulers/evict-leader-scheduler",
            "POST /pd/api/v1/schedulers/balance-region-scheduler", "POST /pd/api/v1/schedulers/balance-region-scheduler",
        ])
        #expect(String(decoding: r[0].body, as: UTF8.self) == #"{"name":"transfer-leader","region_id":24,"to_store_id":1}"#)
        #expect(Self.name(r[1].body) == "transfer-peer" && Self.json(r[1].body) == ["region_id": 24, "from_store_id": 5, "to_store_id": 6])
        #expect(Self.name(r[2].body) == "add-peer" && Self.json(r[2].body) == ["region_id": 24, "store_id": 6])
        #expect(Self.name(r[3].body) == "remove-peer" && Self.json(r[3].body) == ["region_id": 24, "store_id": 5])
        #expect(String(decoding: r[5].body, as: UTF8.self) == #"{"name":"evict-leader-scheduler","store_id":4}"#)
        #expect(Self.json(r[8].body) == ["delay": 3600])
        #expect(Self.json(r[9].body) == ["delay": 0])
        #expect(r.allSatisfy { $0.callerID == "operator" })
    }

    @Test func storeMutationsNeverSendForceUnlessAsked() async throws {
        let log = RequestLog()
        let server = try await Self.okServer(log: log)
        defer { Task { await server.stop() } }
        let pd = FakePD.client([server.url])
        try await pd.deleteStore(5)
        try await pd.setStoreUp(5)
        try await pd.setStoreWeight(5, leader: 0, region: 1.5)
        try await pd.deleteStore(6, force: true)
        let r = await log.requests
        #expect(r[0].method == "DELETE" && r[0].path == "/pd/api/v1/store/5" && r[0].query["force"] == nil)
        #expect(r[1].method == "POST" && r[1].path == "/pd/api/v1/store/5/state" && r[1].first("state") == "Up")
        #expect(r[2].path == "/pd/api/v1/store/5/weight" && Self.json(r[2].body) == ["leader": 0, "region": 1.5])
        #expect(r[3].path == "/pd/api/v1/store/6" && r[3].query["force"] != nil)
    }

    @Test func nullSuccessBodyIsEmptyMessage() async throws {
        let server = try await LoopbackServer.start { _ in Reply.json("null") }
        defer { Task { await server.stop() } }
        #expect(try await FakePD.client([server.url]).removeEvictLeader(storeID: 4) == "")
    }

    @Test func conflictAndTombstoneErrorsAreTyped() async throws {
        let server = try await LoopbackServer.start { request in
            if request.path.hasPrefix("/pd/api/v1/store/") { return try Reply.fixture("error_410_store_removed.json", status: 410) }
            if request.path == "/pd/api/v1/schedulers/evict-leader-scheduler-9" { return Reply.json("null", status: 404) }
            return try Reply.fixture("error_500_add_operator.json", status: 500)
        }
        defer { Task { await server.stop() } }
        let pd = FakePD.client([server.url])
        do { try await pd.createOperator(.transferLeader(regionID: 24, toStoreID: 1)); Issue.record("accepted") } catch {
            #expect(error.kind == .operatorConflict)
            #expect(error.code?.description == "[PD:operator:ErrAddOperator]")
        }
        do { try await pd.deleteStore(9); Issue.record("accepted") } catch { #expect(error.kind == .storeRemoved && error.status == 410) }
        do { try await pd.removeEvictLeader(storeID: 9); Issue.record("accepted") } catch { #expect(error.kind == .notFound) }
    }
}

@Suite struct RetryBackoffTests {
    @Test func growsExponentiallyUpToTheCapWithJitterBelowTheCeiling() {
        let b = RetryBackoff(maxAttempts: 6, base: .milliseconds(100), cap: .seconds(1))
        #expect((0..<6).map { b.ceiling(attempt: $0) } == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1),
        ])
        #expect(b.delay(attempt: 2, random: 0) == .zero)
        #expect(b.delay(attempt: 2, random: 0.5) == .milliseconds(200))
        for attempt in 0..<6 {
            let d = b.delay(attempt: attempt)
            #expect(d >= .zero && d <= b.ceiling(attempt: attempt))
        }
        #expect(RetryBackoff(maxAttempts: 0).maxAttempts == 1)
    }
}
