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

    init(_ inner: any HTTPTransport = URLSessionTransport()) { self.inner = inner }

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
        // Pulled on demand, so counting adds no buffering: a huge region list still streams.
        let source = ChunkSource(response.body.makeAsyncIterator())
        let body = AsyncThrowingStream<Data, any Error> { [self] in
            let chunk = try await source.next()
            if let chunk { totals.withLock { $0.bodyBytes += chunk.count } }
            return chunk
        }
        return HTTPStreamingResponse(head: response.head, body: body)
    }
}

/// The inner body's iterator, read by one consumer at a time (the stream pulls sequentially).
private final class ChunkSource: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<Data, any Error>.AsyncIterator
    init(_ iterator: AsyncThrowingStream<Data, any Error>.AsyncIterator) { self.iterator = iterator }
    func next() async throws -> Data? { try await iterator.next() }
}
