import Foundation
import Testing
import FlyingFox
import Reconcilers
import TestSupport
@testable import PDClient

/// The executor's PD calls (`send(PDCall)`): exact method, path, query and body; PD's answers and errors.
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

    static let transferLeader = PDCall(method: "POST", path: "/operators", body: #"{"name":"transfer-leader","region_id":24,"to_store_id":1}"#)

    @Test func sendPutsTheCallOnTheWireAsItIs() async throws {
        let log = RequestLog()
        let server = try await Self.okServer(log: log)
        try await withServer(server) { server in
            let pd = FakePD.client([server.url])
            #expect(try await pd.send(Self.transferLeader) == "ok.")
            _ = try await pd.send(PDCall.cancelOperator(region: 24))
            _ = try await pd.send(PDCall(method: "DELETE", path: "/store/5"))
            _ = try await pd.send(PDCall(method: "POST", path: "/store/5/state", query: [("state", "Up")]))
            _ = try await pd.send(PDCall(method: "POST", path: "/store/5/weight", body: #"{"leader":0.0,"region":1.5}"#))

            let r = await log.requests
            #expect(r.map { "\($0.method) \($0.path)" } == [
                "POST /pd/api/v1/operators", "DELETE /pd/api/v1/operators/24", "DELETE /pd/api/v1/store/5",
                "POST /pd/api/v1/store/5/state", "POST /pd/api/v1/store/5/weight",
            ])
            #expect(String(decoding: r[0].body, as: UTF8.self) == #"{"name":"transfer-leader","region_id":24,"to_store_id":1}"#)
            #expect(r[2].query["force"] == nil)
            #expect(r[3].first("state") == "Up")
            #expect(Self.json(r[4].body) == ["leader": 0, "region": 1.5])
            #expect(r.allSatisfy { $0.callerID == "operator" })
        }
    }

    @Test func nullSuccessBodyIsEmptyMessage() async throws {
        let server = try await LoopbackServer.start { _ in Reply.json("null") }
        try await withServer(server) { server throws in
            #expect(try await FakePD.client([server.url]).send(PDCall(method: "DELETE", path: "/schedulers/evict-leader-scheduler-4")) == "")
        }
    }

    @Test func conflictAndTombstoneErrorsAreTyped() async throws {
        let server = try await LoopbackServer.start { request in
            if request.path.hasPrefix("/pd/api/v1/store/") { return try Reply.fixture("error_410_store_removed.json", status: 410) }
            if request.path == "/pd/api/v1/schedulers/evict-leader-scheduler-9" { return Reply.json("null", status: 404) }
            return try Reply.fixture("error_500_add_operator.json", status: 500)
        }
        try await withServer(server) { server in
            let pd = FakePD.client([server.url])
            do throws(PDError) { _ = try await pd.send(Self.transferLeader); Issue.record("accepted") } catch {
                #expect(error.kind == .operatorConflict)
                #expect(error.code?.description == "[PD:operator:ErrAddOperator]")
            }
            do throws(PDError) { _ = try await pd.send(PDCall(method: "DELETE", path: "/store/9")); Issue.record("accepted") } catch {
                #expect(error.kind == .storeRemoved && error.status == 410)
            }
            do throws(PDError) { _ = try await pd.send(PDCall(method: "DELETE", path: "/schedulers/evict-leader-scheduler-9")); Issue.record("accepted") } catch {
                #expect(error.kind == .notFound)
            }
        }
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
