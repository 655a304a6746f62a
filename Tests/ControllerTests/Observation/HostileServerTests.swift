import Foundation
import Reconcilers
import Synchronization
import Testing
@testable import TiKVController
@testable import PDClient

/// Servers that misbehave on purpose, each on a raw loopback socket: every case ends in a typed error that
/// names the endpoint, without a crash, and with what was read bounded by the limits (asserted in bytes the
/// server managed to write, never in time).
@Suite struct HostileServerTests {
    static let limits = HTTPLimits(responseHeaderTimeout: .seconds(30), deadline: .seconds(60), maxBodyBytes: 4 << 20)

    static func pd(_ server: RawServer, limits: HTTPLimits = limits) -> PDClient {
        PDClient(configuration: PDClientConfiguration(endpoints: [server.url], followLeader: false, limits: limits,
                                                      regionListLimits: limits, retry: RetryBackoff(maxAttempts: 1)),
                 transport: CurlTransport())
    }

    /// Runs `stores()` against a server and returns the PD error, which must name the server's URL.
    static func storesError(_ script: @escaping RawServer.Script, limits: HTTPLimits = limits) async throws -> (PDError?, RawServer) {
        let server = try RawServer.start(script)
        do {
            _ = try await pd(server, limits: limits).stores()
            return (nil, server)
        } catch {
            #expect(error.url.contains("127.0.0.1:\(server.port)"), "\(error)")
            return (error, server)
        }
    }

    @Test func garbageAndTruncatedJSON() async throws {
        for body in ["<<<not json>>>", #"{"count":2,"stores":[{"store":{"id":1"#] {
            let (error, server) = try await Self.storesError { c in c.write("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)") }
            defer { server.stop() }
            #expect(error?.kind == .malformedBody, "\(String(describing: error))")
        }
    }

    @Test func html502() async throws {
        let html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
        let (error, server) = try await Self.storesError { c in
            c.write("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: \(html.utf8.count)\r\n\r\n\(html)")
        }
        defer { server.stop() }
        #expect(error?.kind == .server && error?.status == 502, "\(String(describing: error))")
    }

    @Test func contentLengthLongerThanTheBodyThenClose() async throws {
        let (error, server) = try await Self.storesError { c in c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"count\":") }
        defer { server.stop() }
        #expect(error?.kind == .connectionLost, "\(String(describing: error))")
    }

    @Test(arguments: ["-5", "FFFFFFFFFFFFFFFFFFFFFFFF", "zz", "+5", "0x10"])
    func badChunkSizes(_ size: String) async throws {
        let (error, server) = try await Self.storesError { c in
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\nhello\r\n0\r\n\r\n")
        }
        defer { server.stop() }
        #expect(error?.kind == .malformedResponse, "\(size): \(String(describing: error))")
    }

    /// A 2 GB chunked body against a 4 MiB cap: abandoned at the cap; the server could write only the cap plus
    /// what the socket buffers hold.
    @Test func twoGigabyteBodyStopsAtTheCap() async throws {
        let (error, server) = try await Self.storesError { c in
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunk = "10000\r\n" + String(repeating: " ", count: 0x10000) + "\r\n"
            for _ in 0..<(2 << 30) / 0x10000 { guard c.write(chunk) else { return } }
        }
        defer { server.stop() }
        #expect(error?.kind == .bodyTooLarge, "\(String(describing: error))")
        #expect(server.bytesWritten < 4 << 20 + 32 << 20, "wrote \(server.bytesWritten)")
    }

    /// A declared 2 GB length is refused before any body byte is taken.
    @Test func declaredTwoGigabytesIsRefusedAtTheHead() async throws {
        let (error, server) = try await Self.storesError { c in
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n")
            let chunk = String(repeating: " ", count: 0x10000)
            for _ in 0..<(2 << 30) / 0x10000 { guard c.write(chunk) else { return } }
        }
        defer { server.stop() }
        #expect(error?.kind == .bodyTooLarge, "\(String(describing: error))")
        #expect(server.bytesWritten < 32 << 20, "wrote \(server.bytesWritten)")
    }

    /// One byte a second: the low-speed limit cuts it off; the server wrote a handful of bytes, not the body.
    @Test func slowlorisHitsTheLowSpeedLimit() async throws {
        var limits = Self.limits
        limits.responseHeaderTimeout = .seconds(1)
        limits.lowSpeedBytesPerSecond = 100
        limits.lowSpeedWindow = .seconds(1)
        let (error, server) = try await Self.storesError({ c in
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            for _ in 0..<100_000 {
                guard c.write(" ") else { return }
                Thread.sleep(forTimeInterval: 1)
            }
        }, limits: limits)
        defer { server.stop() }
        #expect(error?.kind == .stalled, "\(String(describing: error))")
        #expect(server.bodyBytesAfterHead < 60, "trickled \(server.bodyBytesAfterHead)")
    }

    @Test func tenThousandHeaders() async throws {
        let (error, server) = try await Self.storesError { c in
            var head = "HTTP/1.1 200 OK\r\n"
            for i in 0..<10_000 { head += "X-Flood-\(i): \(i)\r\n" }
            c.write(head + "Content-Length: 2\r\n\r\n{}")
        }
        defer { server.stop() }
        #expect(error?.kind == .malformedResponse, "\(String(describing: error))")
    }

    /// A 3xx is an answer, never followed: the server sees one request.
    @Test func redirectLoopIsNotFollowed() async throws {
        let requests = Atomic<Int>(0)
        let (error, server) = try await Self.storesError { c in
            requests.add(1, ordering: .relaxed)
            c.write("HTTP/1.1 302 Found\r\nLocation: /pd/api/v1/stores\r\nContent-Length: 0\r\n\r\n")
        }
        defer { server.stop() }
        #expect(error?.kind == .unexpectedStatus && error?.status == 302, "\(String(describing: error))")
        #expect(requests.load(ordering: .relaxed) == 1)
    }

    @Test func resetMidBody() async throws {
        let (error, server) = try await Self.storesError { c in
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{\"count\":1,\"stores\":[")
            c.reset()
        }
        defer { server.stop() }
        #expect(error?.kind == .connectionLost, "\(String(describing: error))")
    }

    /// A mutation sent to a server that reads it and resets: maybe applied, never re-sent, and the step
    /// classification says unknown (wait for the effect).
    @Test func mutationToAServerThatResets() async throws {
        let posts = Atomic<Int>(0)
        let server = try RawServer.start { c in
            if c.head.hasPrefix("POST") { posts.add(1, ordering: .relaxed) }
            c.reset()
        }
        defer { server.stop() }
        let sender = StepSender(pd: Self.pd(server))
        let outcome = await sender.send(PDCall.cancelOperator(region: 7))
        guard case .unknown = outcome else { Issue.record("classified \(outcome)"); return }
        #expect(posts.load(ordering: .relaxed) == 0)
        let pd = Self.pd(server)
        do { _ = try await pd.send(PDCall(method: "POST", path: "/operators", body: #"{"name":"transfer-leader","region_id":1,"to_store_id":2}"#)); Issue.record("accepted") } catch {
            #expect(!error.requestNotSent && !StepSender.provablyNotApplied(error), "\(error)")
        }
        #expect(posts.load(ordering: .relaxed) == 1)
    }

    /// `regions/check/miss-peer` answering 300 MB: the count and the kept regions are read, then the transfer is
    /// closed; the server gets to write a few megabytes at most (the socket buffers), not the body.
    @Test func a300MegabyteRegionCheckIsClosedEarly() async throws {
        let one = RegionBodyGenerator.body(regions: 1)
        // The single region object of the generated body, repeated.
        let text = String(decoding: one, as: UTF8.self)
        guard let open = text.firstIndex(of: "["), let close = text.lastIndex(of: "]") else { Issue.record("fixture"); return }
        let region = String(text[text.index(after: open)..<close])
        let bodySize = 300 << 20
        let server = try RawServer.start { c in
            c.write("HTTP/1.1 200 OK\r\nContent-Length: \(bodySize)\r\n\r\n")
            var sent = 0
            let prefix = "{\"count\":1000000,\"regions\":[" + region
            guard c.write(prefix) else { return }
            sent += prefix.utf8.count
            let batch = String(repeating: "," + region, count: 64)
            while sent + batch.utf8.count < bodySize - 2 {
                guard c.write(batch) else { return }
                sent += batch.utf8.count
            }
        }
        defer { server.stop() }
        var limits = Self.limits
        limits.maxBodyBytes = 4 << 30
        let (count, kept) = try await Self.pd(server, limits: limits).regionCheck(.missPeer, keep: 64)
        #expect(count == 1_000_000)
        #expect(kept.count == 64)
        // Read stops at about the 64th region; the server writes on only until the socket buffers fill.
        #expect(server.bodyBytesAfterHead < 16 << 20, "wrote \(server.bodyBytesAfterHead) of \(bodySize)")
    }

    /// A paged region read caps its body by its limit: a page of 4 may not be a gigabyte.
    @Test func aRegionPageIsCappedByItsLimit() async throws {
        let server = try RawServer.start { c in
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunk = "10000\r\n" + String(repeating: " ", count: 0x10000) + "\r\n"
            for _ in 0..<16_384 { guard c.write(chunk) else { return } }
        }
        defer { server.stop() }
        var limits = Self.limits
        limits.maxBodyBytes = 4 << 30
        do {
            _ = try await Self.pd(server, limits: limits).regionPage(fromHexKey: "", toHexKey: "", limit: 4)
            Issue.record("accepted")
        } catch {
            #expect(error.kind == .bodyTooLarge, "\(error)")
        }
        #expect(server.bodyBytesAfterHead < PDClient.pageBodyCap(4) + 32 << 20)
    }
}

/// TLS servers that misbehave: an expired certificate, and a close without close_notify in a close-delimited body.
@Suite(.serialized) struct HostileTLSTests {
    @Test func anExpiredServerCertificateIsRefused() async throws {
        let pki = try TestPKI()
        let server = try await TLSServer.start(pki, files: ["hello": Data("x".utf8)], certificate: "expired.crt")
        defer { server.stop() }
        let error = await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(url: server.url("hello"), tls: pki.client), limits: .patient)
        }
        #expect(error?.kind == .tls && error?.delivery == .notSent, "\(String(describing: error))")
        #expect(error?.description.contains("expired") == true, "\(String(describing: error))")
        #expect(error?.description.contains("127.0.0.1:\(server.port)") == true, "\(String(describing: error))")
    }

    /// Without close_notify the end of a close-delimited body cannot be told from a truncation: an error.
    @Test func aTLSCloseWithoutCloseNotifyIsNotABody() async throws {
        let pki = try TestPKI()
        let server = try await TLSServer.startTruncating(pki)
        defer { server.stop() }
        let error = await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(url: server.url("x"), tls: pki.client), limits: .patient)
        }
        #expect(error?.kind == .tls || error?.kind == .connectionLost, "\(String(describing: error))")
        #expect(error?.description.contains("127.0.0.1:\(server.port)") == true, "\(String(describing: error))")
    }
}

/// A loopback server on a raw blocking socket, one thread per connection: it reads one request head and runs
/// the case's script, which writes what it likes. It counts the bytes the kernel accepted, so a test can bound
/// what the client read. The send buffer is kept small so that bound is tight.
final class RawServer: Sendable {
    typealias Script = @Sendable (Connection) -> Void

    let port: UInt16
    private let listener: Int32
    private let written = Atomic<Int>(0)
    private let afterHead = Atomic<Int>(0)

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    /// Every byte written to every connection.
    var bytesWritten: Int { written.load(ordering: .relaxed) }
    /// Bytes written after the first blank line of each response (the body, roughly).
    var bodyBytesAfterHead: Int { afterHead.load(ordering: .relaxed) }

    private init(port: UInt16, listener: Int32) {
        self.port = port
        self.listener = listener
    }

    static func start(_ script: @escaping Script) throws -> RawServer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackServer.ServerError.noPort }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else {
            close(fd)
            throw LoopbackServer.ServerError.noPort
        }
        let server = RawServer(port: UInt16(bigEndian: address.sin_port), listener: fd)
        Thread.detachNewThread { server.acceptLoop(script) }
        return server
    }

    private func acceptLoop(_ script: @escaping Script) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }   // the listener was shut down
            var small: Int32 = 64 << 10
            setsockopt(client, SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))
            Thread.detachNewThread { [self] in
                let connection = Connection(fd: client, server: self)
                if connection.readHead() { script(connection) }
                connection.close()
            }
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// One accepted connection, used by one thread.
    final class Connection: @unchecked Sendable {   // confined to the thread that serves it
        let fd: Int32
        private unowned let server: RawServer
        private(set) var head = ""
        /// The request's declared body.
        private(set) var body: [UInt8] = []
        private var inBody = false
        private var closed = false

        init(fd: Int32, server: RawServer) {
            self.fd = fd
            self.server = server
        }

        /// Reads one request head and a declared body.
        func readHead() -> Bool {
            var seen: [UInt8] = []
            var byte: UInt8 = 0
            while requestHeadEnd(seen) == nil {
                guard recv(fd, &byte, 1, 0) == 1, seen.count < 64 << 10 else { return false }
                seen.append(byte)
            }
            head = String(decoding: seen, as: UTF8.self)
            if let line = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
               let n = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) {
                for _ in 0..<n {
                    guard recv(fd, &byte, 1, 0) == 1 else { return false }
                    body.append(byte)
                }
            }
            return true
        }

        /// Writes all of `text`; false once the peer is gone.
        @discardableResult
        func write(_ text: String) -> Bool {
            var bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { return false }
                server.written.add(n, ordering: .relaxed)
                if inBody { server.afterHead.add(n, ordering: .relaxed) }
                offset += n
            }
            if !inBody, text.contains("\r\n\r\n") { inBody = true }
            return true
        }

        /// Closes with a TCP reset (SO_LINGER 0) instead of a FIN.
        func reset() {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            close()
        }

        func close() {
            guard !closed else { return }
            closed = true
            _ = Glibc.close(fd)
        }
    }
}
