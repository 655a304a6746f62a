import Foundation
import Reconcilers

/// Something that turns a context into a diagnosis: the rules engine, or a model behind an API.
package protocol DiagnosisProvider: Sendable {
    /// `rules`, `anthropic`, `openai`.
    var name: String { get }
    func diagnose(_ context: DiagnosisContext, now: Date) async throws(DiagnosisError) -> Diagnosis
}

/// Why a provider produced no diagnosis. Never carries the API key.
package enum DiagnosisError: Error, Sendable, Equatable, CustomStringConvertible {
    case budgetExhausted(perHour: Int)
    case missingAPIKey(String)
    case transport(String)
    /// No answer within `spec.diagnosis.timeout` (connect, response head, or the whole exchange).
    case timeout(String)
    /// A non-retryable HTTP status, with the API's error type and message (cut short).
    case http(status: Int, message: String)
    /// Retryable failures (429, 529, 5xx) went on past the attempts allowed.
    case retriesExhausted(attempts: Int, lastStatus: Int)
    case refusal(String)
    /// The answer was cut at the token limit.
    case maxTokens
    case noToolCall(String)
    case malformed(String)

    package var description: String {
        switch self {
        case .budgetExhausted(let n): "call budget of \(n) per hour exhausted"
        case .missingAPIKey(let w): "no API key: \(w)"
        case .transport(let w): "transport: \(w)"
        case .timeout(let w): "timed out: \(w)"
        case .http(let s, let m): "HTTP \(s): \(m)"
        case .retriesExhausted(let n, let s): "gave up after \(n) attempts (last HTTP \(s))"
        case .refusal(let w): "the model refused: \(w)"
        case .maxTokens: "the answer was cut at max_tokens"
        case .noToolCall(let w): "the model did not call the diagnosis tool (\(w))"
        case .malformed(let w): "malformed answer: \(w)"
        }
    }
}

/// The offline default: the deterministic rules engine.
package struct RulesProvider: DiagnosisProvider {
    package let name = RulesEngine.providerName
    package func diagnose(_ context: DiagnosisContext, now: Date) async throws(DiagnosisError) -> Diagnosis {
        RulesEngine.diagnose(context, now: now)
    }
}
