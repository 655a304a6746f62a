import Foundation

/// A failed Prometheus query: Prometheus' own `errorType` and message, or why no answer came.
package struct PrometheusError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: String, Sendable, Hashable {
        /// 400 `bad_data`: the query is wrong.
        case badData
        /// 422 `execution`: the query could not run (e.g. many-to-many matching).
        case execution
        /// 503 `timeout`, or `canceled`.
        case timeout, canceled
        /// Other 5xx, or `internal`/`unavailable`.
        case server
        case malformedBody
        case transport
    }

    var kind: Kind
    var status: Int?
    /// Prometheus' `errorType` string when it sent one.
    var errorType: String?
    var message: String

    package var description: String {
        "Prometheus \(kind.rawValue)" + (status.map { " (HTTP \($0))" } ?? "") + ": " + message
    }

    static func fromErrorType(_ type: String?, status: Int, message: String) -> PrometheusError {
        let kind: Kind
        switch type {
        case "bad_data": kind = .badData
        case "execution": kind = .execution
        case "timeout": kind = .timeout
        case "canceled": kind = .canceled
        default:
            switch status {
            case 400: kind = .badData
            case 422: kind = .execution
            case 503: kind = .timeout
            default: kind = .server
            }
        }
        return PrometheusError(kind: kind, status: status, errorType: type, message: message)
    }
}
