import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Reconcilers

/// One HTTP exchange to send.
struct HTTPRequest: Sendable {
    var method: String
    var url: URL
    var headers: [String: String]
    var body: Data?
    /// For https: the CA and client certificate (nil: the system's CAs, no client certificate).
    /// Only `SocketHTTPTransport` reads it.
    var tls: TLSFiles?

    init(method: String = "GET", url: URL, headers: [String: String] = [:], body: Data? = nil, tls: TLSFiles? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.tls = tls
    }
}

/// Bounds on one exchange, so a dead or hostile server can never hang or flood the controller.
struct HTTPLimits: Sendable, Hashable {
    /// Connection set-up plus the server's think time: no response headers by then fails with `.connectTimeout`.
    var responseHeaderTimeout: Duration
    /// The whole exchange, body included: past it the exchange fails with `.requestTimeout`.
    var deadline: Duration
    /// A body larger than this is abandoned with `.bodyTooLarge`.
    var maxBodyBytes: Int

    init(responseHeaderTimeout: Duration = .seconds(5), deadline: Duration = .seconds(30), maxBodyBytes: Int = 16 << 20) {
        self.responseHeaderTimeout = responseHeaderTimeout
        self.deadline = deadline
        self.maxBodyBytes = maxBodyBytes
    }
}

struct HTTPResponseHead: Sendable, Hashable {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

struct HTTPResponse: Sendable {
    var head: HTTPResponseHead
    var body: Data
}

/// A response whose body arrives in chunks, as the network delivers it.
struct HTTPStreamingResponse: Sendable {
    var head: HTTPResponseHead
    /// Chunks in order; the stream throws a `TransportError` if the exchange fails mid-body.
    var body: AsyncThrowingStream<Data, any Error>
}

/// Why an exchange produced no usable HTTP response.
enum TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    case connectionRefused(String)
    case dnsFailure(String)
    /// No response headers within `responseHeaderTimeout`.
    case connectTimeout(Duration)
    /// The whole exchange overran `deadline`.
    case requestTimeout(Duration)
    case tls(String)
    /// The connection dropped mid-exchange.
    case connectionLost(String)
    case bodyTooLarge(limit: Int)
    case cancelled
    case other(String)

    var description: String {
        switch self {
        case .connectionRefused(let m): return "connection refused: \(m)"
        case .dnsFailure(let m): return "DNS lookup failed: \(m)"
        case .connectTimeout(let d): return "no response headers within \(d)"
        case .requestTimeout(let d): return "request did not complete within \(d)"
        case .tls(let m): return "TLS failure: \(m)"
        case .connectionLost(let m): return "connection lost: \(m)"
        case .bodyTooLarge(let limit): return "response body larger than \(limit) bytes"
        case .cancelled: return "request cancelled"
        case .other(let m): return m
        }
    }

    /// True when the request certainly never reached a server, so resending it elsewhere is safe
    /// even for a mutation.
    var requestNeverSent: Bool {
        switch self {
        case .connectionRefused, .dnsFailure: return true
        default: return false
        }
    }
}

/// The seam between the clients and the network; tests may substitute their own.
protocol HTTPTransport: Sendable {
    func stream(_ request: HTTPRequest, limits: HTTPLimits) async throws(TransportError) -> HTTPStreamingResponse
}

extension HTTPTransport {
    /// Sends and collects the whole body (bounded by `limits.maxBodyBytes`).
    func send(_ request: HTTPRequest, limits: HTTPLimits) async throws(TransportError) -> HTTPResponse {
        let response = try await stream(request, limits: limits)
        var body = Data()
        do {
            for try await chunk in response.body {
                body.append(chunk)
            }
        } catch let e as TransportError {
            throw e
        } catch {
            throw .other(String(describing: error))
        }
        return HTTPResponse(head: response.head, body: body)
    }
}
