import Foundation
import FlyingSocks
import Reconcilers
import Synchronization

/// `HTTPTransport` speaking HTTP/1.1 itself over non-blocking sockets (FlyingSocks' epoll pool),
/// with keep-alive connections reused per host, and TLS through the system's OpenSSL for https.
///
/// Why not URLSession: on Linux it registers a libdispatch write source for a connection while it
/// connects and never cancels it when libcurl then asks for reads only, so the writable socket wakes
/// the multi handle in a loop for as long as the server thinks — about half a core per fresh
/// connection waiting on a slow answer (measured: 0.8 s CPU for one 2 s wait; none on a reused
/// connection). Here a pending response is a suspended continuation and costs nothing.
/// (URLSession on Linux would also offer no client certificates, which a TiDB cluster with TLS requires.)
final class SocketHTTPTransport: HTTPTransport, Sendable {
    private let idle: HTTP1IdleConnections
    private let contexts = TLSContexts()

    init(maxIdlePerHost: Int = 16) {
        idle = HTTP1IdleConnections(maxPerHost: maxIdlePerHost)
    }

    /// Connections now waiting for reuse (for tests).
    var idleConnections: Int { idle.count }

    func stream(_ request: HTTPRequest, limits: HTTPLimits) async throws(TransportError) -> HTTPStreamingResponse {
        guard let target = HTTP1Wire.Target(request.url) else { throw .other("unsupported URL \(request.url.absoluteString)") }
        let bytes = try HTTP1Wire.serialize(request, target: target)
        // Connections are pooled per origin and per client identity: one made with other certificates
        // must not carry this request.
        let tls = target.secure ? try contexts.context(for: request.tls) : nil
        let key = target.key + (target.secure ? Self.identity(request.tls) : "")
        let (body, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let exchange = SocketExchange(body: continuation)
        continuation.onTermination = { [weak exchange] reason in
            // The consumer walked away before the end: stop reading and drop the connection.
            if case .cancelled = reason { exchange?.fail(.cancelled) }
        }
        let idle = self.idle
        let method = request.method
        let result: Result<HTTPResponseHead, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { waiter in
                exchange.start(headWaiter: waiter, limits: limits) {
                    await Self.run(exchange, request: bytes, method: method, target: target, key: key, tls: tls, limits: limits, idle: idle)
                }
            }
        } onCancel: {
            exchange.fail(.cancelled)
        }
        switch result {
        case .success(let head): return HTTPStreamingResponse(head: head, body: body)
        case .failure(let e): throw e
        }
    }

    private static func identity(_ files: TLSFiles?) -> String {
        guard let files else { return " system-ca" }
        return " " + [files.caFile, files.certFile, files.keyFile].map { $0 ?? "-" }.joined(separator: " ")
    }

    /// The exchange itself: connect or reuse, write, read the head, stream the body.
    private static func run(_ exchange: SocketExchange, request bytes: Data, method: String, target: HTTP1Wire.Target,
                            key: String, tls: TLSContext?, limits: HTTPLimits, idle: HTTP1IdleConnections) async {
        do throws(TransportError) {
            let pool = try await eventPool()
            var retried = false
            // Only a request that may be repeated (RFC 9110 §9.2.2: GET, HEAD) rides a kept-alive connection:
            // a server may read a request on one and close it without answering, and then nobody can tell
            // whether a mutation was applied. A mutation goes out on a fresh connection and is never re-sent.
            let repeatable = method == "GET" || method == "HEAD"
            while true {
                let reused = repeatable ? idle.take(key) : nil
                let connection: HTTP1Connection
                if let reused {
                    connection = reused
                } else {
                    connection = try await HTTP1Connection.open(target, key: key, tls: tls, pool: pool)
                }
                var reader = HTTP1Reader(connection)
                let head: HTTP1Wire.ResponseHead
                do {
                    try await connection.write(bytes)
                    head = try await reader.readHead(method: method)
                } catch {
                    connection.close()
                    // A kept-alive connection the server closed as we wrote: it answered nothing, so
                    // one fresh connection may carry the request (as browsers and curl do).
                    if reused != nil, !retried, reader.received == 0, case .connectionLost = error {
                        retried = true
                        continue
                    }
                    throw error
                }
                guard exchange.deliver(head.head) else { connection.close(); return }
                do {
                    try await readBody(head, reader: &reader, limits: limits, exchange: exchange)
                } catch {
                    connection.close()
                    throw error
                }
                if head.keepAlive, reader.isClean, !Task.isCancelled { idle.put(connection) } else { connection.close() }
                exchange.finish()
                return
            }
        } catch {
            exchange.fail(error)
        }
    }

    private static let sharedPool = Mutex<(any AsyncSocketPool)?>(nil)

    /// FlyingSocks' process-wide client pool (epoll on Linux), remembered so that a request does
    /// not hop through the actor that starts it.
    private static func eventPool() async throws(TransportError) -> any AsyncSocketPool {
        if let pool = sharedPool.withLock({ $0 }) { return pool }
        do {
            let pool: any AsyncSocketPool = try await SocketPool<Poll>.client
            sharedPool.withLock { $0 = pool }
            return pool
        } catch {
            throw .other("socket pool: \(error.localizedDescription)")
        }
    }

    private static func readBody(_ head: HTTP1Wire.ResponseHead, reader: inout HTTP1Reader, limits: HTTPLimits,
                                 exchange: SocketExchange) async throws(TransportError) {
        if case .length(let n) = head.framing, n > limits.maxBodyBytes { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
        var progress = HTTP1Reader.BodyProgress(head.framing)
        var total = 0
        while let chunk = try await reader.nextBodyChunk(&progress) {
            total += chunk.count
            guard total <= limits.maxBodyBytes else { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
            guard exchange.yield(chunk) else { throw .cancelled }
        }
    }
}

/// One exchange's outcome, settled once: the first failure or the end of the body wins; the
/// caller waiting for the head, the body's consumer and the timers all learn it from here.
private final class SocketExchange: Sendable {
    typealias HeadWaiter = CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>

    private struct State {
        var headWaiter: HeadWaiter?
        var headDelivered = false
        var failure: TransportError?
        var finished = false
        var tasks: [Task<Void, Never>] = []
        var settled: Bool { failure != nil || finished }
    }

    private let state = Mutex(State())
    private let body: AsyncThrowingStream<Data, any Error>.Continuation

    init(body: AsyncThrowingStream<Data, any Error>.Continuation) { self.body = body }

    /// Starts the work and its two timers: no head by `responseHeaderTimeout` is a connect timeout,
    /// no end by `deadline` a request timeout.
    func start(headWaiter: HeadWaiter, limits: HTTPLimits, work: @escaping @Sendable () async -> Void) {
        let early: TransportError? = state.withLock { s in
            if let f = s.failure { return f }
            s.headWaiter = headWaiter
            return nil
        }
        if let early { headWaiter.resume(returning: .failure(early)); return }
        let tasks = [
            Task { await work() },
            Task { [weak self] in
                try? await Task.sleep(for: limits.responseHeaderTimeout)
                guard !Task.isCancelled else { return }
                self?.fail(.connectTimeout(limits.responseHeaderTimeout), onlyBeforeHead: true)
            },
            Task { [weak self] in
                try? await Task.sleep(for: limits.deadline)
                guard !Task.isCancelled else { return }
                self?.fail(.requestTimeout(limits.deadline))
            },
        ]
        let alreadySettled: Bool = state.withLock { s in
            if s.settled { return true }
            s.tasks = tasks
            return false
        }
        if alreadySettled { tasks.forEach { $0.cancel() } }
    }

    /// Hands the head to the caller; false if the exchange already failed.
    func deliver(_ head: HTTPResponseHead) -> Bool {
        let (ok, waiter): (Bool, HeadWaiter?) = state.withLock { s in
            if s.settled { return (false, nil) }
            s.headDelivered = true
            defer { s.headWaiter = nil }
            return (true, s.headWaiter)
        }
        waiter?.resume(returning: .success(head))
        return ok
    }

    /// Passes a body chunk on; false once the exchange failed or the consumer left.
    func yield(_ chunk: Data) -> Bool {
        if state.withLock({ $0.settled }) { return false }
        if case .terminated = body.yield(chunk) { return false }
        return true
    }

    func finish() {
        let tasks: [Task<Void, Never>]? = state.withLock { s in
            if s.settled { return nil }
            s.finished = true
            defer { s.tasks = [] }
            return s.tasks
        }
        guard let tasks else { return }
        tasks.forEach { $0.cancel() }
        body.finish()
    }

    /// Records the first failure, stops the work and the timers, and wakes whoever waits.
    func fail(_ error: TransportError, onlyBeforeHead: Bool = false) {
        let outcome: (waiter: HeadWaiter?, tasks: [Task<Void, Never>])? = state.withLock { s in
            if s.settled || (onlyBeforeHead && s.headDelivered) { return nil }
            s.failure = error
            defer { s.headWaiter = nil; s.tasks = [] }
            return (s.headWaiter, s.tasks)
        }
        guard let outcome else { return }
        outcome.tasks.forEach { $0.cancel() }
        outcome.waiter?.resume(returning: .failure(error))
        body.finish(throwing: error)
    }
}
