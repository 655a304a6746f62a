import Foundation
import Reconcilers

/// Claude through Anthropic's Messages API: one forced call of a tool whose input schema is the
/// diagnosis schema, parsed strictly. `POST {endpoint}/v1/messages` with `x-api-key` and
/// `anthropic-version: 2023-06-01`.
package struct AnthropicProvider: DiagnosisProvider {
    static let defaultEndpoint = "https://api.anthropic.com"
    static let defaultModel = "claude-sonnet-4-5"
    static let apiVersion = "2023-06-01"
    static let maxTokens = 8192

    package let name = "anthropic"
    var endpoint: URL
    var model: String
    var apiKey: APIKeySource
    var http: ModelHTTPClient

    init(config: DiagnosisConfig, http: ModelHTTPClient) throws(DiagnosisError) {
        let base = config.endpoint.isEmpty ? Self.defaultEndpoint : config.endpoint
        guard let url = URL(string: base.hasSuffix("/") ? String(base.dropLast()) : base)?.appendingPathComponent("v1/messages") else {
            throw .transport("invalid endpoint \(base)")
        }
        endpoint = url
        model = config.model.isEmpty ? Self.defaultModel : config.model
        apiKey = APIKeySource(source: config.apiKey)
        self.http = http
    }

    /// The request body, exactly as sent.
    func body(_ context: DiagnosisContext) -> Data {
        ModelHTTPClient.json([
            "model": model,
            "max_tokens": Self.maxTokens,
            "system": DiagnosisPrompt.system(tool: true),
            "messages": [["role": "user", "content": DiagnosisPrompt.user(context)]],
            "tools": [["name": DiagnosisSchema.toolName, "description": DiagnosisSchema.toolDescription,
                       "input_schema": ModelHTTPClient.schemaObject]],
            "tool_choice": ["type": "tool", "name": DiagnosisSchema.toolName],
        ])
    }

    package func diagnose(_ context: DiagnosisContext, now: Date) async throws(DiagnosisError) -> Diagnosis {
        guard let key = try apiKey.read() else { throw .missingAPIKey("spec.diagnosis.apiKey is not set") }
        let data = try await http.post(endpoint, headers: [
            "x-api-key": key, "anthropic-version": Self.apiVersion, "content-type": "application/json",
        ], body: body(context))
        let (draft, answeredBy) = try Self.parse(data)
        return DiagnosisValidation.finalize(draft, context: context, provider: name, model: answeredBy ?? model, now: now)
    }

    /// The tool_use block's input as a draft, and the model that answered.
    static func parse(_ data: Data) throws(DiagnosisError) -> (DiagnosisDraft, String?) {
        guard let message = try? JSONSerialization.jsonObject(with: data) as? [String: Any], message["type"] as? String == "message",
              let content = message["content"] as? [[String: Any]] else {
            throw .malformed("not a Messages API message: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        let stop = message["stop_reason"] as? String ?? "none"
        let text = content.filter { $0["type"] as? String == "text" }.compactMap { $0["text"] as? String }.joined(separator: " ")
        switch stop {
        case "max_tokens", "model_context_window_exceeded": throw .maxTokens
        case "refusal": throw .refusal(String(text.prefix(300)))
        default: break
        }
        let calls = content.filter { $0["type"] as? String == "tool_use" && $0["name"] as? String == DiagnosisSchema.toolName }
        guard calls.count == 1, let input = calls[0]["input"] as? [String: Any] else {
            throw .noToolCall("stop_reason \(stop), \(calls.count) call(s) of \(DiagnosisSchema.toolName)\(text.isEmpty ? "" : ": " + String(text.prefix(200)))")
        }
        return (try ModelHTTPClient.decodeDraft(ModelHTTPClient.json(input)), message["model"] as? String)
    }
}
