#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking connection to a Unix stream socket with send and receive timeouts, so a stuck peer cannot hang the
/// caller. Closed when `close()` is called; `SSHAgent` opens one per request and closes it with `defer`.
struct UnixSocketConnection {
    private let descriptor: Int32

    init(path: String, timeoutSeconds: Int) throws(SSHSignatureError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !pathBytes.isEmpty, pathBytes.count < capacity else {
            throw .agent("socket path \"\(path)\" is empty or longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        #if canImport(Glibc)
        let streamType = Int32(SOCK_STREAM.rawValue)
        #else
        let streamType = SOCK_STREAM
        #endif
        let descriptor = socket(AF_UNIX, streamType, 0)
        guard descriptor >= 0 else { throw .agent("cannot create a socket (\(Self.lastError()))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        let timeoutSize = socklen_t(MemoryLayout<timeval>.size)
        #if canImport(Darwin)
        // Darwin has no MSG_NOSIGNAL: the socket itself is told not to raise SIGPIPE.
        var noSignal: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &noSignal, socklen_t(MemoryLayout<Int32>.size))
        #endif
        guard setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, timeoutSize) == 0,
              setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, timeoutSize) == 0
        else {
            let reason = Self.lastError()
            closeDescriptor(descriptor)
            throw .agent("cannot set socket timeouts (\(reason))")
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let reason = Self.lastError()
            closeDescriptor(descriptor)
            throw .agent("cannot connect to \(path) (\(reason)); is ssh-agent running and SSH_AUTH_SOCK current?")
        }
        self.descriptor = descriptor
    }

    func close() { closeDescriptor(descriptor) }

    func sendAll(_ bytes: [UInt8]) throws(SSHSignatureError) {
        var sent = 0
        while sent < bytes.count {
            let result = bytes[sent...].withUnsafeBytes { sendWithoutSignal(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                throw .agent("cannot write to the agent (\(Self.lastError()))")
            }
            sent += result
        }
    }

    func receive(exactly count: Int) throws(SSHSignatureError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let result = buffer[received...].withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw .agent("no answer from the agent in time") }
                throw .agent("cannot read from the agent (\(Self.lastError()))")
            }
            if result == 0 { throw .agent("the agent closed the connection") }
            received += result
        }
        return buffer
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// `send(2)` that reports a peer gone away as EPIPE instead of raising SIGPIPE, which would kill the process.
private func sendWithoutSignal(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    send(descriptor, buffer, count, Int32(MSG_NOSIGNAL))
    #else
    send(descriptor, buffer, count, 0)
    #endif
}

/// `close(2)`, named apart from `UnixSocketConnection.close()` so the struct can call it.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
