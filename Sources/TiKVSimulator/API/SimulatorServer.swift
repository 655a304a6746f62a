import FlyingFox
import FlyingSocks
import Foundation
import PDWire

/// Serves a `SimulatedCluster` over HTTP: the PD API, `/metrics` and `/sim/v1`.
public final class SimulatorServer: Sendable {
    public let cluster: SimulatedCluster
    private let server: HTTPServer

    public init(cluster: SimulatedCluster, host: String = "127.0.0.1", port: Int = 0) throws {
        self.cluster = cluster
        let router = PDRouter(cluster: cluster)
        // FlyingFox answers 500 with an empty body when a handler takes longer than its timeout (15 s by default);
        // PD has no such limit, so a slow answer here stays slow rather than turning into a made-up error.
        server = HTTPServer(address: try .inet(ip4: host, port: UInt16(clamping: port)), timeout: Self.handlerTimeoutSeconds,
                            logger: .disabled, handler: RouterHandler(router: router))
    }

    /// Starts listening and returns the bound port.
    public func start() async throws -> Int {
        let s = server
        Task { try? await s.run() }
        try await server.waitUntilListening(timeout: 10)
        if case .ip4(_, let port)? = await server.listeningAddress { return Int(port) }
        return 0
    }

    public func stop() async { await server.stop(timeout: 1) }

    static let handlerTimeoutSeconds: TimeInterval = 600
}

struct RouterHandler: HTTPHandler {
    let router: PDRouter

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = try await request.bodyData
        let req = PDRouter.Request(method: request.method.rawValue, path: request.path,
                                   query: request.query.map { ($0.name, $0.value) }, body: Array(body))
        let reply = router.handle(req)
        var headers: HTTPHeaders = [:]
        headers[HTTPHeader("Content-Type")] = reply.contentType
        // Go's net/http dates every answer with the server's clock: PD's, not the client's.
        headers[HTTPHeader("Date")] = HTTPDate(unixSeconds: router.cluster.nowNanos / ClusterState.second).text
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
