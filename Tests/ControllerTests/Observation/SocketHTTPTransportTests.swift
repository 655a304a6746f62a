import Foundation
import Testing
import FlyingFox
import FlyingSocks
import Synchronization
@testable import Controller

/// The HTTP/1.1 wire format, without sockets.
@Suite struct HTTP1WireTests {
    @Test func serializesRequestWithHostTargetAndLength() throws {
        let url = try #require(URL(string: "http://127.0.0.1:2379/pd/api/v1/regions/key?key=a%2Fb&limit=5"))
        let target = try #require(HTTP1Wire.Target(url))
        #expect(target.key == "http://127.0.0.1:2379" && !target.secure)
        let body = Data(#"{"x":1}"#.utf8)
        let data = try HTTP1Wire.serialize(HTTPRequest(method: "POST", url: url, headers: ["X-Caller-ID": "operator"], body: body),
                                           target: target)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix("POST /pd/api/v1/regions/key?key=a%2Fb&limit=5 HTTP/1.1\r\nHost: 127.0.0.1:2379\r\n"))
        #expect(text.contains("X-Caller-ID: operator\r\n"))
        #expect(text.contains("Content-Length: 7\r\n"))
        #expect(text.hasSuffix("\r\n\r\n{\"x\":1}"))
    }

    @Test func defaultPortAndEmptyPath() throws {
        let plain = try #require(URL(string: "http://pd.example"))
        let target = try #require(HTTP1Wire.Target(plain))
        #expect(target.hostHeader == "pd.example" && target.port == 80 && target.requestTarget == "/")
        let secureURL = try #require(URL(string: "https://pd.example"))
        let secure = try #require(HTTP1Wire.Target(secureURL))
        #expect(secure.secure && secure.port == 443 && secure.hostHeader == "pd.example" && secure.key == "https://pd.example:443")
        let otherURL = try #require(URL(string: "https://pd.example:2379/x"))
        #expect(HTTP1Wire.Target(otherURL)?.hostHeader == "pd.example:2379")
        let ftp = try #require(URL(string: "ftp://pd.example"))
        #expect(HTTP1Wire.Target(ftp) == nil)
    }

    @Test func refusesHeaderInjection() throws {
        let url = try #require(URL(string: "http://127.0.0.1:1/"))
        let target = try #require(HTTP1Wire.Target(url))
        #expect(throws: TransportError.self) {
            try HTTP1Wire.serialize(HTTPRequest(url: url, headers: ["X": "a\r\nEvil: 1"]), target: target)
        }
        #expect(throws: TransportError.self) {
            try HTTP1Wire.serialize(HTTPRequest(url: url, headers: ["Bad Name": "v"]), target: target)
        }
    }

    static func head(_ text: String, method: String = "GET") throws -> HTTP1Wire.ResponseHead {
        try HTTP1Wire.parseHead(ArraySlice(Array(text.utf8)), requestMethod: method)
    }

    @Test func parsesStatusHeadersAndFraming() throws {
        let h = try Self.head("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nX-A: 1\r\nx-a: 2\r\n\r\n")
        #expect(h.head.status == 503)
        #expect(h.head.header("content-type") == "text/plain")
        #expect(h.head.headers["x-a"] == "1, 2")
        #expect(h.framing == .length(12) && h.keepAlive && !h.isInterim)

        #expect(try Self.head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").framing == .chunked)
        #expect(try Self.head("HTTP/1.1 204 No Content\r\n\r\n").framing == .none)
        #expect(try Self.head("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", method: "HEAD").framing == .none)
        let close = try Self.head("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n")
        #expect(!close.keepAlive)
        let old = try Self.head("HTTP/1.0 200 OK\r\n\r\n")
        #expect(old.framing == .untilClose && !old.keepAlive)
        #expect(try Self.head("HTTP/1.1 100 Continue\r\n\r\n").isInterim)
    }

    @Test(arguments: ["garbage\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
                      "HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"])
    func rejectsMalformedHeads(_ text: String) {
        #expect(throws: TransportError.self) { try Self.head(text) }
    }

    @Test func chunkSizes() throws {
        #expect(try HTTP1Wire.chunkSize(ArraySlice(Array("1a".utf8))) == 26)
        #expect(try HTTP1Wire.chunkSize(ArraySlice(Array("FF;name=value".utf8))) == 255)
        #expect(throws: TransportError.self) { try HTTP1Wire.chunkSize(ArraySlice(Array("zz".utf8))) }
        // A sign is not a hex digit: "-5" once parsed as -5 and trapped the reader.
        for hostile in ["-5", "+5", "-0", "0x10", "-7FFFFFFFFFFFFFF"] {
            #expect(throws: TransportError.self, "\(hostile)") { try HTTP1Wire.chunkSize(ArraySlice(Array(hostile.utf8))) }
        }
    }
}

/// The socket transport against real loopback servers.
@Suite struct SocketHTTPTransportTests {
    static let limits = HTTPLimits.patient

    @Test func keepAliveConnectionIsReused() async throws {
        let server = try await LoopbackServer.start { _ in Reply.json(#"{"ok":true}"#) }
        defer { Task { await server.stop() } }
        let transport = SocketHTTPTransport()
        for _ in 0..<5 {
            let r = try await transport.send(HTTPRequest(url: server.url.appendingPathComponent("x")), limits: Self.limits)
            #expect(r.head.status == 200)
            #expect(String(decoding: r.body, as: UTF8.self) == #"{"ok":true}"#)
        }
        #expect(transport.idleConnections == 1)
    }

    @Test func chunkedBodyArrivesWhole() async throws {
        let chunks = (0..<20).map { Data(repeating: UInt8(ascii: "a") + UInt8($0), count: 1000) }
        let server = try await LoopbackServer.start { _ in Reply.streaming(chunks: chunks, delay: .milliseconds(1)) }
        defer { Task { await server.stop() } }
        let r = try await SocketHTTPTransport().send(HTTPRequest(url: server.url), limits: Self.limits)
        #expect(r.body == chunks.reduce(Data(), +))
    }

    @Test func postBodyReachesTheServer() async throws {
        let log = RequestLog()
        let server = try await LoopbackServer.start { req in
            _ = await log.record(req)
            return Reply.json("{}")
        }
        defer { Task { await server.stop() } }
        let body = Data(repeating: 0x41, count: 200_000)
        _ = try await SocketHTTPTransport().send(HTTPRequest(method: "POST", url: server.url.appendingPathComponent("op"), body: body),
                                                 limits: Self.limits)
        let seen = await log.requests
        #expect(seen.first?.method == "POST" && seen.first?.path == "/op" && seen.first?.body == body)
    }

    @Test func untilCloseBodyAndInterimResponse() async throws {
        let server = try await ScriptedServer.start(replies: [
            .init(bytes: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello, world", close: true),
        ])
        defer { server.stop() }
        let transport = SocketHTTPTransport()
        let r = try await transport.send(HTTPRequest(url: server.url), limits: Self.limits)
        #expect(r.head.status == 200 && String(decoding: r.body, as: UTF8.self) == "hello, world")
        #expect(transport.idleConnections == 0)
    }

    @Test func chunkedWithExtensionsAndTrailers() async throws {
        let server = try await ScriptedServer.start(replies: [
            .init(bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n"),
        ])
        defer { server.stop() }
        let transport = SocketHTTPTransport()
        let r = try await transport.send(HTTPRequest(url: server.url), limits: Self.limits)
        #expect(String(decoding: r.body, as: UTF8.self) == "hello, world")
        #expect(transport.idleConnections == 1)
    }

    @Test func staleKeptAliveConnectionIsReplaced() async throws {
        // The first reply says keep-alive but the server then closes: the second request finds the
        // pooled connection dead and goes out on a new one.
        let server = try await ScriptedServer.start(replies: [
            .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", close: true),
            .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb"),
        ])
        defer { server.stop() }
        let transport = SocketHTTPTransport()
        let first = try await transport.send(HTTPRequest(url: server.url), limits: Self.limits)
        let second = try await transport.send(HTTPRequest(url: server.url), limits: Self.limits)
        #expect(first.body == Data("a".utf8) && second.body == Data("b".utf8))
    }

    /// A negative chunk size from the server is a typed error for the caller, not a crash.
    @Test func negativeChunkSizeIsAnError() async throws {
        let server = try await ScriptedServer.start(replies: [
            .init(bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", close: true),
        ])
        defer { server.stop() }
        await #expect(throws: TransportError.other("malformed HTTP response: bad chunk size")) {
            _ = try await SocketHTTPTransport().send(HTTPRequest(url: server.url), limits: Self.limits)
        }
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
        let transport = SocketHTTPTransport()
        _ = try await transport.send(HTTPRequest(url: server.url), limits: Self.limits)
        #expect(transport.idleConnections == 1)
        let post = HTTPRequest(method: "POST", url: server.url, headers: ["Content-Type": "application/json"], body: Data("{}".utf8))
        await #expect(throws: TransportError.self) { _ = try await transport.send(post, limits: Self.limits) }
        #expect(server.heads.filter { $0.hasPrefix("POST") }.count == 1)
        // The GET's connection still waits for a later GET; the POST did not take it.
        #expect(transport.idleConnections == 1)
    }

    @Test func connectionDroppedMidBodyIsConnectionLost() async throws {
        let server = try await ScriptedServer.start(replies: [
            .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part", close: true),
        ])
        defer { server.stop() }
        await #expect(throws: TransportError.connectionLost("connection closed with 89 body bytes outstanding")) {
            _ = try await SocketHTTPTransport().send(HTTPRequest(url: server.url), limits: Self.limits)
        }
    }

    @Test func declaredLengthOverTheCapIsRefused() async throws {
        let server = try await ScriptedServer.start(replies: [
            .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"),
        ])
        defer { server.stop() }
        let limits = HTTPLimits.patient(maxBodyBytes: 1000)
        await #expect(throws: TransportError.bodyTooLarge(limit: 1000)) {
            _ = try await SocketHTTPTransport().send(HTTPRequest(url: server.url), limits: limits)
        }
    }

    @Test func callerCancellationEndsAWait() async throws {
        let server = try await LoopbackServer.start { _ in
            try await Task.sleep(for: .seconds(30))
            return Reply.json("{}")
        }
        defer { Task { await server.stop() } }
        let transport = SocketHTTPTransport()
        let task = Task { try await transport.send(HTTPRequest(url: server.url), limits: Self.limits) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: TransportError.cancelled) { _ = try await task.value }
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
                    while HTTP1Wire.headEnd(in: seen[...]) == nil {
                        guard let b = try? await client.read() else { break }
                        seen.append(b)
                    }
                    guard HTTP1Wire.headEnd(in: seen[...]) != nil else { break }
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
                            while HTTP1Wire.headEnd(in: seen[...]) == nil {
                                guard let b = try? await client.read() else { break }
                                seen.append(b)
                            }
                            guard HTTP1Wire.headEnd(in: seen[...]) != nil else { break }
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
