import FlyingFox
import FlyingSocks
import Foundation
import HTTPServing
import PDWire
import Synchronization

/// Serves a `SimulatedCluster` over HTTP: the PD API, `/metrics` and `/sim/v1`, one loopback listener per PD
/// member. Every listener answers as its member (`PDRouter.member`): the leader answers, a follower proxies or
/// refuses as PD's redirector does, and a member that is down (`pd-member-down`) has its listener closed, so a
/// connection is refused until the fault is reverted and the listener reopens on the same port.
public final class SimulatorServer: Sendable {
    public let cluster: SimulatedCluster
    private let host: String
    private let firstPort: Int
    private let advertise: Bool
    /// Tests only: awaited with each request's path before it is answered, to hold a request back or to see
    /// what the client had done when it asked (e.g. that a ticket was written before a region download).
    private let beforeRequest: (@Sendable (String) async -> Void)?
    private let state = Mutex(Listeners())
    private let supervisor = Mutex<Task<Void, Never>?>(nil)

    private struct Listeners: Sendable {
        /// Per member, in `ClusterState.members` order: its name, bound port (0 until bound) and server when open.
        var members: [(name: String, port: Int, server: HTTPServer?)] = []
        var stopped = false
    }

    /// `port` is the first member's; with a fixed port the others try the next ports and fall back to any free
    /// one, with port 0 every member takes a free port. With `advertiseListeners` (the default) each member's
    /// `client_urls` becomes `http://host:port` of its listener, so `/members`, `/leader` and `/health` point at
    /// real listeners; without it the cluster's URLs stay as built (byte-exact fixtures).
    public init(cluster: SimulatedCluster, host: String = "127.0.0.1", port: Int = 0, advertiseListeners: Bool = true,
                beforeRequest: (@Sendable (String) async -> Void)? = nil) throws {
        self.cluster = cluster
        self.host = host
        self.firstPort = port
        self.advertise = advertiseListeners
        self.beforeRequest = beforeRequest
        // Fail early, as before, on an address that cannot be parsed.
        _ = try sockaddr_in.inet(ip4: host, port: UInt16(clamping: port))
    }

    /// Starts every member's listener and returns the port of the leader's (or, with no leader, the first's):
    /// the one address a single-URL client needs.
    public func start() async throws -> Int {
        let names = cluster.withState { $0.members.map(\.name) }
        var bound: [(String, Int, HTTPServer?)] = []
        for (i, name) in (names.isEmpty ? ["pd"] : names).enumerated() {
            let wanted = firstPort == 0 ? 0 : firstPort + i
            let (server, port): (HTTPServer, Int)
            do {
                (server, port) = try await open(member: names.isEmpty ? nil : name, port: wanted)
            } catch where i > 0 && wanted != 0 {
                (server, port) = try await open(member: name, port: 0)
            }
            bound.append((name, port, server))
        }
        let ports = bound.map { ($0.0, $0.1) }
        if advertise {
            cluster.withState { c in
                for (name, port) in ports {
                    if let i = c.members.firstIndex(where: { $0.name == name }) { c.members[i].clientURLs = ["http://\(host):\(port)"] }
                }
            }
        }
        state.withLock { $0.members = bound.map { (name: $0.0, port: $0.1, server: $0.2) } }
        await syncListeners()
        startSupervisor()
        return leaderPort ?? ports.first?.1 ?? 0
    }

    /// Every member's name and port, in member order.
    public var memberPorts: [(name: String, port: Int)] { state.withLock { $0.members.map { (name: $0.name, port: $0.port) } } }

    /// The port of the member currently leading, if any.
    public var leaderPort: Int? {
        let leader = cluster.withState { $0.leaderName }
        return memberPorts.first { $0.name == leader }?.port
    }

    public func stop() async {
        supervisor.withLock { $0?.cancel() }
        let servers = state.withLock { s in
            s.stopped = true
            defer { for i in s.members.indices { s.members[i].server = nil } }
            return s.members.compactMap(\.server)
        }
        for server in servers { await server.stop(timeout: 1) }
    }

    /// Closes the listeners of members that are down and reopens those that came back (on their old port).
    /// The supervisor calls it every 20 ms; tests may call it to act at once.
    public func syncListeners() async {
        let up = cluster.withState { c in Dictionary(c.members.map { ($0.name, $0.up) }, uniquingKeysWith: { a, _ in a }) }
        let members = state.withLock { $0.stopped ? [] : $0.members }
        for (i, m) in members.enumerated() {
            let wantOpen = up[m.name] ?? true
            if let server = m.server, !wantOpen {
                state.withLock { $0.members[i].server = nil }
                await server.stop(timeout: 0)
            } else if m.server == nil, wantOpen, let reopened = try? await open(member: m.name, port: m.port) {
                let keep = state.withLock { s -> Bool in
                    guard !s.stopped else { return false }
                    s.members[i].server = reopened.0
                    return true
                }
                if !keep { await reopened.0.stop(timeout: 0) }
            }
        }
    }

    private func startSupervisor() {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 20_000_000)
                guard let self else { return }
                await self.syncListeners()
            }
        }
        supervisor.withLock { $0 = task }
    }

    private func open(member: String?, port: Int) async throws -> (HTTPServer, Int) {
        let router = PDRouter(cluster: cluster, member: member)
        // FlyingFox answers 500 with an empty body when a handler takes longer than its timeout (15 s by default);
        // PD has no such limit, so a slow answer here stays slow rather than turning into a made-up error.
        let server = HTTPServer(address: try .inet(ip4: host, port: UInt16(clamping: port)), timeout: Self.handlerTimeoutSeconds,
                                logger: .disabled, handler: RouterHandler(router: router, beforeRequest: beforeRequest))
        // A port in use fails at once (`ListenError`: `address already in use: HOST:PORT`).
        return (server, Int(try await server.listen(host: host, port: UInt16(clamping: port))))
    }

    static let handlerTimeoutSeconds: TimeInterval = 600
}

struct RouterHandler: HTTPHandler {
    let router: PDRouter
    var beforeRequest: (@Sendable (String) async -> Void)?

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        await beforeRequest?(request.path)
        let body = try await request.bodyData
        let req = PDRouter.Request(method: request.method.rawValue, path: request.path,
                                   query: request.query.map { ($0.name, $0.value) }, body: Array(body),
                                   headers: request.headers.map { ($0.key.rawValue, $0.value) })
        let reply = router.handle(req)
        var headers: HTTPHeaders = [:]
        headers[HTTPHeader("Content-Type")] = reply.contentType
        // Go's net/http dates every answer with the server's clock: PD's, not the client's.
        let pdNanos = router.cluster.withState { $0.nowNanos + $0.pdClockSkewNanos }
        headers[HTTPHeader("Date")] = HTTPDate(unixSeconds: pdNanos / ClusterState.second).text
        for (k, v) in reply.extraHeaders { headers[HTTPHeader(k)] = v }
        let status = HTTPStatusCode(reply.status, phrase: Self.phrase(reply.status))
        switch reply.body {
        case .bytes(let b):
            return HTTPResponse(statusCode: status, headers: headers, body: Data(b))
        case .stream(let next):
            return HTTPResponse(statusCode: status, headers: headers, body: HTTPBodySequence(from: ChunkSequence(next: next)))
        }
    }

    static func phrase(_ code: Int) -> String {
        switch code {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 410: "Gone"
        case 412: "Precondition Failed"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// Adapts a chunk producer to FlyingSocks' buffered byte sequence, so responses stream as chunked encoding.
struct ChunkSequence: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8
    let next: @Sendable () -> [UInt8]?

    func makeAsyncIterator() -> Iterator { Iterator(next: next) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        let next: @Sendable () -> [UInt8]?
        var buffer: [UInt8] = []
        var index = 0
        var done = false

        mutating func fill() {
            while index >= buffer.count && !done {
                if let b = next() { buffer = b; index = 0 } else { done = true }
            }
        }

        mutating func next() async throws -> UInt8? {
            fill()
            guard index < buffer.count else { return nil }
            defer { index += 1 }
            return buffer[index]
        }

        mutating func nextBuffer(suggested count: Int) async throws -> ArraySlice<UInt8>? {
            fill()
            guard index < buffer.count else { return nil }
            let end = Swift.min(buffer.count, index + Swift.max(1, count))
            defer { index = end }
            return buffer[index..<end]
        }
    }
}
