import Foundation
import FlyingSocks
#if canImport(Glibc)
import Glibc
#endif

/// One TCP connection to an HTTP server, non-blocking, waiting for readiness in FlyingSocks' event
/// pool (epoll on Linux): a pending response costs no CPU until bytes arrive. For https it carries a
/// TLS session, and `write`/`read` go through it.
struct HTTP1Connection: Sendable {
    let socket: AsyncSocket
    let pool: any AsyncSocketPool
    let key: String
    /// When the last exchange on it ended; an idle connection is not kept for ever.
    var idleSince: ContinuousClock.Instant
    private(set) var tls: TLSSession?

    /// Resolves `host`, connects to the first address that accepts and, given a context, completes
    /// the TLS handshake. `key` names the pool it returns to.
    static func open(_ target: HTTP1Wire.Target, key: String, tls: TLSContext?, pool: any AsyncSocketPool) async throws(TransportError) -> HTTP1Connection {
        var connection = try await connect(target, key: key, pool: pool)
        guard let tls else { return connection }
        do {
            let session = try TLSSession(context: tls, host: target.host)
            try await session.handshake(over: connection)
            connection.tls = session
            return connection
        } catch {
            connection.close()
            throw error
        }
    }

    private static func connect(_ target: HTTP1Wire.Target, key: String, pool: any AsyncSocketPool) async throws(TransportError) -> HTTP1Connection {
        let addresses = try await resolve(target.host, port: target.port)
        var lastError = TransportError.connectionRefused("no address for \(target.host)")
        for address in addresses {
            let socket: Socket
            do {
                socket = try Socket(domain: Int32(type(of: address).family), type: .stream)
            } catch {
                throw .other("cannot create a socket: \(error.localizedDescription)")
            }
            do {
                let async = try AsyncSocket(socket: socket, pool: pool)
                try await async.connect(to: address)
                return HTTP1Connection(socket: async, pool: pool, key: key, idleSince: .now)
            } catch {
                try? socket.close()
                lastError = map(error, connecting: true)
                // Only a refusal means another address may still answer.
                guard case .connectionRefused = lastError else { throw lastError }
            }
        }
        throw lastError
    }

    func write(_ data: Data) async throws(TransportError) {
        if let tls { try await tls.write(data, over: self) } else { try await rawWrite(data) }
    }

    /// Reads what is available into `buffer` (decrypted, on https); 0 means the peer closed.
    func read(into buffer: UnsafeMutableRawBufferPointer) async throws(TransportError) -> Int {
        if let tls { return try await tls.read(into: buffer, over: self) }
        return try await rawRead(into: buffer)
    }

    /// Bytes as they go on the wire.
    func rawWrite(_ data: Data) async throws(TransportError) {
        do { try await socket.write(data) } catch { throw Self.map(error, connecting: false) }
    }

    /// Reads what the socket has into `buffer`, waiting for readiness without spinning; 0 means the
    /// peer closed.
    func rawRead(into buffer: UnsafeMutableRawBufferPointer) async throws(TransportError) -> Int {
        let fd = socket.socket.file.rawValue
        while true {
            if Task.isCancelled { throw .cancelled }
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            let e = errno
            switch e {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                do { try await pool.suspendSocket(socket.socket, untilReadyFor: .read) } catch {
                    throw Self.map(error, connecting: false)
                }
            default:
                throw .connectionLost(String(cString: strerror(e)))
            }
        }
    }

    /// False when the server has closed (or, out of turn, sent something) while the connection sat
    /// idle: then it must not carry a request.
    var isReusable: Bool {
        if tls?.hasUnreadInput == true { return false }
        var byte: UInt8 = 0
        let n = recv(socket.socket.file.rawValue, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    func close() { try? socket.close() }

    static func map(_ error: any Error, connecting: Bool) -> TransportError {
        if let t = error as? TransportError { return t }
        if error is CancellationError { return .cancelled }
        guard let s = error as? SocketError else { return .other(String(describing: error)) }
        switch s {
        case .failed(_, let code, let message):
            // The request never left: safe to say so, so that mutations may fail over.
            if connecting, [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(code) {
                return .connectionRefused(message)
            }
            return connecting ? .other("connect: \(message)") : .connectionLost(message)
        case .disconnected:
            return connecting ? .connectionRefused("connection closed while connecting") : .connectionLost("connection closed by the server")
        case .blocked:
            return .other("socket unexpectedly blocked")
        case .unsupportedAddress:
            return .other("unsupported address")
        case .timeout(let message):
            return .other(message)
        }
    }

    /// getaddrinfo on a worker thread: a slow resolver must not hold a cooperative thread. An IP
    /// literal needs no resolver and no thread hop.
    private static func resolve(_ host: String, port: UInt16) async throws(TransportError) -> [any SocketAddress] {
        if let v4 = try? sockaddr_in.inet(ip4: host, port: port) { return [v4] }
        if host.contains(":"), let v6 = try? sockaddr_in6.inet6(ip6: host, port: port) { return [v6] }
        let result: Result<[any SocketAddress], TransportError> = await withCheckedContinuation { c in
            DispatchQueue.global().async { c.resume(returning: getAddresses(host, port: port)) }
        }
        return try result.get()
    }

    private static func getAddresses(_ host: String, port: UInt16) -> Result<[any SocketAddress], TransportError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            return .failure(.dnsFailure("cannot resolve \(host): \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(first) }
        var out: [any SocketAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let n = node {
            if let addr = n.pointee.ai_addr, n.pointee.ai_family == AF_INET || n.pointee.ai_family == AF_INET6 {
                var storage = sockaddr_storage()
                withUnsafeMutableBytes(of: &storage) { dst in
                    dst.copyMemory(from: UnsafeRawBufferPointer(start: addr, count: min(Int(n.pointee.ai_addrlen), dst.count)))
                }
                // As the concrete family: FlyingSocks cannot connect to a bare sockaddr_storage.
                if n.pointee.ai_family == AF_INET, let a = try? sockaddr_in.make(from: storage) { out.append(a) }
                if n.pointee.ai_family == AF_INET6, let a = try? sockaddr_in6.make(from: storage) { out.append(a) }
            }
            node = n.pointee.ai_next
        }
        return out.isEmpty ? .failure(.dnsFailure("no address for \(host)")) : .success(out)
    }
}
