import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TiKVSimulator

extension SimulatorServer: StoppableService {}

/// A simulated cluster served over real HTTP on 127.0.0.1 with a kernel-chosen port. Time moves only when a test
/// advances the cluster (or posts to `/sim/v1/clock/advance`).
public struct LoopbackSimulator: StoppableService {
    public let cluster: SimulatedCluster
    public let server: SimulatorServer
    public let port: Int

    public var url: String { "http://127.0.0.1:\(port)" }

    /// `port` is one of `server`'s listeners (a PD member's, when it serves several).
    public init(cluster: SimulatedCluster, server: SimulatorServer, port: Int) {
        self.cluster = cluster
        self.server = server
        self.port = port
    }

    /// The simulator's own clock: heartbeat ages are judged against it.
    public var now: Date { Date(timeIntervalSince1970: Double(cluster.nowNanos) / 1e9) }

    /// `advertise: false` keeps the members' built client URLs (the byte-exact fixtures name them).
    public static func start(_ cluster: SimulatedCluster, advertise: Bool = true) async throws -> LoopbackSimulator {
        let server = try SimulatorServer(cluster: cluster, host: "127.0.0.1", port: 0, advertiseListeners: advertise)
        return LoopbackSimulator(cluster: cluster, server: server, port: try await server.start())
    }

    public func stop() async { await server.stop() }

    /// One request over URLSession: status, body and content type.
    public func request(_ method: String, _ path: String, body: String? = nil) async throws -> (Int, String, String) {
        guard let target = URL(string: url + path) else { throw URLError(.badURL) }
        var req = URLRequest(url: target)
        req.httpMethod = method
        if let body { req.httpBody = Data(body.utf8) }
        let (data, resp) = try await URLSession.shared.data(for: req)
        let http = resp as? HTTPURLResponse
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), http?.value(forHTTPHeaderField: "Content-Type") ?? "")
    }
}

/// Runs `body` against `cluster` served on loopback, and stops the server when the body returns or throws.
@discardableResult
public func withSimulator<Result>(
    _ cluster: SimulatedCluster, advertise: Bool = true, isolation: isolated (any Actor)? = #isolation,
    _ body: (LoopbackSimulator) async throws -> Result
) async throws -> Result {
    try await withServer(try await LoopbackSimulator.start(cluster, advertise: advertise), body)
}
