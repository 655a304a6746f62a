import Foundation
import Testing
import PDWire
import Reconcilers
import TiKVSimulator
import TestSupport
@testable import PDClient
@testable import TiKVObservation

/// The observer against a simulated PD leader failover: three members on their own listeners, the observer given
/// every member's URL, time moved on the simulator's virtual clock.
@Suite struct PDFailoverObservationTests {
    @Test func failoverIsDegradedThenFollowedAndEmptyChecksAreNotTakenAsHealthy() async throws {
        let cluster = SimulatedCluster.generated(stores: 4, regions: 300, seed: 5)
        cluster.advance(seconds: 20)
        let server = try SimulatorServer(cluster: cluster, host: "127.0.0.1", port: 0)
        _ = try await server.start()
        try await withServer(server) { server in
            let urls = server.memberPorts.map { "http://127.0.0.1:\($0.port)" }
            let observer = ClusterObserver(pd: PDEndpoint(urls: urls, timeout: .seconds(30)), prometheus: nil,
                                           transport: CurlTransport(), retry: RetryBackoff(maxAttempts: 1))
            let before = await observer.observe(cluster: "a", regions: .none, now: cluster.now)
            #expect(before.sources[.regionChecks] == .complete && before.sources[.members] == .complete)

            // During the election every member answers 503: a degraded observation, not an empty complete one.
            _ = try cluster.withState { try $0.inject(Fault(kind: .pdLeaderChange)) }
            let during = await observer.observe(cluster: "a", regions: .none, now: cluster.now)
            #expect(!during.isComplete)
            #expect(during.sources[.regionChecks]?.isComplete == false)
            #expect(during.sources[.stores]?.isComplete == false)

            // A new leader: the client follows it, and the empty region statistics are marked partial, with the reason.
            cluster.advance(seconds: 3)
            let after = await observer.observe(cluster: "a", regions: .none, now: cluster.now)
            let leader = after.members.first(where: \.isLeader)
            #expect(leader?.name == cluster.withState { $0.leaderName } && leader?.name != "sim-pd-0")
            #expect(after.sources[.stores] == .complete)
            guard case .partial(let why)? = after.sources[.regionChecks] else {
                Issue.record("region checks right after a failover: \(String(describing: after.sources[.regionChecks]))")
                return
            }
            #expect(why.contains("PD leader changed"))

            // One region-heartbeat interval later PD has heard every region again: complete.
            cluster.advance(seconds: 61)
            let settled = await observer.observe(cluster: "a", regions: .none, now: cluster.now)
            #expect(settled.sources[.regionChecks] == .complete)
        }
    }
}
