import Foundation
import Reconcilers
import Testing
@testable import ModelDiagnosis
@testable import Operator
@testable import PDClient

/// The Anthropic and OpenAI-compatible providers against local servers speaking their APIs.
@Suite struct ModelProviderTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    static func context() -> DiagnosisContext {
        var ticket = Ticket(metadata: ObjectMeta(name: "c-storedown-store-3"),
                            spec: TicketSpec(cluster: "c", invariant: "storeDown", subject: "store/3", severity: .critical, summary: "store 3 is down"))
        ticket.status.state = .open
        ticket.status.occurrences = 1
        let stores = (1...3).map { StoreSnapshot(id: UInt64($0), address: "tikv-\($0):20160", liveness: $0 == 3 ? .down : .alive, lastHeartbeat: now.addingTimeInterval(-60), leaderCount: 10) }
        let snapshot = ClusterSnapshot(cluster: "c", observedAt: now, stores: stores)
        return DiagnosisContextBuilder.build(.init(ticket: ticket, cluster: TiKVCluster(metadata: ObjectMeta(name: "c"), spec: TiKVClusterSpec(pd: PDEndpoint(urls: ["http://pd:2379"]))), snapshot: snapshot))
    }

    /// A valid answer: the rules engine's diagnosis as a draft, plus one action outside the registry, an offline of a
    /// healthy store and a region that does not exist.
    static func draftJSON() -> String {
        let d = RulesEngine.diagnose(context(), now: now)
        let draft = DiagnosisDraft(timeline: d.timeline, affectedComponents: d.affectedComponents, readings: d.readings, primary: d.primary,
                                   alternatives: d.alternatives, recommendedAction: d.recommendedAction, pdCtlEquivalents: d.pdCtlEquivalents,
                                   risks: d.risks, suggestedActions: [SuggestedActionDraft(kind: "approvePlan"), SuggestedActionDraft(kind: "offlineStore", storeID: 3),
                                                      SuggestedActionDraft(kind: "offlineStore", storeID: 1),
                                                      SuggestedActionDraft(kind: "transferLeader", regionID: .max, toStoreID: 2)])
        return String(decoding: try! JSONEncoder().encode(draft), as: UTF8.self)
    }

    static func message(stop: String, content: String) -> String {
        #"{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[\#(content)],"stop_reason":"\#(stop)","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":10}}"#
    }
    static func toolUse(_ input: String) -> String { #"{"type":"tool_use","id":"toolu_1","name":"record_diagnosis","input":\#(input)}"# }

    final class Sleeps: @unchecked Sendable { let lock = NSLock(); var values: [Duration] = [] }

    func anthropic(_ server: FakeModelServer, keyFile: String, sleeps: Sleeps = Sleeps(), perHour: Int = 100) throws -> AnthropicProvider {
        var http = ModelHTTPClient(transport: CurlTransport(), timeout: .seconds(10), budget: CallBudget(perHour: perHour))
        http.sleep = { d in sleeps.lock.withLock { sleeps.values.append(d) } }
        return try AnthropicProvider(config: DiagnosisConfig(provider: .anthropic, endpoint: server.url.absoluteString, apiKey: SecretSource(file: keyFile)), http: http)
    }

    func keyFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("diag-key-\(UUID().uuidString)").path
        try "sk-test-secret\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func anthropicSendsTheExactRequestAndParsesTheToolCall() async throws {
        let server = try await FakeModelServer.start([.init(status: 200, body: Self.message(stop: "tool_use", content: Self.toolUse(Self.draftJSON())))])
        let provider = try anthropic(server, keyFile: try keyFile())
        let d = try await provider.diagnose(Self.context(), now: Self.now)
        let r = try #require(server.requests.first)
        #expect(r.path == "/v1/messages")
        #expect(r.headers["x-api-key"] == "sk-test-secret")
        #expect(r.headers["anthropic-version"] == "2023-06-01")
        #expect(r.headers["content-type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: r.body) as? [String: Any])
        #expect(Set(body.keys) == ["model", "max_tokens", "system", "messages", "tools", "tool_choice"])
        #expect(body["model"] as? String == AnthropicProvider.defaultModel)
        #expect(body["max_tokens"] as? Int == AnthropicProvider.maxTokens)
        #expect((body["tool_choice"] as? [String: String]) == ["type": "tool", "name": "record_diagnosis"])
        let tool = try #require((body["tools"] as? [[String: Any]])?.first)
        #expect(tool["name"] as? String == "record_diagnosis")
        #expect((tool["input_schema"] as? [String: Any])?["type"] as? String == "object")
        let messages = try #require(body["messages"] as? [[String: String]])
        #expect(messages.count == 1 && messages[0]["role"] == "user")
        #expect(messages[0]["content"]?.contains("<<<CONTEXT (data)") == true)
        #expect(d.provider == "anthropic" && d.model == "claude-test")
        #expect(d.primary.cause == .insufficientData)
        #expect(d.suggestedActions == [.store(.offlineStore, 3)])
        #expect(d.notes.contains { $0.contains("approvePlan") }, "the invalid action is dropped with a note: \(d.notes)")
        // What a person reads (`describe ticket`, `diagnose`): the sound suggestion, and why the others were dropped.
        let report = DiagnosisReport.render(d, now: Self.now)
        #expect(report.contains("- take store 3 offline"))
        #expect(!report.contains("take store 1 offline"))
        #expect(report.contains("- suggested action 3 dropped: offlineStore of store 1, which is Up and alive"))
        #expect(report.contains("- suggested action 4 dropped: transferLeader names region 18446744073709551615, which the context does not show"))
        await server.stop()
    }

    @Test func anthropicRefusalMaxTokensAndMissingToolCallAreTypedErrors() async throws {
        let cases: [(String, DiagnosisError)] = [
            (Self.message(stop: "refusal", content: #"{"type":"text","text":"I can't help with that."}"#), .refusal("I can't help with that.")),
            (Self.message(stop: "max_tokens", content: Self.toolUse(#"{"timeline":[]}"#)), .maxTokens),
            (Self.message(stop: "end_turn", content: #"{"type":"text","text":"It is down."}"#), .noToolCall("stop_reason end_turn, 0 call(s) of record_diagnosis: It is down.")),
        ]
        for (body, expected) in cases {
            let server = try await FakeModelServer.start([.init(status: 200, body: body)])
            await #expect(throws: expected) { try await anthropic(server, keyFile: try keyFile()).diagnose(Self.context(), now: Self.now) }
            await server.stop()
        }
    }

    @Test func anthropicMalformedAnswersFailStrictly() async throws {
        for body in [Self.message(stop: "tool_use", content: Self.toolUse(#"{"timeline":[],"risks":"none"}"#)), #"{"hello":"world"}"#] {
            let server = try await FakeModelServer.start([.init(status: 200, body: body)])
            do {
                _ = try await anthropic(server, keyFile: try keyFile()).diagnose(Self.context(), now: Self.now)
                Issue.record("a malformed answer was accepted")
            } catch let e as DiagnosisError {
                guard case .malformed = e else { Issue.record("expected malformed, got \(e)"); continue }
            }
            await server.stop()
        }
    }

    @Test func anthropicRetriesHonouringRetryAfterAndGivesUpOnOverload() async throws {
        let overloaded = #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
        let ok = Self.message(stop: "tool_use", content: Self.toolUse(Self.draftJSON()))
        let server = try await FakeModelServer.start([.init(status: 429, body: #"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#, headers: ["retry-after": "2"]),
                                                      .init(status: 200, body: ok)])
        let sleeps = Sleeps()
        _ = try await anthropic(server, keyFile: try keyFile(), sleeps: sleeps).diagnose(Self.context(), now: Self.now)
        #expect(server.requests.count == 2)
        #expect(sleeps.values == [.seconds(2)])
        await server.stop()

        let busy = try await FakeModelServer.start([.init(status: 529, body: overloaded)])
        await #expect(throws: DiagnosisError.retriesExhausted(attempts: 3, lastStatus: 529)) {
            try await anthropic(busy, keyFile: try keyFile()).diagnose(Self.context(), now: Self.now)
        }
        #expect(busy.requests.count == 3)
        await busy.stop()

        let budget = try await FakeModelServer.start([.init(status: 500, body: "{}")])
        await #expect(throws: DiagnosisError.budgetExhausted(perHour: 1)) {
            try await anthropic(budget, keyFile: try keyFile(), perHour: 1).diagnose(Self.context(), now: Self.now)
        }
        #expect(budget.requests.count == 1, "the hourly budget counts every request, retries included")
        await budget.stop()
    }

    @Test func openAICompatibleSendsAJSONSchemaRequestAndParsesTheMessage() async throws {
        let content = Self.draftJSON().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let server = try await FakeModelServer.start([.init(status: 200, body: #"{"id":"c1","model":"local-llm","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"\#(content)","refusal":null}}]}"#)])
        let http = ModelHTTPClient(transport: CurlTransport(), timeout: .seconds(10), budget: CallBudget(perHour: 10))
        let provider = try OpenAICompatibleProvider(config: DiagnosisConfig(provider: .openai, model: "local-llm", endpoint: server.url.absoluteString + "/v1"), http: http)
        let d = try await provider.diagnose(Self.context(), now: Self.now)
        let r = try #require(server.requests.first)
        #expect(r.path == "/v1/chat/completions")
        #expect(r.headers["authorization"] == nil, "no key configured, none sent")
        let body = try #require(try JSONSerialization.jsonObject(with: r.body) as? [String: Any])
        let format = try #require(body["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema")
        #expect((format["json_schema"] as? [String: Any])?["strict"] as? Bool == true)
        #expect((body["messages"] as? [[String: String]])?.map { $0["role"] ?? "" } == ["system", "user"])
        #expect(d.provider == "openai" && d.model == "local-llm")
        await server.stop()

        for (answer, expected) in [(#"{"choices":[{"finish_reason":"stop","message":{"content":null,"refusal":"no"}}]}"#, DiagnosisError.refusal("no")),
                                   (#"{"choices":[{"finish_reason":"length","message":{"content":"{\"timeline\""}}]}"#, DiagnosisError.maxTokens)] {
            let s = try await FakeModelServer.start([.init(status: 200, body: answer)])
            let p = try OpenAICompatibleProvider(config: DiagnosisConfig(provider: .openai, endpoint: s.url.absoluteString), http: http)
            await #expect(throws: expected) { try await p.diagnose(Self.context(), now: Self.now) }
            await s.stop()
        }
    }

    static func outcome(of provider: OpenAICompatibleProvider) async -> Result<Diagnosis, DiagnosisError> {
        do throws(DiagnosisError) { return .success(try await provider.diagnose(context(), now: now)) } catch { return .failure(error) }
    }

    @Test func openAICompatibleSendsItsKeyRetriesHonouringRetryAfterAndRejectsMalformedAnswers() async throws {
        let content = Self.draftJSON().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let ok = #"{"id":"c1","model":"local-llm","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"\#(content)"}}]}"#
        let sleeps = Sleeps()
        var http = ModelHTTPClient(transport: CurlTransport(), timeout: .seconds(10), budget: CallBudget(perHour: 100))
        http.sleep = { d in sleeps.lock.withLock { sleeps.values.append(d) } }
        let key = try keyFile()

        let server = try await FakeModelServer.start([.init(status: 429, body: #"{"error":{"message":"rate limited","type":"requests"}}"#, headers: ["retry-after": "3"]),
                                                      .init(status: 503, body: #"{"error":{"message":"loading model"}}"#),
                                                      .init(status: 200, body: ok)])
        let provider = try OpenAICompatibleProvider(config: DiagnosisConfig(provider: .openai, model: "local-llm", endpoint: server.url.absoluteString,
                                                                            apiKey: SecretSource(file: key)), http: http)
        let d = try await provider.diagnose(Self.context(), now: Self.now)
        #expect(d.primary == RulesEngine.diagnose(Self.context(), now: Self.now).primary, "the model's answer is what is stored")
        #expect(server.requests.count == 3, "429 and 503 are retried")
        #expect(sleeps.values.first == .seconds(3), "retry-after is honoured: \(sleeps.values)")
        #expect(server.requests.allSatisfy { $0.headers["authorization"] == "Bearer sk-test-secret" })
        await server.stop()

        let malformed = [
            #"{"choices":[{"finish_reason":"stop","message":{"content":"the store is down"}}]}"#,
            #"{"choices":[{"finish_reason":"stop","message":{"content":"{\"timeline\":[],\"risks\":\"none\"}"}}]}"#,
            #"{"choices":[]}"#,
            #"<html>bad gateway</html>"#,
        ]
        for body in malformed {
            let s = try await FakeModelServer.start([.init(status: 200, body: body)])
            let p = try OpenAICompatibleProvider(config: DiagnosisConfig(provider: .openai, endpoint: s.url.absoluteString), http: http)
            let outcome = await Self.outcome(of: p)
            if case .failure(.malformed) = outcome {} else { Issue.record("expected malformed for \(body), got \(outcome)") }
            await s.stop()
        }

        let refused = try await FakeModelServer.start([.init(status: 401, body: #"{"error":{"message":"invalid api key"}}"#)])
        let p = try OpenAICompatibleProvider(config: DiagnosisConfig(provider: .openai, endpoint: refused.url.absoluteString), http: http)
        if case .failure(.http(let status, let message)) = await Self.outcome(of: p) {
            #expect(status == 401)
            #expect(message.contains("invalid api key"))
        } else { Issue.record("expected http 401") }
        #expect(refused.requests.count == 1, "a 401 is not retried")
        await refused.stop()
    }
}
