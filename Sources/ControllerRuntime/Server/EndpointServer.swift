import FlyingFox
import FlyingSocks
import Foundation
import HTTPServing
import ServiceLifecycle

/// What an endpoint answers: a status and a plain-text (or exposition-format) body.
package struct EndpointResponse: Sendable, Equatable {
    package var status: Int
    package var contentType: String
    package var body: String

    package init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// A small HTTP server (FlyingFox) answering `GET` on a fixed set of paths; anything else is 404.
/// The controller runs two: probes on `--health-probe-bind-address`, metrics on `--metrics-bind-address`.
package final class EndpointServer: Sendable {
    package typealias Route = @Sendable () async -> EndpointResponse

    private let server: HTTPServer
    private let host: String
    private let port: UInt16

    package init(host: String?, port: UInt16, routes: [String: Route]) throws {
        let address: sockaddr_in = if let host { try .inet(ip4: host, port: port) } else { .inet(port: port) }
        server = HTTPServer(address: address, timeout: 10, logger: .disabled, handler: RoutesHandler(routes: routes))
        self.host = host ?? "0.0.0.0"
        self.port = port
    }

    /// Starts listening and returns the bound port (useful with port 0). A port in use fails at once
    /// (`ListenError`: `address already in use: HOST:PORT`).
    package func start() async throws(ListenError) -> Int {
        Int(try await server.listen(host: host, port: port))
    }

    package func stop() async { await server.stop(timeout: 1) }
}

/// In the controller's service group, a server started beforehand (so that a port in use fails the start,
/// before any pass) serves until the group shuts it down, after the manager (services stop in reverse order).
extension EndpointServer: Service {
    package func run() async throws {
        try? await gracefulShutdown()
        await stop()
    }
}

private struct RoutesHandler: HTTPHandler {
    let routes: [String: EndpointServer.Route]

    func handleRequest(_ request: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse {
        guard request.method == .GET || request.method == .HEAD, let route = routes[request.path] else {
            return FlyingFox.HTTPResponse(statusCode: .notFound, body: Data("not found\n".utf8))
        }
        let answer = await route()
        var headers: HTTPHeaders = [:]
        headers[.contentType] = answer.contentType
        let phrase = answer.status == 200 ? "OK" : answer.status == 503 ? "Service Unavailable" : "Status"
        return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(answer.status, phrase: phrase), headers: headers,
                                      body: Data(answer.body.utf8))
    }
}
