import Foundation
import Reconcilers

/// Any OpenAI-compatible chat-completions server (vLLM, llama.cpp, Ollama…), asked for a JSON answer
/// that matches the diagnosis schema: `POST {endpoint}/chat/completions` with
/// `response_format: {"type": "json_schema", …}`. The key, when configured, goes in `Authorization`.
package struct OpenAICompatibleProvider: DiagnosisProvider {
    static let maxTokens = 8192

    package let name = "openai"
    var endpoint: URL
    var model: String
    var apiKey: APIKeySource
    var http: ModelHTTPClient

    init(config: DiagnosisConfig, http: ModelHTTPClient) throws(DiagnosisError) {
        let base = config.endpoint.hasSuffix("/") ? String(config.endpoint.dropLast()) : config.endpoint
        guard !base.isEmpty, let url = URL(string: base)?.appendingPathComponent("chat/completions") else {
            throw .transport("provider openai needs spec.diagnosis.endpoint")
        }
        endpoint = url
        model = config.model
        apiKey = APIKeySource(source: config.apiKey)
        self.http = http
    }

    func body(_ context: DiagnosisContext) -> Data {
        ModelHTTPClient.json([
            "model": model,
            "max_tokens": Self.maxTokens,
            "messages": [["role": "system", "content": DiagnosisPrompt.system(tool: false)],
                         ["role": "user", "content": DiagnosisPrompt.user(context)]],
            "response_format": ["type": "json_schema",
                                "json_schema": ["name": "diagnosis", "strict": true, "schema": ModelHTTPClient.schemaObject]],
        ])
    }

    package func diagnose(_ context: DiagnosisContext, now: Date) async throws(DiagnosisError) -> Diagnosis {
        var headers = ["content-type": "application/json"]
        if let key = try apiKey.read() { headers["authorization"] = "Bearer \(key)" }
        let data = try await http.post(endpoint, headers: headers, body: body(context))
        let (draft, answeredBy) = try Self.parse(data)
        return DiagnosisValidation.finalize(draft, context: context, provider: name, model: answeredBy ?? model, now: now)
    }

    static func parse(_ data: Data) throws(DiagnosisError) -> (DiagnosisDraft, String?) {
        guard let o = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let choices = o["choices"] as? [[String: Any]],
              let first = choices.first, let message = first["message"] as? [String: Any] else {
            throw .malformed("not a chat completion: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        if let refusal = message["refusal"] as? String { throw .refusal(String(refusal.prefix(300))) }
        switch first["finish_reason"] as? String {
        case "length": throw .maxTokens
        case "content_filter": throw .refusal("content_filter")
        default: break
        }
        guard let content = message["content"] as? String, !content.isEmpty else { throw .noToolCall("no message content") }
        return (try ModelHTTPClient.decodeDraft(Data(content.utf8)), o["model"] as? String)
    }
}
