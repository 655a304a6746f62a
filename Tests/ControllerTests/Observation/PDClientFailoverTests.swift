import Foundation
import Testing
import FlyingFox
import Reconcilers
import TestSupport
@testable import PDClient

/// Several PD members: the client follows the leader and fails over across members.
@Suite struct PDClientFailoverTests {
    static func follower503(log: RequestLog) async throws -> LoopbackServer {
        try await LoopbackServer.start { request in
            _ = await log.record(request)
            return Reply.text("[PD:apiutil:ErrRedirectNoLeader]redirect finds no leader\n", status: 503)
        }
    }

    @Test func failsOverPastRefusedAndFollowerToHealthyMember() async throws {
        let refused = try await LoopbackServer.refusingURL()
        let followerLog = RequestLog(), healthyLog = RequestLog()
        let follower = try await Self.follower503(log: followerLog)
        let healthy = try await FakePD.start(log: healthyLog)
        try await withServers([follower, healthy]) { _ in
            let pd = FakePD.client([refused, follower.url, healthy.url])
            #expect(try await pd.stores().count == 3)
            #expect(await followerLog.count("/pd/api/v1/stores") == 1)
            #expect(await healthyLog.count("/pd/api/v1/stores") == 1)
            // The member that answered is tried first next time.
            #expect(await pd.lastGoodURL == healthy.url)
            _ = try await pd.members()
            #expect(await followerLog.count("/pd/api/v1/members") == 0)
        }
    }

    @Test func followsTheLeaderReportedByLeaderEndpoint() async throws {
        let aLog = RequestLog(), bLog = RequestLog()
        let b = try await FakePD.start(log: bLog)
        let bURL = b.url
        // Member A is a follower that knows B leads.
        let a = try await FakePD.start(log: aLog, leaderURL: { bURL })
        try await withServers([a, b]) { _ in
            let pd = FakePD.client([a.url, b.url], followLeader: true)
            _ = try await pd.stores()
            #expect(await pd.leaderURL == bURL)
            #expect(await aLog.paths() == ["/pd/api/v1/leader"])
            #expect(await bLog.count("/pd/api/v1/stores") == 1)
        }
    }

    @Test func leaderDiesThenTheNextMemberServes() async throws {
        let aLog = RequestLog(), bLog = RequestLog()
        let b = try await FakePD.start(log: bLog)
        let bURL = b.url
        let a = try await FakePD.start(log: aLog, leaderURL: { bURL })
        try await withServer(a) { a in
            let pd = FakePD.client([a.url, b.url], followLeader: true)
            _ = try await pd.members()
            #expect(await bLog.count("/pd/api/v1/members") == 1)

            await b.stop()   // the leader goes away: connection refused
            #expect(try await pd.members().clusterID == 7_512_310_118_539_536_325)
            #expect(await aLog.count("/pd/api/v1/members") == 1)
        }
    }

    @Test func everyMemberDownReportsEachFailure() async throws {
        let r1 = try await LoopbackServer.refusingURL(port: 1), r2 = try await LoopbackServer.refusingURL(port: 2)
        let followerLog = RequestLog()
        let follower = try await Self.follower503(log: followerLog)
        try await withServer(follower) { follower in
            do throws(PDError) {
                _ = try await FakePD.client([r1, follower.url, r2]).stores()
                Issue.record("succeeded with no healthy member")
            } catch {
                #expect(error.kind == .allMembersFailed)
                #expect(error.attempts.map(\.kind) == [.connectionRefused, .noLeader, .connectionRefused])
            }
        }
    }

    @Test func idempotentReadsAreRetriedWithBackoff() async throws {
        let log = RequestLog()
        let flaky = try await LoopbackServer.start { request in
            let seen = await log.record(request)
            // Two failures, then success.
            if await log.count(seen.path) < 3 { return Reply.json("\"[PD:etcd:ErrEtcdTxn]etcd transaction failed\"", status: 500) }
            return try FakePD.answer(seen)
        }
        try await withServer(flaky) { flaky throws in
            let pd = FakePD.client([flaky.url], retry: RetryBackoff(maxAttempts: 3, base: .milliseconds(10), cap: .milliseconds(50)))
            #expect(try await pd.members().clusterID == 7_512_310_118_539_536_325)
            #expect(await log.count("/pd/api/v1/members") == 3)
        }
    }

    @Test func mutationsAreNeverRetried() async throws {
        let log = RequestLog()
        let server = try await LoopbackServer.start { request in
            _ = await log.record(request)
            return Reply.json("\"[PD:etcd:ErrEtcdTxn]etcd transaction failed\"", status: 500)
        }
        try await withServer(server) { server in
            let pd = FakePD.client([server.url], retry: RetryBackoff(maxAttempts: 5, base: .milliseconds(1), cap: .milliseconds(2)))
            await #expect(throws: PDError.self) { try await pd.send(PDClientMutationTests.transferLeader) }
            #expect(await log.count("/pd/api/v1/operators") == 1)
        }
    }

    @Test func mutationMovesOnOnlyWhenItNeverLeft() async throws {
        let refused = try await LoopbackServer.refusingURL()
        let slowLog = RequestLog(), goodLog = RequestLog()
        let good = try await LoopbackServer.start { request in
            _ = await goodLog.record(request)
            return try Reply.fixture("ok_operator_create.json")
        }
        try await withServer(good) { good in
            // Refused: the request never left, so the next member gets it.
            let pd = FakePD.client([refused, good.url])
            #expect(try await pd.send(PDClientMutationTests.transferLeader) == "The operator is created.")
            #expect(await goodLog.count("/pd/api/v1/operators") == 1)

            // A timeout may have reached PD: never resend.
            let slow = try await LoopbackServer.start { request in
                _ = await slowLog.record(request)
                try await Task.sleep(for: .seconds(30))
                return try Reply.fixture("ok_operator_create.json")
            }
            try await withServer(slow) { slow in
                let limits = HTTPLimits(responseHeaderTimeout: .milliseconds(300), deadline: .seconds(5))
                let pd2 = FakePD.client([slow.url, good.url], limits: limits)
                do throws(PDError) { _ = try await pd2.send(PDClientMutationTests.transferLeader); Issue.record("no timeout") } catch {
                    #expect(error.kind == .responseTimeout)
                }
                #expect(await goodLog.count("/pd/api/v1/operators") == 1)
            }
        }
    }
}
