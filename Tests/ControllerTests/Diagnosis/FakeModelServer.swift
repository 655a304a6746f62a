import FlyingFox
import Foundation
import Synchronization

/// A local server speaking a model API: it records every request and answers from a script, one
/// reply per request (the last one repeats), or from a function of the request (`start(answering:)`), for tests
/// where several tickets are diagnosed in no fixed order.
final class FakeModelServer: Sendable {
    struct Recorded: Sendable {
        var path: String
        var headers: [String: String]
        var body: Data
    }
    struct Answer: Sendable {
        var status: Int
        var body: String
        var headers: [String: String] = [:]
    }

    let server: LoopbackServer
    private let state: Mutex<(requests: [Recorded], script: [Answer])>
    private let answering: (@Sendable (Recorded) -> Answer)?

    var url: URL { server.url }
    var requests: [Recorded] { state.withLock { $0.requests } }

    private init(server: LoopbackServer, script: [Answer], answering: (@Sendable (Recorded) -> Answer)?) {
        self.server = server
        self.state = Mutex(([], script))
        self.answering = answering
    }

    static func start(answering: @escaping @Sendable (Recorded) -> Answer) async throws -> FakeModelServer {
        try await start([Answer(status: 500, body: "{}")], answering: answering)
    }

    static func start(_ script: [Answer], answering: (@Sendable (Recorded) -> Answer)? = nil) async throws -> FakeModelServer {
        let box = Box()
        let server = try await LoopbackServer.start { request in
            var headers: [String: String] = [:]
            for (k, v) in request.headers { headers[k.rawValue.lowercased()] = v }
            let body = (try? await request.bodyData) ?? Data()
            let answer = box.server?.record(Recorded(path: request.path, headers: headers, body: body)) ?? Answer(status: 500, body: "{}")
            return Reply.json(answer.body, status: answer.status, headers: answer.headers)
        }
        let fake = FakeModelServer(server: server, script: script, answering: answering)
        box.server = fake
        return fake
    }

    private func record(_ r: Recorded) -> Answer {
        let scripted = state.withLock { s in
            s.requests.append(r)
            return s.script.count > 1 ? s.script.removeFirst() : s.script[0]
        }
        return answering?(r) ?? scripted
    }

    func stop() async { await server.stop() }

    private final class Box: @unchecked Sendable { weak var server: FakeModelServer? }
}
