import Foundation
import TestSupport
import TiKVSimulator

/// A simulated cluster over loopback HTTP that keeps to the wall clock, as a real cluster does for a real `operator
/// run` process (which judges heartbeat ages by its own clock). Optionally one store died a minute ago, so the
/// controller sees it down at once and its other stores Up and alive.
final class WallClockSimulator: Sendable {
    let cluster: SimulatedCluster
    let server: SimulatorServer
    let port: Int
    private let clock: Task<Void, Never>

    var url: String { "http://127.0.0.1:\(port)" }

    private init(cluster: SimulatedCluster, server: SimulatorServer, port: Int, clock: Task<Void, Never>) {
        self.cluster = cluster
        self.server = server
        self.port = port
        self.clock = clock
    }

    static func wallNanos() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

    static func start(stores: Int = 5, regions: Int = 120, deadStore: UInt64? = nil) async throws -> WallClockSimulator {
        let cluster = SimulatedCluster(.generated(stores: stores, regions: regions, seed: 11, nowNanos: wallNanos() - 60_000_000_000))
        if let deadStore { _ = try cluster.withState { try $0.inject(Fault(kind: .kill, store: deadStore)) } }
        cluster.withState { $0.advance(toNanos: wallNanos()) }
        let server = try SimulatorServer(cluster: cluster)
        let port = try await server.start()
        let clock = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                cluster.withState { $0.advance(toNanos: wallNanos()) }
            }
        }
        return WallClockSimulator(cluster: cluster, server: server, port: port, clock: clock)
    }

    func stop() async {
        clock.cancel()
        await server.stop()
    }
}
