import ControllerRuntime
import Foundation
import Reconcilers
import Testing
import TestSupport
@testable import Operator
@testable import PDClient

/// https through the libcurl transport against real TLS servers (`openssl s_server`, Python's
/// http.server), which ask for a client certificate as a TiDB cluster with TLS does, over certificates
/// made for the test.
@Suite(.serialized)
struct TLSTransportTests {
    @Test func mutualTLSWithTheClusterCA() async throws {
        let pki = try TestPKI()
        let server = try await TLSServer.start(pki, files: ["hello": Data("hello over TLS".utf8),
                                                           "pd/api/v1/stores": try PDFixtures.data("stores.json")])
        defer { server.stop() }
        let transport = CurlTransport()
        let hello = try await transport.send(HTTPRequest(url: server.url("hello"), tls: pki.client), limits: .patient)
        #expect(hello.head.status == 200)
        #expect(String(decoding: hello.body, as: UTF8.self) == "hello over TLS")

        // The PD client, as a TiKVCluster with `pd.tls` builds it.
        let pd = PDClient(configuration: PDClientConfiguration(endpoints: [server.url("")], followLeader: false, limits: .patient,
                                                               retry: RetryBackoff(maxAttempts: 1), tls: pki.client),
                          transport: transport)
        let stores = try await pd.stores()
        #expect(!stores.stores.isEmpty)
    }

    /// A kept-alive TLS connection carries the next request: Python's HTTP/1.1 server answers each
    /// request with the client port of the connection it came on.
    @Test func keepAliveOverTLSReusesTheConnection() async throws {
        let pki = try TestPKI()
        let server = try await TLSServer.startKeepAlive(pki)
        defer { server.stop() }
        let transport = CurlTransport()
        var ports: [String] = []
        for i in 0..<3 {
            let r = try await transport.send(HTTPRequest(url: server.url("r\(i)"), tls: pki.client), limits: .patient)
            #expect(r.head.status == 200)
            ports.append(String(decoding: r.body, as: UTF8.self))
        }
        #expect(Set(ports).count == 1, "\(ports)")
        #expect(transport.connectionsOpened == 1)
    }

    @Test func aServerCertificateFromAnotherCAIsRefused() async throws {
        let pki = try TestPKI()
        let server = try await TLSServer.start(pki, files: ["hello": Data("x".utf8)])
        defer { server.stop() }
        let strangers = TLSFiles(caFile: pki.path("other-ca.crt"), certFile: pki.client.certFile, keyFile: pki.client.keyFile)
        let error = await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(url: server.url("hello"), tls: strangers), limits: .patient)
        }
        #expect(error?.description.contains("the server's certificate was not accepted") == true, "\(String(describing: error))")
    }

    @Test func theCertificateMustNameTheHost() async throws {
        let pki = try TestPKI()
        let server = try await TLSServer.start(pki, files: ["hello": Data("x".utf8)])
        defer { server.stop() }
        // The server's certificate names 127.0.0.1 only; "localhost" reaches the same socket.
        let url = try #require(URL(string: "https://localhost:\(server.port)/hello"))
        let error = await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(url: url, tls: pki.client), limits: .patient)
        }
        #expect(error?.kind == .tls && error?.delivery == .notSent, "\(String(describing: error))")
        #expect(error?.description.contains("the server's certificate was not accepted") == true, "\(String(describing: error))")
        #expect(error?.description.contains("localhost") == true, "\(String(describing: error))")
    }

    @Test func withoutAClientCertificateTheServerRefuses() async throws {
        let pki = try TestPKI()
        let server = try await TLSServer.start(pki, files: ["hello": Data("x".utf8)])
        defer { server.stop() }
        let caOnly = TLSFiles(caFile: pki.client.caFile)
        await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(url: server.url("hello"), tls: caOnly), limits: .patient)
        }
    }

    @Test func unreadableFilesAreClearErrors() async throws {
        let pki = try TestPKI()
        let server = try await TLSServer.start(pki, files: ["hello": Data("x".utf8)])
        defer { server.stop() }
        let missing = await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(url: server.url("hello"), tls: TLSFiles(caFile: "/nonexistent/ca.crt")), limits: .patient)
        }
        #expect(missing?.description.contains("cannot read the CA file /nonexistent/ca.crt") == true, "\(String(describing: missing))")
        #expect(missing?.delivery == .notSent)
        let wrongKey = TLSFiles(caFile: pki.client.caFile, certFile: pki.client.certFile, keyFile: pki.path("server.key"))
        let error = await #expect(throws: TransportError.self) {
            _ = try await CurlTransport().send(HTTPRequest(url: server.url("hello"), tls: wrongKey), limits: .patient)
        }
        #expect(error?.kind == .tls && error?.delivery == .notSent, "\(String(describing: error))")
        #expect(error?.description.contains("the client certificate or key cannot be used") == true, "\(String(describing: error))")
    }

    /// A rotated certificate (a new file content, a new modification time) is used by the next request: the
    /// kept-alive connection made with the old files is not reused.
    @Test func aRotatedCertificateIsPickedUp() async throws {
        let pki = try TestPKI()
        let server = try await TLSServer.startKeepAlive(pki)
        defer { server.stop() }
        let transport = CurlTransport()
        for i in 0..<2 { _ = try await transport.send(HTTPRequest(url: server.url("a\(i)"), tls: pki.client), limits: .patient) }
        #expect(transport.connectionsOpened == 1)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: pki.client.certFile ?? "")
        for i in 0..<2 { _ = try await transport.send(HTTPRequest(url: server.url("b\(i)"), tls: pki.client), limits: .patient) }
        #expect(transport.connectionsOpened == 2)
    }
}

extension TLSTransportTests {
    /// Kubernetes rotates a mounted Secret by writing the new files into a fresh directory and swapping the
    /// `..data` symlink; `ca.crt` itself stays a link to `..data/ca.crt`. The context must follow the swap.
    @Test func aSecretSymlinkSwapIsPickedUp() async throws {
        let pki = try TestPKI()
        let fm = FileManager.default
        let volume = pki.path("volume")
        try fm.createDirectory(atPath: volume + "/..2026_12_07_a", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: volume + "/..2026_12_07_b", withIntermediateDirectories: true)
        for name in ["ca.crt", "client.crt", "client.key"] {
            try fm.copyItem(atPath: pki.path(name), toPath: volume + "/..2026_12_07_a/" + name)
            try fm.copyItem(atPath: pki.path(name), toPath: volume + "/..2026_12_07_b/" + name)
        }
        // Same content and, on purpose, the same modification time in both generations.
        let stamp = Date(timeIntervalSince1970: 1_765_000_000)
        for dir in ["a", "b"] {
            for name in ["ca.crt", "client.crt", "client.key"] {
                try fm.setAttributes([.modificationDate: stamp], ofItemAtPath: volume + "/..2026_12_07_\(dir)/" + name)
            }
        }
        try fm.createSymbolicLink(atPath: volume + "/..data", withDestinationPath: "..2026_12_07_a")
        for name in ["ca.crt", "client.crt", "client.key"] {
            try fm.createSymbolicLink(atPath: volume + "/" + name, withDestinationPath: "..data/" + name)
        }
        let files = TLSFiles(caFile: volume + "/ca.crt", certFile: volume + "/client.crt", keyFile: volume + "/client.key")
        let server = try await TLSServer.startKeepAlive(pki)
        defer { server.stop() }
        let transport = CurlTransport()
        for i in 0..<2 { _ = try await transport.send(HTTPRequest(url: server.url("a\(i)"), tls: files), limits: .patient) }
        #expect(transport.connectionsOpened == 1)
        // The kubelet's swap: a new link, renamed over `..data` in one step.
        try fm.createSymbolicLink(atPath: volume + "/..data_tmp", withDestinationPath: "..2026_12_07_b")
        #expect(rename(volume + "/..data_tmp", volume + "/..data") == 0)
        // The next request uses the new generation (a new connection), and the one after reuses that.
        for i in 0..<2 { _ = try await transport.send(HTTPRequest(url: server.url("b\(i)"), tls: files), limits: .patient) }
        #expect(transport.connectionsOpened == 2)
    }
}

/// A CA, a server certificate for 127.0.0.1, a client certificate, and an unrelated CA, made with the
/// openssl command line in a temporary directory.
struct TestPKI {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        let steps = [
            "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=test-ca",
            "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout other-ca.key -out other-ca.crt -days 2 -subj /CN=other-ca",
            "req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj /CN=pd",
            "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext",
            "req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout client.key -out client.csr -subj /CN=operator",
            "x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2 -extfile client.ext",
            // Valid for 127.0.0.1 and signed by the CA, but its notAfter is a day before its notBefore: expired.
            "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out expired.crt -days -1 -extfile server.ext",
        ]
        try "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n".write(toFile: directory.path("server.ext"), atomically: false, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: directory.path("client.ext"), atomically: false, encoding: .utf8)
        for step in steps {
            let p = Subprocess()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = step.split(separator: " ").map(String.init)
            p.currentDirectoryURL = directory.url
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw PKIError(step: step) }
        }
    }

    struct PKIError: Error { let step: String }

    func path(_ name: String) -> String { directory.path(name) }

    /// What a TiKVCluster's `tls` would name: the cluster CA and the client certificate.
    var client: TLSFiles { TLSFiles(caFile: path("ca.crt"), certFile: path("client.crt"), keyFile: path("client.key")) }
}

/// A TLS server on 127.0.0.1 that requires a client certificate signed by the test CA:
/// `openssl s_server -HTTP` (whole responses from files in its own directory, a connection per request), or
/// Python's HTTP/1.1 server (keep-alive).
final class TLSServer: @unchecked Sendable {   // immutable after start; Subprocess is safe to terminate from any thread
    let port: Int
    private let process: Subprocess
    private let root: TemporaryDirectory

    private init(port: Int, process: Subprocess, root: TemporaryDirectory) {
        self.port = port
        self.process = process
        self.root = root
    }

    /// Python's HTTP/1.1 server over TLS, keeping connections alive and requiring a client certificate.
    static func startKeepAlive(_ pki: TestPKI) async throws -> TLSServer {
        let root = try TemporaryDirectory()
        try keepAliveScript.write(toFile: root.path("server.py"), atomically: false, encoding: .utf8)
        let port = try PrometheusProcess.freePort()
        return try await launch(URL(fileURLWithPath: "/usr/bin/env"),
                                ["python3", root.path("server.py"), String(port), pki.path("server.crt"), pki.path("server.key"), pki.path("ca.crt")],
                                port: port, root: root)
    }

    private static let keepAliveScript = """
    import http.server, ssl, sys
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            body = str(self.client_address[1]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *args):
            pass
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[2], sys.argv[3])
    context.load_verify_locations(sys.argv[4])
    context.verify_mode = ssl.CERT_REQUIRED
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()
    """

    /// Python's TLS server answering a close-delimited HTTP/1.0 body and closing the TCP connection without
    /// TLS close_notify (a truncation the client must not take for the end of the body).
    static func startTruncating(_ pki: TestPKI) async throws -> TLSServer {
        let root = try TemporaryDirectory()
        try truncatingScript.write(toFile: root.path("server.py"), atomically: false, encoding: .utf8)
        let port = try PrometheusProcess.freePort()
        return try await launch(URL(fileURLWithPath: "/usr/bin/env"),
                                ["python3", root.path("server.py"), String(port), pki.path("server.crt"), pki.path("server.key")],
                                port: port, root: root)
    }

    private static let truncatingScript = """
    import socket, ssl, sys
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[2], sys.argv[3])
    listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
    while True:
        raw, _ = listener.accept()
        try:
            conn = context.wrap_socket(raw, server_side=True)
            data = b""
            while b"\\r\\n\\r\\n" not in data:
                more = conn.recv(4096)
                if not more:
                    break
                data += more
            conn.sendall(b"HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\npart of a bo")
            # SSLSocket.close() sends no close_notify (only unwrap() would): the TCP connection just ends.
            conn.close()
        except Exception:
            raw.close()
    """

    static func start(_ pki: TestPKI, files: [String: Data], certificate: String = "server.crt") async throws -> TLSServer {
        let root = try TemporaryDirectory()
        for (name, data) in files {
            let url = root.url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            // `-HTTP` serves each file as a whole response: a length, so the body's end is known over TLS.
            try (Data("HTTP/1.0 200 ok\r\nContent-Type: text/plain\r\nContent-Length: \(data.count)\r\n\r\n".utf8) + data).write(to: url)
        }
        let port = try PrometheusProcess.freePort()
        return try await launch(URL(fileURLWithPath: "/usr/bin/openssl"),
                                ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", pki.path(certificate), "-key", pki.path("server.key"),
                                 "-CAfile", pki.path("ca.crt"), "-Verify", "1", "-HTTP", "-quiet", "-naccept", "50"],
                                port: port, root: root)
    }

    private static func launch(_ executable: URL, _ arguments: [String], port: Int, root: TemporaryDirectory) async throws -> TLSServer {
        let p = Subprocess()
        p.executableURL = executable
        p.arguments = arguments
        p.currentDirectoryURL = root.url
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let server = TLSServer(port: port, process: p, root: root)
        // Ready once it accepts a TCP connection.
        guard await eventually(timeout: .seconds(30), { Self.accepts(port) }) else {
            server.stop()
            throw LoopbackServer.ServerError.noPort
        }
        return server
    }

    func url(_ path: String) -> URL { URL(string: "https://127.0.0.1:\(port)/\(path)")! }

    /// SIGKILL: a child spawned from a dispatch thread inherits that thread's blocked signals, SIGTERM
    /// among them, and openssl does not unblock it.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
