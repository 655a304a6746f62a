import Foundation
import PDWire

/// Everything that can go wrong talking to PD, classified for the reconciler and the executor,
/// keeping PD's own words (message, status, `[PD:component:ErrName]` code).
package struct PDError: Error, Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable, Hashable {
        // PD answered with an error status.
        case notFound, storeRemoved, badRequest, operatorConflict, noLeader, notBootstrapped
        case preconditionFailed, server, unexpectedStatus
        // PD answered 2xx with a body this client cannot use.
        case malformedBody
        // No usable answer.
        case connectionRefused, dnsFailure, connectTimeout, responseTimeout, requestTimeout, stalled, tls, connectionLost
        case malformedResponse, bodyTooLarge, cancelled, transport
        /// Every PD member failed; `attempts` says how.
        case allMembersFailed
    }

    package var kind: Kind
    /// HTTP status when PD answered.
    var status: Int?
    /// PD's message (or the transport's / decoder's).
    var message: String
    /// `[PD:core:ErrStoreNotFound]` → component `core`, name `ErrStoreNotFound`.
    package var code: PDErrorCode?
    /// The errcode object's `code` (also sent as header `TiDB-Error-Code`), e.g. `input`.
    var errcode: String?
    var url: String
    /// For `.allMembersFailed`: what each member said.
    package var attempts: [PDError]
    /// For a failure without PD's answer: the transport proved that no byte of the request was written
    /// (`TransportError.Delivery.notSent`), so PD cannot have acted on it. False whenever that is not proven.
    package var requestNotSent: Bool

    package init(kind: Kind, status: Int? = nil, message: String, code: PDErrorCode? = nil, errcode: String? = nil,
         url: String = "", attempts: [PDError] = [], requestNotSent: Bool = false) {
        self.requestNotSent = requestNotSent
        self.kind = kind
        self.status = status
        self.message = message
        self.code = code
        self.errcode = errcode
        self.url = url
        self.attempts = attempts
    }

    package var description: String {
        var s = "PD \(kind.rawValue)"
        if let status { s += " (HTTP \(status))" }
        if !url.isEmpty { s += " from \(url)" }
        if !message.isEmpty { s += ": \(message)" }
        if !attempts.isEmpty { s += " [" + attempts.map(\.description).joined(separator: "; ") + "]" }
        return s
    }

    /// Worth trying another PD member: the request was not served by a leader.
    var isMemberFailure: Bool {
        switch kind {
        case .connectionRefused, .dnsFailure, .connectTimeout, .responseTimeout, .stalled, .connectionLost, .tls, .noLeader: return true
        default: return false
        }
    }

    /// The member did not answer in time (connection, head, whole exchange, or a trickle): within a pass it is not
    /// asked again (`PassBudget`).
    var isTimeout: Bool {
        switch kind {
        case .connectTimeout, .responseTimeout, .requestTimeout, .stalled: return true
        default: return false
        }
    }

    /// Transient: an idempotent read may be retried after a backoff.
    var isRetryable: Bool {
        switch kind {
        case .connectionRefused, .dnsFailure, .connectTimeout, .responseTimeout, .requestTimeout, .stalled, .connectionLost,
             .noLeader, .server, .allMembersFailed:
            return true
        default: return false
        }
    }

    /// Maps a non-2xx answer (API.md §0.3, §0.4).
    static func fromResponse(status: Int, body: Data, headers: [String: String], url: String) -> PDError {
        let parsed = PDErrorBody(body: body)
        let code = parsed.code
        var errcode: String?
        if case .errcode(let c, _) = parsed { errcode = c }
        if errcode == nil { errcode = headers["tidb-error-code"] }
        let kind: Kind
        switch (status, code?.name) {
        case (_, "ErrNotBootstrapped"): kind = .notBootstrapped
        case (_, "ErrAddOperator"): kind = .operatorConflict
        case (410, _), (_, "ErrStoreRemoved"): kind = .storeRemoved
        case (_, "ErrOperatorNotFound"), (_, "ErrStoreNotFound"), (_, "ErrRegionNotFound"), (_, "ErrSchedulerNotFound"):
            kind = .notFound   // PD answers several of these with 500
        case (404, _): kind = .notFound
        case (503, _), (_, "ErrRedirectNoLeader"): kind = .noLeader
        case (400, _), (405, _): kind = .badRequest
        case (412, _): kind = .preconditionFailed
        case (500...599, _): kind = .server
        default: kind = .unexpectedStatus
        }
        var message = parsed.message
        if message.isEmpty, case .empty = parsed { message = "(empty error body)" }
        if message.count > 2048 { message = String(message.prefix(2048)) + "…" }
        return PDError(kind: kind, status: status, message: message, code: code, errcode: errcode, url: url)
    }

    static func from(_ t: TransportError, url: String) -> PDError {
        let kind: Kind
        switch t.kind {
        case .connectionRefused: kind = .connectionRefused
        case .dnsFailure: kind = .dnsFailure
        case .connectTimeout: kind = .connectTimeout
        case .responseTimeout: kind = .responseTimeout
        case .requestTimeout: kind = .requestTimeout
        case .stalled: kind = .stalled
        case .tls: kind = .tls
        case .connectionLost: kind = .connectionLost
        case .malformedResponse: kind = .malformedResponse
        case .bodyTooLarge: kind = .bodyTooLarge
        case .cancelled: kind = .cancelled
        case .other: kind = .transport
        }
        return PDError(kind: kind, message: t.description, url: url, requestNotSent: t.requestNeverSent)
    }

    static func malformed(_ what: String, _ error: any Error, url: String) -> PDError {
        PDError(kind: .malformedBody, message: "\(what): \(DecodingErrorText.describe(error))", url: url)
    }
}

/// Short, readable text for decoding failures (Foundation's descriptions are verbose).
package enum DecodingErrorText {
    package static func describe(_ error: any Error) -> String {
        guard let d = error as? DecodingError else { return String(describing: error) }
        func path(_ c: DecodingError.Context) -> String {
            c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch d {
        case .typeMismatch(let t, let c): return "wrong type at \(path(c)): expected \(t)"
        case .valueNotFound(let t, let c): return "missing value at \(path(c)): expected \(t)"
        case .keyNotFound(let k, let c): return "missing key \(k.stringValue) at \(path(c))"
        case .dataCorrupted(let c): return "malformed JSON at \(path(c)): \(c.debugDescription)"
        @unknown default: return String(describing: d)
        }
    }
}
