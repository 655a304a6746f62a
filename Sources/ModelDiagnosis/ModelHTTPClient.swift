import Foundation
import PDClient
import Reconcilers

/// POSTs JSON to a model API with the shared rules: a per-attempt timeout, a call budget, and bounded
/// retries on 429, 529 and 5xx that honour `retry-after` (seconds) when the server sends one.
package struct ModelHTTPClient: Sendable {
    var transport: any HTTPTransport
    var timeout: Duration
    var budget: CallBudget
    var maxAttempts = 3
    /// A `retry-after` longer than this is not waited for: the call fails and the next pass may retry.
    var maxRetryAfter: Duration = .seconds(60)
    var backoff = RetryBackoff(maxAttempts: 3, base: .milliseconds(500), cap: .seconds(8))
    var clock: @Sendable () -> Date = { Date() }
    var sleep: @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }

    func post(_ url: URL, headers: [String: String], body: Data) async throws(DiagnosisError) -> Data {
        var lastStatus = 0
        for attempt in 0..<maxAttempts {
            guard budget.take(now: clock()) else { throw .budgetExhausted(perHour: budget.perHour) }
            let response: HTTPResponse
            do {
                response = try await transport.send(HTTPRequest(method: "POST", url: url, headers: headers, body: body),
                                                    limits: HTTPLimits(responseHeaderTimeout: timeout, deadline: timeout, maxBodyBytes: 4 << 20))
            } catch where [.connectTimeout, .responseTimeout, .requestTimeout, .stalled].contains(error.kind) {
                throw .timeout(error.description)
            } catch {
                throw .transport(error.description)
            }
            let status = response.head.status
            if (200..<300).contains(status) { return response.body }
            lastStatus = status
            guard status == 429 || status == 529 || (500..<600).contains(status) else {
                throw .http(status: status, message: Self.errorMessage(response.body))
            }
            guard attempt + 1 < maxAttempts else { break }
            let wait: Duration
            if let text = response.head.header("retry-after"), let seconds = Double(text.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
                wait = .milliseconds(Int64(seconds * 1000))
                if wait > maxRetryAfter { throw .http(status: status, message: "retry-after \(text)s is longer than \(maxRetryAfter): \(Self.errorMessage(response.body))") }
            } else {
                wait = backoff.delay(attempt: attempt)
            }
            await sleep(wait)
        }
        throw .retriesExhausted(attempts: maxAttempts, lastStatus: lastStatus)
    }

    /// `{"type":"error","error":{"type":"overloaded_error","message":"…"}}` (Anthropic) or
    /// `{"error":{"message":"…","type":"…"}}` (OpenAI), cut short; the raw body otherwise.
    static func errorMessage(_ body: Data) -> String {
        let text: String
        if let o = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let e = o["error"] as? [String: Any] {
            text = [e["type"] as? String, e["message"] as? String].compactMap { $0 }.joined(separator: ": ")
        } else {
            text = String(decoding: body.prefix(300), as: UTF8.self)
        }
        return String(text.prefix(300))
    }

    /// The diagnosis a model wrote, decoded strictly (every required field, the closed enums).
    static func decodeDraft(_ data: Data) throws(DiagnosisError) -> DiagnosisDraft {
        do {
            return try JSONDecoder().decode(DiagnosisDraft.self, from: data)
        } catch let e as DecodingError {
            throw .malformed(Self.describe(e))
        } catch {
            throw .malformed("\(error)")
        }
    }

    static func describe(_ e: DecodingError) -> String {
        func path(_ c: [any CodingKey]) -> String { c.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined() }
        switch e {
        case .keyNotFound(let k, let ctx): return "missing \(path(ctx.codingPath)).\(k.stringValue)"
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .dataCorrupted(let ctx):
            return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return "\(e)"
        }
    }

    static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    static var schemaObject: Any {
        (try? JSONSerialization.jsonObject(with: Data(DiagnosisSchema.json.utf8))) ?? [String: Any]()
    }
}
