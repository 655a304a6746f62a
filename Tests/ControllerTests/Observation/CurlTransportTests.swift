import Foundation
import Testing
import FlyingFox
import FlyingSocks
import Synchronization
import TestSupport
@testable import PDClient

/// Request headers are checked before anything is sent.
@Suite struct RequestHeaderTests {
    @Test func headerInjectionIsRefused() throws {
        #expect(throws: TransportError.self) { _ = try CurlTransfer.headerLines(["X": "a\r\nEvil: 1"]) }
        #expect(throws: TransportError.self) { _ = try CurlTransfer.headerLines(["Bad Name": "v"]) }
        #expect(try CurlTransfer.headerLines(["X-Caller-ID": "operator", "Empty": ""]) == ["Empty;", "X-Caller-ID: operator"])
    }
}

/// The end of a request head in bytes read so far (the test servers read heads byte by byte).
func requestHeadEnd(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    let tail = bytes.suffix(4)
    return Array(tail) == [13, 10, 13, 10] ? bytes.count : nil
}

/// The libcurl transport against real loopback servers.
@Suite struct CurlTransportTests {
    static let limits = HTTPLimits.patient

    @Test func keepAliveConnectionIsReused() async throws {
        let server = try await LoopbackServer.start { _ in Reply.json(#"{"ok":true}"#) }
        try await withServer(server) { server in
            let transport = CurlTransport()
            for _ in 0..<5 {
                let r = try await transport.send(HTTPRequest(url: server.url.appendingPathComponent("x")), limits: Self.limits)
                #expect(r.head.status == 200)
                #expect(String(decoding: r.body, as: UTF8.self) == #"{"ok":true}"#)
            }
            #expect(transport.connectionsOpened == 1)
        }
    }

    @Test func chunkedBodyArrivesWhole() async throws {
        let chunks = (0..<20).map { Data(repeating: UInt8(ascii: "a") + UInt8($0), count: 1000) }
        let server = try await LoopbackServer.start { _ in Reply.streaming(chunks: chunks, delay: .milliseconds(1)) }
        try await withServer(server) { server in
            let r = try await CurlTransport().send(HTTPRequest(url: server.url), limits: Self.limits)
            #expect(r.body == chunks.reduce(Data(), +))
        }
    }

    @Test func postBodyReachesTheServer() async throws {
        let log = RequestLog()
        let server = try await LoopbackServer.start { req in
            _ = await log.record(req)
            return Reply.json("{}")
        }
        try await withServer(server) { server in
            let body = Data(repeating: 0x41, count: 200_000)
            _ = try await CurlTransport().send(HTTPRequest(method: "POST", url: server.url.appendingPathComponent("op"), body: body),
                                                     limits: Self.limits)
            let seen = await log.requests
            #expect(seen.first?.method == "POST" && seen.first?.path == "/op" && seen.first?.body == body)
        }
    }

    @Test func untilCloseBodyAndInterimResponse() async throws {
        let server = try await ScriptedServer.start(replies: [
            .init(bytes: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello, world", close: true),
        ])
        defer { server.stop() }
        let transport = CurlTransport()
        let r = try await transport.send(HTTPRequest(url: server.url), limits: Self.limits)
        #expect(r.head.status == 200 && String(decoding: r.body, as: UTF8.self) == "hello, world")
    }

    @Test func chunkedWithExtensionsAndTrailers() async throws {
        let server = try await ScriptedServer.start(replies: [
            .init(bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n"),
        ])
        defer { server.stop() }
        let transport = CurlTransport()
        let r = try await transport.send(HTTPRequest(url: server.url), limits: Self.limits)
        #expect(String(decoding: r.body, as: UTF8.self) == "hello, world")
        #expect(transport.connectionsOpened == 1)
    }

    @Test func staleKeptAliveConnectionIsReplaced() async throws {
        // The first reply says keep-alive but the server then closes: the second request finds the
        // pooled connection dead and goes out on a new one.
        let server = try await ScriptedServer.start(replies: [
            .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", close: true),
            .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"),
        ])
        defer { server.stop() }
        let transport = CurlTransport()
        let first = try await transport.send(HTTPRequest(url: server.url), limits: Self.limits)
        let second = try await transport.send(HTTPRequest(url: server.url), limits: Self.limits)
        #expect(first.body == Data("a".utf8) && second.body == Data("b".utf8))
    }

    /// The error a GET gets from a server that writes `reply` and closes; nil (and a recorded issue) if it succeeds.
    static func failure(answering reply: String) async throws -> TransportError? {
        let server = try await ScriptedServer.start(replies: [.init(bytes: reply, close: true)])
        defer { server.stop() }
        return await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(url: server.url), limits: Self.limits)
        }
    }

    /// A negative chunk size from the server is a typed error for the caller, not a crash.
    @Test func negativeChunkSizeIsAnError() async throws {
        let error = try await Self.failure(answering: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n")
        #expect(error?.kind == .malformedResponse, "\(String(describing: error))")
    }

    /// A server that reads a POST on a kept-alive connection and closes without answering may have applied
    /// it: the transport must not send it again. Mutations never ride a kept-alive connection, so the
    /// request reaches the server once and the caller learns the connection was lost.
    @Test func aMutationIsNeverSentTwice() async throws {
        let server = try await CountingServer.start { index, head in
            // The first exchange (a GET) keeps its connection alive; every POST is read and dropped unanswered.
            head.hasPrefix("GET") ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" : nil
        }
        defer { server.stop() }
        let transport = CurlTransport()
        _ = try await transport.send(HTTPRequest(url: server.url), limits: Self.limits)
        #expect(transport.connectionsOpened == 1)
        let post = HTTPRequest(method: "POST", url: server.url, headers: ["Content-Type": "application/json"], body: Data("{}".utf8))
        let error = await #expect(throws: TransportError.self) { _ = try await transport.send(post, limits: Self.limits) }
        #expect(server.heads.filter { $0.hasPrefix("POST") }.count == 1)
        // It was written, so it may have been applied.
        #expect(error?.delivery == .maybeSent)
        // The POST went out on a connection of its own; the GET's connection still waits for a later GET.
        #expect(transport.connectionsOpened == 2)
        _ = try await transport.send(HTTPRequest(url: server.url), limits: Self.limits)
        #expect(transport.connectionsOpened == 2)
        #expect(server.heads.filter { $0.hasPrefix("POST") }.count == 1)
    }

    @Test func connectionDroppedMidBodyIsConnectionLost() async throws {
        let error = try await Self.failure(answering: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part")
        #expect(error?.kind == .connectionLost, "\(String(describing: error))")
    }

    @Test func declaredLengthOverTheCapIsRefused() async throws {
        let server = try await ScriptedServer.start(replies: [
            .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"),
        ])
        defer { server.stop() }
        let limits = HTTPLimits.patient(maxBodyBytes: 1000)
        let error = await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(url: server.url), limits: limits)
        }
        #expect(error?.kind == .bodyTooLarge, "\(String(describing: error))")
    }

    @Test func callerCancellationEndsAWait() async throws {
        let server = try await LoopbackServer.start { _ in
            try await Task.sleep(for: .seconds(30))
            return Reply.json("{}")
        }
        try await withServer(server) { server in
            let transport = CurlTransport()
            let task = Task { try await transport.send(HTTPRequest(url: server.url), limits: Self.limits) }
            try await Task.sleep(for: .milliseconds(100))
            task.cancel()
            let error = await #expect(throws: TransportError.self) { _ = try await task.value }
            #expect(error?.kind == .cancelled, "\(String(describing: error))")
        }
    }
}

/// A loopback server that answers each accepted request with canned bytes, for the framings and
/// misbehaviours FlyingFox never produces. Bounded: it serves its script once and stops.
final class ScriptedServer: Sendable {
    struct Reply: Sendable {
        var bytes: String
        /// Close the connection after this reply.
        var close = false
    }

    let port: UInt16
    private let listener: Socket
    private let task: Task<Void, Never>

    var url: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    private init(port: UInt16, listener: Socket, task: Task<Void, Never>) {
        self.port = port
        self.listener = listener
        self.task = task
    }

    static func start(replies: [Reply]) async throws -> ScriptedServer {
        let socket = try Socket(domain: AF_INET, type: .stream)
        try socket.setValue(true, for: .localAddressReuse)
        try socket.bind(to: sockaddr_in.inet(ip4: "127.0.0.1", port: 0))
        try socket.listen()
        guard case .ip4(_, let port) = try socket.sockname() else { throw LoopbackServer.ServerError.noPort }
        let pool = try await SocketPool<Poll>.client
        let listener = try AsyncSocket(socket: socket, pool: pool)
        let task = Task {
            var script = replies[...]
            while !script.isEmpty, let client = try? await listener.accept() {
                while let reply = script.first {
                    // Read one request head (these tests send no bodies).
                    var seen: [UInt8] = []
                    while requestHeadEnd(seen) == nil {
                        guard let b = try? await client.read() else { break }
                        seen.append(b)
                    }
                    guard requestHeadEnd(seen) != nil else { break }
                    script.removeFirst()
                    try? await client.write(Data(reply.bytes.utf8))
                    if reply.close { break }
                }
                try? client.close()
            }
        }
        return ScriptedServer(port: port, listener: socket, task: task)
    }

    func stop() {
        task.cancel()
        try? listener.close()
    }
}

/// Serves each connection on its own task and records every request head it reads, in arrival order;
/// `answer` gives the bytes to write for a head, or nil to close the connection without answering.
final class CountingServer: Sendable {
    let port: UInt16
    private let listener: Socket
    private let task: Task<Void, Never>
    private let box: Box

    var url: URL { URL(string: "http://127.0.0.1:\(port)/")! }
    var heads: [String] { box.seen.withLock { $0 } }

    private init(port: UInt16, listener: Socket, task: Task<Void, Never>, box: Box) {
        self.port = port
        self.listener = listener
        self.task = task
        self.box = box
    }

    static func start(answer: @escaping @Sendable (Int, String) -> String?) async throws -> CountingServer {
        let socket = try Socket(domain: AF_INET, type: .stream)
        try socket.setValue(true, for: .localAddressReuse)
        try socket.bind(to: sockaddr_in.inet(ip4: "127.0.0.1", port: 0))
        try socket.listen()
        guard case .ip4(_, let port) = try socket.sockname() else { throw LoopbackServer.ServerError.noPort }
        let pool = try await SocketPool<Poll>.client
        let listener = try AsyncSocket(socket: socket, pool: pool)
        let box = Box()
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                while !Task.isCancelled, let client = try? await listener.accept() {
                    group.addTask {
                        while true {
                            var seen: [UInt8] = []
                            while requestHeadEnd(seen) == nil {
                                guard let b = try? await client.read() else { break }
                                seen.append(b)
                            }
                            guard requestHeadEnd(seen) != nil else { break }
                            let head = String(decoding: seen, as: UTF8.self)
                            // Read a declared body so the request is whole before it is counted.
                            if let line = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                               let n = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)), n > 0 {
                                for _ in 0..<n { guard (try? await client.read()) != nil else { break } }
                            }
                            let index = box.seen.withLock { $0.append(head); return $0.count - 1 }
                            guard let reply = answer(index, head) else { break }
                            try? await client.write(Data(reply.utf8))
                        }
                        try? client.close()
                    }
                }
                group.cancelAll()
            }
        }
        return CountingServer(port: port, listener: socket, task: task, box: box)
    }

    private final class Box: Sendable { let seen = Mutex<[String]>([]) }

    func stop() {
        task.cancel()
        try? listener.close()
    }
}
