import Foundation
import Reconcilers
import Synchronization
import Testing
import TestSupport
@testable import PDClient

/// No PD mutation while an observation is bad: an approved drain whose next passes see a PD answering
/// garbage for `/stores`, or numbers no PD reports (a negative leader count), sends nothing until the observation is
/// good again.
@Suite(.serialized) struct BadObservationTests {
    @Test(arguments: [GarbledPDProxy.Corruption.garbage, .implausible])
    func noMutationWhileStoresAnswerBadly(_ corruption: GarbledPDProxy.Corruption) async throws {
        // Every PD answer goes through the proxy: the members' own URLs are not advertised.
        let h = try await ControlLoopHarness(advertiseMembers: false)
        try await withServer(h) { h in
            let proxy = try GarbledPDProxy.start(upstream: h.pdURL)
            defer { proxy.stop() }
            try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute").replacingOccurrences(of: h.pdURL, with: proxy.url))
            try h.writeSpec("maintenance.yaml", h.drainYAML())
            try h.syncSpecs()
            var plan: RemediationPlan?
            for _ in 0..<20 where plan == nil {
                try await h.pass()
                plan = try h.plans().first { $0.name.contains("drain-store-4") }
            }
            let pending = try #require(plan)
            #expect(proxy.mutations == 0)

            // Approved, then every observation is bad: bounded by passes, not time.
            proxy.corrupt(corruption)
            try h.approve(pending)
            for _ in 0..<5 {
                try await h.pass()
                h.advance(5)
            }
            #expect(proxy.mutations == 0, "a mutation reached PD while /stores answered \(corruption)")
            #expect(proxy.garbledAnswers > 0)
            if corruption == .implausible {
                let reason = try h.cluster()?.status.conditions[type: "Observed"]
                #expect(reason?.status == .false && reason?.message.contains("leader_count -5 is negative") == true, "\(String(describing: reason))")
            }

            // Good again: the approved drain now reaches PD (the proxy would have seen it above).
            proxy.corrupt(.none)
            for _ in 0..<10 where proxy.mutations == 0 {
                try await h.pass()
                h.advance(5)
            }
            #expect(proxy.mutations > 0)
        }
    }
}

/// A PD in front of the simulator that forwards every request, except that while corrupting it answers `/stores`
/// with bytes that are not JSON (`garbage`) or with PD's own answer where the first leader count is -5
/// (`implausible`). It counts the mutations (non-GET requests) that reach it.
final class GarbledPDProxy: Sendable {
    enum Corruption: Int, Sendable, CustomStringConvertible {
        case none, garbage, implausible
        var description: String { ["nothing", "garbage", "a negative leader count"][rawValue] }
    }

    private let server: RawServer
    private let state: State

    private final class State: Sendable {
        let corruption = Atomic<Int>(Corruption.none.rawValue)
        let mutations = Atomic<Int>(0)
        let garbled = Atomic<Int>(0)
    }

    var url: String { "http://127.0.0.1:\(server.port)" }
    var mutations: Int { state.mutations.load(ordering: .relaxed) }
    var garbledAnswers: Int { state.garbled.load(ordering: .relaxed) }

    func corrupt(_ corruption: Corruption) { state.corruption.store(corruption.rawValue, ordering: .relaxed) }

    private init(server: RawServer, state: State) {
        self.server = server
        self.state = state
    }

    static func start(upstream: String) throws -> GarbledPDProxy {
        let state = State()
        let transport = CurlTransport()
        let server = try RawServer.start { c in
            let requestLine = c.head.prefix { $0 != "\r" && $0 != "\n" }.split(separator: " ")
            guard requestLine.count >= 2 else { return }
            let method = String(requestLine[0]), target = String(requestLine[1])
            if method != "GET" { state.mutations.add(1, ordering: .relaxed) }
            let corruption = Corruption(rawValue: state.corruption.load(ordering: .relaxed)) ?? .none
            let storesRead = method == "GET" && target.hasPrefix("/pd/api/v1/stores")
            if corruption == .garbage, storesRead {
                state.garbled.add(1, ordering: .relaxed)
                c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{\"stores\"")
                return
            }
            guard let url = URL(string: upstream + target) else { return }
            var headers: [String: String] = [:]
            if !c.body.isEmpty { headers["Content-Type"] = "application/json" }
            let request = HTTPRequest(method: method, url: url, headers: headers, body: c.body.isEmpty ? nil : Data(c.body))
            // The server's threads are not the cooperative pool's: waiting here blocks only this connection.
            let done = DispatchSemaphore(value: 0)
            let answer = Mutex<HTTPResponse?>(nil)
            Task {
                let r = try? await transport.send(request, limits: .patient)
                answer.withLock { $0 = r }
                done.signal()
            }
            done.wait()
            guard let r = answer.withLock({ $0 }) else { return }
            var body = String(decoding: r.body, as: UTF8.self)
            if corruption == .implausible, storesRead, let count = body.range(of: #""leader_count":\s*[0-9]+"#, options: .regularExpression) {
                state.garbled.add(1, ordering: .relaxed)
                body.replaceSubrange(count, with: #""leader_count": -5"#)
            }
            var head = "HTTP/1.1 \(r.head.status) X\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
            if let type = r.head.header("content-type") { head += "Content-Type: \(type)\r\n" }
            c.write(head + "\r\n")
            c.write(body)
        }
        return GarbledPDProxy(server: server, state: state)
    }

    func stop() { server.stop() }
}
