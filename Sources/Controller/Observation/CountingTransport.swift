import Foundation
import Synchronization

/// Wraps a transport and counts what passes through it: requests, response body bytes, and the
/// paths asked for. The observation benchmark reports these, and tests use them to prove that a
/// steady-state pass downloads no region list.
final class CountingTransport: HTTPTransport {
    struct Totals: Sendable, Hashable {
        var requests = 0
        var bodyBytes = 0
        /// Request paths (with query), in order of sending.
        var paths: [String] = []
    }

    private let inner: any HTTPTransport
    private let totals = Mutex(Totals())

    init(_ inner: any HTTPTransport = SocketHTTPTransport()) { self.inner = inner }

    var snapshot: Totals { totals.withLock { $0 } }

    func reset() { totals.withLock { $0 = Totals() } }

    func stream(_ request: HTTPRequest, limits: HTTPLimits) async throws(TransportError) -> HTTPStreamingResponse {
        var path = request.url.path
        if let q = request.url.query { path += "?" + q }
        totals.withLock {
            $0.requests += 1
            $0.paths.append(path)
        }
        let response = try await inner.stream(request, limits: limits)
        // Relayed chunk by chunk; a consumer that walks away cancels the relay, and with it the inner body.
        let (body, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let relay = Task { [self] in
            do {
                for try await chunk in response.body {
                    totals.withLock { $0.bodyBytes += chunk.count }
                    continuation.yield(chunk)
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in relay.cancel() }
        return HTTPStreamingResponse(head: response.head, body: body)
    }
}

