import Foundation
import Testing
import PDWire
import Reconcilers
import TiKVSimulator
import TestSupport
@testable import PDClient
@testable import TiKVObservation

/// PD's clock is not the controller's: heartbeat ages are judged on PD's clock, learnt from its `Date` header.
@Suite struct PDClockSkewObservationTests {
    @Test(arguments: [-300.0, 300.0])
    func aSkewedPDNeitherKillsNorRevivesAStore(skew: Double) async throws {
        let cluster = SimulatedCluster.generated(stores: 4, regions: 200, seed: 9)
        cluster.advance(seconds: 20)
        var fault = Fault(kind: .clockSkew)
        fault.seconds = skew
        let skewFault = fault
        _ = try cluster.withState { try $0.inject(skewFault) }
        // Store 4 dies: 40 s later it is Disconnected on any clock.
        _ = try cluster.withState { try $0.inject(Fault(kind: .kill, store: 4)) }
        cluster.advance(seconds: 40)
        let server = try SimulatorServer(cluster: cluster, host: "127.0.0.1", port: 0)
        let port = try await server.start()
        try await withServer(server) { server in
            let observer = ClusterObserver(pd: PDEndpoint(urls: ["http://127.0.0.1:\(port)"], timeout: .seconds(30)), prometheus: nil,
                                           transport: CurlTransport(), retry: RetryBackoff(maxAttempts: 1))
            let snapshot = await observer.observe(cluster: "a", regions: .none, now: cluster.now)
            #expect(snapshot.pdClockOffset.map { abs($0 - skew) <= 1.5 } == true, "offset \(String(describing: snapshot.pdClockOffset))")
            #expect(snapshot.stores.filter { $0.id != 4 }.allSatisfy { $0.liveness == .alive }, "\(snapshot.stores.map { ($0.id, $0.liveness) })")
            #expect(snapshot.store(4)?.liveness == .disconnected)
            // Heartbeat times are given on the controller's clock: the live stores heard from within one interval.
            for s in snapshot.stores where s.id != 4 {
                #expect((s.heartbeatAge(at: cluster.now) ?? 99) <= 11, "store \(s.id): \(String(describing: s.heartbeatAge(at: cluster.now)))")
            }
        }
    }
}
