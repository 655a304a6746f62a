import Foundation
import PDClient
import Reconcilers

/// Instant and range queries against the Prometheus HTTP API (`/api/v1/query`, `/api/v1/query_range`).
package struct PrometheusClient: Sendable {
    enum Method: String, Sendable { case get = "GET", post = "POST" }

    var baseURL: URL
    var limits: HTTPLimits
    /// POST form bodies avoid URL length limits for long PromQL.
    var method: Method
    /// Passed as the `timeout` parameter so Prometheus gives up before we do.
    var queryTimeout: Duration?
    /// For an https URL: the CA and client certificate.
    var tls: TLSFiles?
    private let transport: any HTTPTransport

    /// The largest answer read. A pass sends its catalogue's queries at once, so a Prometheus answering endlessly made
    /// the controller hold this many bytes per query (at 32 MiB, 150 MiB more RSS for a moment). An answer has one
    /// series per TiKV store the query matches, a few hundred bytes each: 8 MiB holds tens of thousands.
    static let maxAnswerBytes = 8 << 20

    init(baseURL: URL, method: Method = .post, limits: HTTPLimits = HTTPLimits(deadline: .seconds(15), maxBodyBytes: maxAnswerBytes),
         queryTimeout: Duration? = .seconds(10), tls: TLSFiles? = nil, transport: any HTTPTransport = CurlTransport()) {
        self.baseURL = baseURL
        self.method = method
        self.limits = limits
        self.queryTimeout = queryTimeout
        self.tls = tls
        self.transport = transport
    }

    func query(_ promql: String, at time: Date? = nil) async throws(PrometheusError) -> PromQueryResponse {
        var params = [("query", promql)]
        if let time { params.append(("time", Self.format(time))) }
        return try await call("/api/v1/query", params)
    }

    package func queryRange(_ promql: String, start: Date, end: Date, step: Duration) async throws(PrometheusError) -> PromQueryResponse {
        let s = step.components
        let stepSeconds = Double(s.seconds) + Double(s.attoseconds) / 1e18
        return try await call("/api/v1/query_range", [
            ("query", promql), ("start", Self.format(start)), ("end", Self.format(end)), ("step", String(stepSeconds)),
        ])
    }

    private static func format(_ d: Date) -> String { String(format: "%.3f", d.timeIntervalSince1970) }

    private func call(_ path: String, _ params: [(String, String)]) async throws(PrometheusError) -> PromQueryResponse {
        var all = params
        if let queryTimeout {
            let c = queryTimeout.components
            all.append(("timeout", "\(c.seconds)s"))
        }
        let encoded = all.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let request: HTTPRequest
        switch method {
        case .get:
            guard let url = URL(string: base + path + "?" + encoded) else {
                throw PrometheusError(kind: .transport, message: "invalid URL for \(base)")
            }
            request = HTTPRequest(method: "GET", url: url, headers: ["Accept": "application/json"], tls: tls)
        case .post:
            guard let url = URL(string: base + path) else { throw PrometheusError(kind: .transport, message: "invalid URL for \(base)") }
            request = HTTPRequest(method: "POST", url: url,
                                  headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
                                  body: Data(encoded.utf8), tls: tls)
        }
        // Within a pass (`PassBudget`): a Prometheus that timed out is not asked again, and no query outlives the stage.
        let scope = PassBudget.current
        var bounded = limits
        if let scope {
            if let timeout = scope.budget.timeout(of: request.url) {
                throw PrometheusError(kind: .transport, message: PassBudget.skipped(after: timeout))
            }
            guard let clipped = scope.clipped(limits) else {
                throw PrometheusError(kind: .transport, message: "not sent: the pass's deadline for this stage has passed")
            }
            bounded = clipped
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(request, limits: bounded)
        } catch {
            if PassBudget.isTimeout(error.kind) { scope?.budget.recordTimeout(request.url, "\(path): \(error)") }
            throw PrometheusError(kind: .transport, message: error.description)
        }
        let status = response.head.status
        let raw: PromEnvelope.Raw
        do {
            raw = try JSONDecoder().decode(PromEnvelope.Raw.self, from: response.body)
        } catch {
            // Not Prometheus JSON: a proxy page or a truncated body.
            if !(200..<300).contains(status) {
                let text = String(decoding: response.body.prefix(512), as: UTF8.self)
                throw PrometheusError.fromErrorType(nil, status: status, message: text.isEmpty ? "HTTP \(status)" : text)
            }
            throw PrometheusError(kind: .malformedBody, status: status, message: DecodingErrorText.describe(error))
        }
        guard raw.status == "success", (200..<300).contains(status) else {
            throw PrometheusError.fromErrorType(raw.errorType, status: status, message: raw.error ?? "status \(raw.status)")
        }
        guard let data = raw.data else { throw PrometheusError(kind: .malformedBody, status: status, message: "success without data") }
        do {
            return PromQueryResponse(result: try PromEnvelope.result(from: data), warnings: raw.warnings ?? [], infos: raw.infos ?? [])
        } catch {
            throw PrometheusError(kind: .malformedBody, status: status, message: DecodingErrorText.describe(error))
        }
    }

    /// `application/x-www-form-urlencoded`: everything but unreserved characters is escaped, so
    /// PromQL's `+`, `=`, `&`, `{`, `"` survive.
    static func formEncode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: unreserved) ?? s
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
