import Foundation
import FlyingFox
import FlyingSocks
import TestSupport
@testable import PDClient

/// A real HTTP server on 127.0.0.1 with a kernel-chosen port, started and stopped by each test.
final class LoopbackServer: Sendable {
    typealias Handler = @Sendable (FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse

    let server: HTTPServer
    let port: UInt16
    private let task: Task<Void, any Error>

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private init(server: HTTPServer, port: UInt16, task: Task<Void, any Error>) {
        self.server = server
        self.port = port
        self.task = task
    }

    static func start(_ handler: @escaping Handler) async throws -> LoopbackServer {
        let server = HTTPServer(address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0), timeout: 30,
                                logger: .disabled, handler: ClosureHandler(handler))
        let task = Task { try await server.run() }
        try await server.waitUntilListening()
        guard case .ip4(_, let port)? = await server.listeningAddress else {
            task.cancel()
            throw ServerError.noPort
        }
        return LoopbackServer(server: server, port: port, task: task)
    }

    func stop() async {
        await server.stop(timeout: 0)
        task.cancel()
    }

    /// A URL on which nothing listens: a server is started, its port noted, and the server stopped.
    /// A loopback URL nothing listens on. Ports below 1024 are outside the ephemeral range, so no test server
    /// started in parallel can take it (a freed ephemeral port could be reused and answer).
    static func refusingURL(port: Int = 1) async throws -> URL {
        guard (1...1023).contains(port), let url = URL(string: "http://127.0.0.1:\(port)") else { throw ServerError.noPort }
        return url
    }

    enum ServerError: Error { case noPort }
}

extension LoopbackServer: StoppableService {}

private struct ClosureHandler: HTTPHandler {
    let body: LoopbackServer.Handler
    init(_ body: @escaping LoopbackServer.Handler) { self.body = body }
    func handleRequest(_ request: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse { try await body(request) }
}

/// Response builders for PD-shaped answers.
enum Reply {
    static func json(_ body: Data, status: Int = 200, contentType: String = "application/json; charset=UTF-8",
                     headers: [String: String] = [:]) -> FlyingFox.HTTPResponse {
        var h = HTTPHeaders()
        h[HTTPHeader("Content-Type")] = contentType
        for (k, v) in headers { h[HTTPHeader(k)] = v }
        return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(status, phrase: phrase(status)), headers: h, body: body)
    }

    static func json(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> FlyingFox.HTTPResponse {
        json(Data(text.utf8), status: status, headers: headers)
    }

    static func text(_ text: String, status: Int) -> FlyingFox.HTTPResponse {
        json(Data(text.utf8), status: status, contentType: "text/plain; charset=utf-8")
    }

    static func fixture(_ name: String, status: Int = 200, headers: [String: String] = [:]) throws -> FlyingFox.HTTPResponse {
        let isRegion = name.hasPrefix("region") && name != "regions_count.json"
        return json(try PDFixtures.data(name), status: status,
                    contentType: isRegion ? "application/octet-stream" : "application/json; charset=UTF-8", headers: headers)
    }

    private static func phrase(_ s: Int) -> String {
        switch s {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 410: return "Gone"
        case 412: return "Precondition Failed"
        case 422: return "Unprocessable Entity"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

/// A body sequence that hands out chunks with a pause before each, for slow-body tests.
struct SlowBytes: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8
    let chunks: [Data]
    let delay: Duration

    struct AsyncIterator: AsyncBufferedIteratorProtocol {
        var chunks: [Data]
        let delay: Duration
        mutating func next() async throws -> UInt8? { try await nextBuffer(suggested: 1)?.first }
        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
            guard !chunks.isEmpty else { return nil }
            try await Task.sleep(for: delay)
            return Array(chunks.removeFirst())
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: chunks, delay: delay) }
}

extension Reply {
    /// 200 with headers at once and a chunked body that trickles.
    static func streaming(chunks: [Data], delay: Duration) -> FlyingFox.HTTPResponse {
        var h = HTTPHeaders()
        h[HTTPHeader("Content-Type")] = "application/json"
        return FlyingFox.HTTPResponse(statusCode: .ok, headers: h, body: HTTPBodySequence(from: SlowBytes(chunks: chunks, delay: delay)))
    }
}
