import Foundation
import Synchronization

/// Wraps a transport and counts what passes through it: requests, response body bytes, and the
/// paths asked for. The observation benchmark reports these, and tests use them to prove that a
/// steady-state pass downloads no region list.
package final class CountingTransport: HTTPTransport {
    package struct Totals: Sendable, Hashable {
        package var requests = 0
        package var bodyBytes = 0
        /// Request paths (with query), in order of sending.
        package var paths: [String] = []
    }

    private let inner: any HTTPTransport
    private let totals = SharedTotals()

    package init(_ inner: any HTTPTransport = CurlTransport()) { self.inner = inner }

    package var snapshot: Totals { totals.withLock { $0 } }

    package func reset() { totals.withLock { $0 = Totals() } }

    package func stream(_ request: HTTPRequest, limits: HTTPLimits) async throws(TransportError) -> HTTPStreamingResponse {
        var path = request.url.path
        if let q = request.url.query { path += "?" + q }
        totals.withLock {
            $0.requests += 1
            $0.paths.append(path)
        }
        let response = try await inner.stream(request, limits: limits)
        // Pulled chunk by chunk as the consumer asks, so the inner transport's backpressure holds; when the
        // consumer drops this stream, the inner body goes with it and the transfer stops.
        let source = PulledBody(response.body)
        let totals = self.totals
        let body = AsyncThrowingStream<Data, any Error> {
            let chunk = try await source.next()
            if let chunk { totals.withLock { $0.bodyBytes += chunk.count } }
            return chunk
        }
        return HTTPStreamingResponse(head: response.head, body: body)
    }
}

/// The counters, shared with the body streams a `CountingTransport` hands out.
private final class SharedTotals: Sendable {
    private let totals = Mutex(CountingTransport.Totals())
    func withLock<R>(_ body: (inout CountingTransport.Totals) -> R) -> R { totals.withLock { body(&$0) } }
}
