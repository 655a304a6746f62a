import ControllerRuntime
import Foundation
import PDClient

/// Wraps the transport the PD and Prometheus clients share and records every exchange into
/// `OperatorMetrics`: by method, route (ids folded, so the label set stays small) and status code,
/// with the time until the body ended. The clients themselves stay unaware of metrics.
package final class MeteredTransport: HTTPTransport {
    private let inner: any HTTPTransport
    private let metrics: OperatorMetrics

    package init(_ inner: any HTTPTransport = CurlTransport(), metrics: OperatorMetrics) {
        self.inner = inner
        self.metrics = metrics
    }

    package func stream(_ request: HTTPRequest, limits: HTTPLimits) async throws(TransportError) -> HTTPStreamingResponse {
        let path = request.url.path
        let target = path.hasPrefix("/pd/") ? "pd" : "prometheus"
        let route = Self.route(path)
        let started = ContinuousClock.now
        let metrics = self.metrics
        let record: @Sendable (String) -> Void = { code in
            metrics.upstreamRequest(target: target, method: request.method, route: route, code: code,
                                    duration: ContinuousClock.now - started)
        }
        let response: HTTPStreamingResponse
        do {
            response = try await inner.stream(request, limits: limits)
        } catch {
            record(Self.code(error))
            throw error
        }
        let code = String(response.head.status)
        let source = BodySource(response.body.makeAsyncIterator())
        // Recorded once the body ends (or fails), so a streamed region list counts its whole download.
        let body = AsyncThrowingStream<Data, any Error> {
            do {
                let chunk = try await source.next()
                if chunk == nil, source.finish() { record(code) }
                return chunk
            } catch {
                if source.finish() { record((error as? TransportError).map(Self.code) ?? "error") }
                throw error
            }
        }
        return HTTPStreamingResponse(head: response.head, body: body)
    }

    /// `/pd/api/v1/store/4` → `/pd/api/v1/store/{id}`; `evict-leader-scheduler-4` → `evict-leader-scheduler-{id}`.
    static func route(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            if !segment.isEmpty, segment.allSatisfy(\.isNumber) { return "{id}" }
            if let dash = segment.lastIndex(of: "-"), segment.index(after: dash) < segment.endIndex,
               segment[segment.index(after: dash)...].allSatisfy(\.isNumber)
            {
                return segment[...dash] + "{id}"
            }
            return String(segment)
        }.joined(separator: "/")
    }

    /// A transport failure as a `code` label: short and from a fixed set.
    static func code(_ error: TransportError) -> String {
        switch error.kind {
        case .connectionRefused: "connection_refused"
        case .dnsFailure: "dns_failure"
        case .connectTimeout: "connect_timeout"
        case .responseTimeout: "response_timeout"
        case .requestTimeout: "request_timeout"
        case .stalled: "stalled"
        case .tls: "tls"
        case .connectionLost: "connection_lost"
        case .malformedResponse: "malformed_response"
        case .bodyTooLarge: "body_too_large"
        case .cancelled: "cancelled"
        case .other: "error"
        }
    }
}

/// The inner body's iterator, pulled by one consumer at a time, and whether its end was recorded.
private final class BodySource: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<Data, any Error>.AsyncIterator
    private let lock = NSLock()
    private var finished = false

    init(_ iterator: AsyncThrowingStream<Data, any Error>.AsyncIterator) { self.iterator = iterator }

    func next() async throws -> Data? { try await iterator.next() }

    /// True the first time only.
    func finish() -> Bool {
        lock.withLock {
            defer { finished = true }
            return !finished
        }
    }
}
