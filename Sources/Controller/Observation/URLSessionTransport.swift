import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `HTTPTransport` over URLSession (libcurl on Linux), delivering bodies chunk by chunk through the
/// data delegate: `bytes(for:)` does not exist in swift-corelibs-foundation.
final class URLSessionTransport: HTTPTransport, Sendable {
    private let session: URLSession
    private let delegate: SessionDelegate

    init() {
        let config = URLSessionConfiguration.ephemeral
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.urlCache = nil
        config.httpCookieStorage = nil
        delegate = SessionDelegate()
        session = URLSession(configuration: config, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    func stream(_ request: HTTPRequest, limits: HTTPLimits) async throws(TransportError) -> HTTPStreamingResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        for (k, v) in request.headers { urlRequest.setValue(v, forHTTPHeaderField: k) }
        // Our own timers enforce the limits; this is only a backstop.
        urlRequest.timeoutInterval = Self.seconds(limits.deadline) + 5

        let (body, bodyContinuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        let task = session.dataTask(with: urlRequest)
        let exchange = Exchange(task: task, limits: limits, body: bodyContinuation)
        bodyContinuation.onTermination = { [weak exchange] reason in
            // The consumer walked away before the end: stop the transfer (recorded as ours, so the
            // completion callback need not look at the cancellation error).
            if case .cancelled = reason { exchange?.fail(.cancelled) }
        }
        delegate.register(exchange, for: task.taskIdentifier)
        exchange.startTimers()

        let result: Result<HTTPResponseHead, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>) in
                exchange.setHeadContinuation(c)
                task.resume()
            }
        } onCancel: {
            exchange.fail(.cancelled)
        }
        switch result {
        case .success(let head): return HTTPStreamingResponse(head: head, body: body)
        case .failure(let e): throw e
        }
    }

    static func seconds(_ d: Duration) -> TimeInterval {
        let c = d.components
        return TimeInterval(c.seconds) + TimeInterval(c.attoseconds) / 1e18
    }
}

/// The state of one in-flight exchange, shared between the caller, the delegate queue and the timers.
private final class Exchange: @unchecked Sendable {
    private let lock = NSLock()
    private let task: URLSessionTask
    private let limits: HTTPLimits
    private let body: AsyncThrowingStream<Data, any Error>.Continuation
    private var headContinuation: CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>?
    private var head: HTTPResponseHead?
    private var failure: TransportError?
    private var received = 0
    private var finished = false
    private var timers: [Task<Void, Never>] = []

    init(task: URLSessionTask, limits: HTTPLimits, body: AsyncThrowingStream<Data, any Error>.Continuation) {
        self.task = task
        self.limits = limits
        self.body = body
    }

    func startTimers() {
        let limits = self.limits
        let headerTimer = Task { [weak self] in
            try? await Task.sleep(for: limits.responseHeaderTimeout)
            guard !Task.isCancelled, let self else { return }
            if self.lock.withLock({ self.head == nil }) { self.fail(.connectTimeout(limits.responseHeaderTimeout)) }
        }
        let deadlineTimer = Task { [weak self] in
            try? await Task.sleep(for: limits.deadline)
            guard !Task.isCancelled, let self else { return }
            self.fail(.requestTimeout(limits.deadline))
        }
        lock.withLock { timers = [headerTimer, deadlineTimer] }
    }

    func setHeadContinuation(_ c: CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>) {
        let early: TransportError? = lock.withLock {
            if let f = failure { return f }
            headContinuation = c
            return nil
        }
        if let early { c.resume(returning: .failure(early)) }
    }

    /// Records the first failure, cancels the transfer and wakes whoever waits.
    func fail(_ error: TransportError) {
        let (headWaiter, alreadyDone): (CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>?, Bool) = lock.withLock {
            if finished || failure != nil { return (nil, true) }
            failure = error
            let w = headContinuation
            headContinuation = nil
            return (w, false)
        }
        if alreadyDone { return }
        task.cancel()
        headWaiter?.resume(returning: .failure(error))
        body.finish(throwing: error)
    }

    func didReceive(response: URLResponse) {
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http?.allHeaderFields ?? [:] {
            if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
        }
        let h = HTTPResponseHead(status: http?.statusCode ?? 0, headers: headers)
        let waiter: CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>? = lock.withLock {
            guard failure == nil else { return nil }
            head = h
            let w = headContinuation
            headContinuation = nil
            return w
        }
        waiter?.resume(returning: .success(h))
    }

    func didReceive(data: Data) {
        let overflow: Bool = lock.withLock {
            received += data.count
            return received > limits.maxBodyBytes
        }
        if overflow {
            fail(.bodyTooLarge(limit: limits.maxBodyBytes))
        } else {
            body.yield(data)
        }
    }

    func didComplete(error: (any Error)?) {
        let settled: Bool = lock.withLock {
            timers.forEach { $0.cancel() }
            return failure != nil || finished
        }
        // Already failed (a timeout, a cap, the consumer leaving): the error is our own cancellation.
        if settled { return }
        if let error {
            fail(Self.map(error))
            return
        }
        let (waiter, failed): (CheckedContinuation<Result<HTTPResponseHead, TransportError>, Never>?, Bool) = lock.withLock {
            if failure != nil { return (nil, true) }
            finished = true
            let w = headContinuation
            headContinuation = nil
            return (w, false)
        }
        if failed { return }
        // Completed without a response object: treat as a protocol failure.
        waiter?.resume(returning: .failure(.other("no HTTP response")))
        body.finish()
    }

    private static func map(_ error: any Error) -> TransportError {
        guard let u = error as? URLError else { return .other(String(describing: error)) }
        let text = u.localizedDescription
        switch u.code {
        case .cannotConnectToHost: return .connectionRefused(text)
        case .cannotFindHost, .dnsLookupFailed: return .dnsFailure(text)
        case .timedOut: return .connectTimeout(.zero)
        case .secureConnectionFailed, .serverCertificateHasBadDate, .serverCertificateUntrusted,
             .serverCertificateHasUnknownRoot, .serverCertificateNotYetValid, .clientCertificateRejected,
             .clientCertificateRequired:
            return .tls(text)
        case .networkConnectionLost, .notConnectedToInternet: return .connectionLost(text)
        case .cancelled: return .cancelled
        default: return .other("\(u.code.rawValue): \(text)")
        }
    }
}

/// Routes URLSession callbacks to the exchange that owns each task.
private final class SessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var exchanges: [Int: Exchange] = [:]

    func register(_ e: Exchange, for id: Int) { lock.withLock { exchanges[id] = e } }
    private func exchange(_ id: Int) -> Exchange? { lock.withLock { exchanges[id] } }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        exchange(dataTask.taskIdentifier)?.didReceive(response: response)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        exchange(dataTask.taskIdentifier)?.didReceive(data: data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let e = lock.withLock { exchanges.removeValue(forKey: task.taskIdentifier) }
        e?.didComplete(error: error)
    }

    /// PD and Prometheus answer directly; never follow a redirect to somewhere unexpected.
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
