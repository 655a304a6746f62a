import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Reconcilers

/// One HTTP exchange to send.
package struct HTTPRequest: Sendable {
    package var method: String
    package var url: URL
    var headers: [String: String]
    var body: Data?
    /// For https: the CA and client certificate (nil: the system's CAs, no client certificate).
    /// Only `CurlTransport` reads it.
    var tls: TLSFiles?

    package init(method: String = "GET", url: URL, headers: [String: String] = [:], body: Data? = nil, tls: TLSFiles? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.tls = tls
    }
}

/// Bounds on one exchange, so a dead or hostile server can never hang or flood the controller.
/// Each timeout bounds one thing and fails with the `TransportError.Kind` of the same name.
package struct HTTPLimits: Sendable, Hashable {
    /// DNS, TCP and the TLS handshake: no connection by then fails with `.connectTimeout`.
    var connectTimeout: Duration
    /// From the start until the response head is complete (connection set-up plus the server's think
    /// time): past it the exchange fails with `.responseTimeout`.
    var responseHeaderTimeout: Duration
    /// The whole exchange, body included: past it the exchange fails with `.requestTimeout`.
    var deadline: Duration
    /// Slower than `lowSpeedBytesPerSecond` for `lowSpeedWindow` (whole seconds, at least one) fails with
    /// `.stalled`: a server trickling its answer (slowloris) is cut off long before `deadline`. A transfer
    /// paused because its consumer is busy is not slow. The window is never shorter than `responseHeaderTimeout`
    /// (the speed is measured from the start, think time included).
    var lowSpeedBytesPerSecond: Int
    var lowSpeedWindow: Duration
    /// A body larger than this is abandoned with `.bodyTooLarge`.
    var maxBodyBytes: Int

    package init(connectTimeout: Duration? = nil, responseHeaderTimeout: Duration = .seconds(5), deadline: Duration = .seconds(30),
         lowSpeedBytesPerSecond: Int = 1024, lowSpeedWindow: Duration = .seconds(30), maxBodyBytes: Int = 16 << 20) {
        self.connectTimeout = connectTimeout ?? min(.seconds(5), responseHeaderTimeout)
        self.responseHeaderTimeout = responseHeaderTimeout
        self.deadline = deadline
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedWindow = lowSpeedWindow
        self.maxBodyBytes = maxBodyBytes
    }
}

package struct HTTPResponseHead: Sendable, Hashable {
    package var status: Int
    /// Header names lower-cased.
    var headers: [String: String]

    package func header(_ name: String) -> String? { headers[name.lowercased()] }
}

package struct HTTPResponse: Sendable {
    package var head: HTTPResponseHead
    package var body: Data
}

/// A response whose body arrives in chunks, as the network delivers it.
package struct HTTPStreamingResponse: Sendable {
    package var head: HTTPResponseHead
    /// Chunks in order; the stream throws a `TransportError` if the exchange fails mid-body.
    package var body: AsyncThrowingStream<Data, any Error>

    package init(head: HTTPResponseHead, body: AsyncThrowingStream<Data, any Error>) {
        self.head = head
        self.body = body
    }
}

/// Why an exchange produced no usable HTTP response, and whether the request may have reached the server.
package struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable, Hashable {
        case connectionRefused, dnsFailure
        /// No connection (DNS, TCP, TLS handshake) within `HTTPLimits.connectTimeout`.
        case connectTimeout
        /// No complete response head within `HTTPLimits.responseHeaderTimeout`.
        case responseTimeout
        /// The whole exchange overran `HTTPLimits.deadline`.
        case requestTimeout
        /// Slower than `HTTPLimits.lowSpeedBytesPerSecond` for `lowSpeedWindow`.
        case stalled
        case tls
        /// The connection dropped or was reset mid-exchange.
        case connectionLost
        /// Bytes that are not an HTTP/1.1 response (bad chunk size, too many headers, a bad status line).
        case malformedResponse
        case bodyTooLarge
        case cancelled
        case other
    }

    /// What the client can prove about the request when the exchange failed.
    enum Delivery: String, Sendable, Hashable {
        /// No byte of the request was written to a connection: the server cannot have acted on it, so
        /// even a mutation may go to another member.
        case notSent
        /// Some or all of it was written: a mutation may have been applied.
        case maybeSent
    }

    package var kind: Kind
    var detail: String
    var delivery: Delivery

    init(_ kind: Kind, _ detail: String, delivery: Delivery) {
        self.kind = kind
        self.detail = detail
        self.delivery = delivery
    }

    package var description: String {
        let what: String
        switch kind {
        case .connectionRefused: what = "connection refused"
        case .dnsFailure: what = "DNS lookup failed"
        case .connectTimeout: what = "connect timeout"
        case .responseTimeout: what = "no response head in time"
        case .requestTimeout: what = "request did not complete in time"
        case .stalled: what = "transfer stalled"
        case .tls: what = "TLS failure"
        case .connectionLost: what = "connection lost"
        case .malformedResponse: what = "malformed HTTP response"
        case .bodyTooLarge: what = "response body too large"
        case .cancelled: what = "request cancelled"
        case .other: what = "transport error"
        }
        let sent = delivery == .notSent ? " (request not sent)" : ""
        return detail.isEmpty ? what + sent : "\(what): \(detail)\(sent)"
    }

    /// True when the request certainly never reached a server, so resending it elsewhere is safe
    /// even for a mutation.
    var requestNeverSent: Bool { delivery == .notSent }

    static func cancelled(delivery: Delivery) -> TransportError { TransportError(.cancelled, "", delivery: delivery) }
}

/// The seam between the clients and the network; tests may substitute their own.
package protocol HTTPTransport: Sendable {
    func stream(_ request: HTTPRequest, limits: HTTPLimits) async throws(TransportError) -> HTTPStreamingResponse
}

extension HTTPTransport {
    /// Sends and collects the whole body (bounded by `limits.maxBodyBytes`).
    package func send(_ request: HTTPRequest, limits: HTTPLimits) async throws(TransportError) -> HTTPResponse {
        let response = try await stream(request, limits: limits)
        var body = Data()
        do {
            for try await chunk in response.body {
                body.append(chunk)
            }
        } catch let e as TransportError {
            throw e
        } catch {
            throw TransportError(.other, String(describing: error), delivery: .maybeSent)
        }
        return HTTPResponse(head: response.head, body: body)
    }
}

/// A response body's iterator behind a reference, so a wrapper can pull it from an
/// `AsyncThrowingStream(unfolding:)` closure: one consumer at a time pulls (an `AsyncThrowingStream`
/// iterator is never shared), which is what makes the unchecked Sendable sound. Pulling on demand
/// keeps the transport's backpressure: nothing is read ahead of the consumer.
final class PulledBody: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<Data, any Error>.AsyncIterator

    init(_ body: AsyncThrowingStream<Data, any Error>) { iterator = body.makeAsyncIterator() }

    func next() async throws -> Data? { try await iterator.next() }
}
