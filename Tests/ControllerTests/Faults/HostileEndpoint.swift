import Foundation
import Synchronization

/// A loopback server that answers as a hostile PD, Prometheus or model API would (`RawServer`, one thread per
/// connection): endless bodies, a declared 2 GB, bodies that do not parse. It counts the mutations (POST, PUT, PATCH,
/// DELETE) and the requests that reached it, so a test can say that nothing was sent to change the cluster.
final class HostileEndpoint: Sendable {
    /// What every request to `path` (or to any path, when nil) is answered with; other paths get a 404.
    enum Answer: Sendable {
        /// 200, chunked, `prefix` and then spaces until the client goes away.
        case endless(prefix: String)
        /// 200 declaring a 2 GiB `Content-Length`, then spaces until the client goes away.
        case declaredTwoGigabytes
        /// 200 with this body, whole.
        case body(String)
    }

    let server: RawServer
    private let counts: Counts

    final class Counts: Sendable {
        let requests = Atomic<Int>(0)
        let mutations = Atomic<Int>(0)
    }

    var url: String { server.url.absoluteString }
    var requests: Int { counts.requests.load(ordering: .relaxed) }
    var mutations: Int { counts.mutations.load(ordering: .relaxed) }

    private init(server: RawServer, counts: Counts) {
        self.server = server
        self.counts = counts
    }

    static func start(path: String?, _ answer: Answer) throws -> HostileEndpoint {
        let counts = Counts()
        let server = try RawServer.start { c in
            counts.requests.add(1, ordering: .relaxed)
            let requestLine = c.head.prefix { $0 != "\r" }
            let parts = requestLine.split(separator: " ")
            let method = parts.first.map(String.init) ?? ""
            let target = parts.dropFirst().first.map { String($0.prefix { $0 != "?" }) } ?? ""
            if ["POST", "PUT", "PATCH", "DELETE"].contains(method), path.map({ target != $0 }) ?? false {
                // A mutation of PD: refused, and counted.
                counts.mutations.add(1, ordering: .relaxed)
                c.write("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            }
            guard path.map({ target == $0 }) ?? true else {
                c.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            }
            let spaces = String(repeating: " ", count: 0x10000)
            switch answer {
            case .endless(let prefix):
                let chunk = "10000\r\n" + spaces + "\r\n"
                guard c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                              + String(prefix.utf8.count, radix: 16) + "\r\n" + prefix + "\r\n") else { return }
                while c.write(chunk) {}
            case .declaredTwoGigabytes:
                guard c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n") else { return }
                while c.write(spaces) {}
            case .body(let text):
                c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n" + text)
            }
        }
        return HostileEndpoint(server: server, counts: counts)
    }

    func stop() { server.stop() }
}
