import Foundation
import Glibc
import Synchronization

/// A PD that accepts every connection, reads each request's head and never answers: what a hung PD looks like to a
/// client. It runs on a thread of its own, not on Swift's cooperative pool, so the requests it counts are seen even
/// while the test process's other suites keep that pool busy (an in-process FlyingFox server could miss a request the
/// client had already given up on).
final class SilentHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let paths = Mutex<[String: Int]>([:])
    private let connections = Mutex<[Int32]>([])
    private let stopped = Mutex(false)

    var url: String { "http://127.0.0.1:\(port)" }
    /// How many requests asked for each path.
    var asked: [String: Int] { paths.withLock { $0 } }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    private func acceptLoop() {
        while !stopped.withLock({ $0 }) {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { if errno == EINTR { continue } else { return } }
            connections.withLock { $0.append(fd) }
            let thread = Thread { [self] in readRequests(fd) }
            thread.start()
        }
    }

    /// Counts each request head on the connection; answers nothing.
    private func readRequests(_ fd: Int32) {
        var pending = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { return }
            pending.append(contentsOf: buffer[0..<n])
            while let end = pending.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: pending[pending.startIndex..<end.lowerBound], as: UTF8.self)
                let target = head.split(separator: " ").dropFirst().first.map(String.init) ?? ""
                let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
                paths.withLock { $0[path, default: 0] += 1 }
                pending.removeSubrange(pending.startIndex..<end.upperBound)
            }
        }
    }

    func stop() {
        stopped.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in connections.withLock({ $0 }) {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }
}
