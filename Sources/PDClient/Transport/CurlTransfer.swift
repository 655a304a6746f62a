import CCurl
import Foundation
import Reconcilers
import Synchronization

/// One exchange on one libcurl easy handle, from configuration to its outcome, and the hand-over of its
/// response to the task that asked for it: the head once, then body chunks with backpressure.
///
/// Two sides touch it. The multi's thread drives the easy handle (libcurl's rule: one thread per handle)
/// and runs the header and write callbacks; the consumer awaits the head and pulls chunks. What they share
/// is in `shared`, behind a Mutex, and no lock is held while calling libcurl or resuming a continuation.
/// `easy`, `headerList`, `errorBuffer` and `parse` are touched only by the multi's thread once the transfer
/// was handed to it (before that, only by `init`): that confinement is what makes the unchecked Sendable sound.
final class CurlTransfer: @unchecked Sendable {
    /// How an exchange starts: its head, its failure, or (never from the transfer itself) the multi it was
    /// given to had just been retired by a certificate rotation.
    enum Start: Sendable {
        case head(HTTPResponseHead)
        case failed(TransportError)
        case multiRetired
    }

    typealias HeadWaiter = CheckedContinuation<Start, Never>

    /// The body buffer between the network and the consumer: past `highWater` buffered bytes the transfer is
    /// paused (`CURL_WRITEFUNC_PAUSE`, libcurl stops reading the socket); once the consumer drains it to
    /// `lowWater` it is resumed. Memory per transfer is therefore about `highWater` plus libcurl's own buffer,
    /// whatever the body size.
    static let highWater = 1 << 20
    static let lowWater = 256 << 10
    /// A response head with more lines or bytes than this is hostile (PD sends about ten headers).
    static let maxHeaderLines = 256
    static let maxHeaderBytes = 64 << 10

    let easy: UnsafeMutableRawPointer
    let multi: CurlMulti
    let limits: HTTPLimits
    let url: String
    private let isHTTPS: Bool
    private let isHead: Bool
    /// When the head must be complete (`HTTPLimits.responseHeaderTimeout`); set and read by the multi's thread only.
    var headDeadline: ContinuousClock.Instant = .now
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var parse = HeadParse()
    private var cleanedUp = false

    /// The response head as its lines arrive (multi thread only).
    private struct HeadParse {
        var status = 0
        var headers: [String: String] = [:]
        var lines = 0
        var bytes = 0
        var delivered = false
    }

    private struct Shared {
        var headWaiter: HeadWaiter?
        var chunks: [Data] = []
        var chunkIndex = 0
        var buffered = 0
        var bodyBytes = 0
        /// The write callback answered PAUSE; `resumeRequested` once the consumer asked the multi to resume.
        var paused = false
        var resumeRequested = false
        var bodyWaiter: CheckedContinuation<Void, Never>?
        /// Set by a callback or the consumer to stop the transfer; wins over libcurl's own code.
        var abortReason: TransportError.Kind?
        var abortDetail = ""
        var outcome: Result<Void, TransportError>?
        /// The failure was handed to the consumer; later pulls end the body.
        var failureReported = false
    }

    private let shared = Mutex(Shared())

    init(request: HTTPRequest, limits: HTTPLimits, multi: CurlMulti) throws(TransportError) {
        guard let easy = curl_easy_init() else { throw TransportError(.other, "libcurl could not make a handle", delivery: .notSent) }
        self.easy = easy
        self.multi = multi
        self.limits = limits
        self.url = request.url.absoluteString
        self.isHTTPS = request.url.scheme?.lowercased() == "https"
        self.isHead = request.method.uppercased() == "HEAD"
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        do {
            try configure(request)
        } catch {
            cleanUp()
            throw error
        }
    }

    deinit {
        cleanUp()
        errorBuffer.deallocate()
    }

    private func cleanUp() {
        guard !cleanedUp else { return }
        cleanedUp = true
        curl_easy_cleanup(easy)
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
    }

    // MARK: Configuration

    private func configure(_ request: HTTPRequest) throws(TransportError) {
        func set(_ option: CURLoption, _ value: Int) throws(TransportError) {
            guard ccurl_setopt_long(easy, option, value) == CURLE_OK else { throw Self.setupFailure(option) }
        }
        func set(_ option: CURLoption, _ value: String) throws(TransportError) {
            guard ccurl_setopt_string(easy, option, value) == CURLE_OK else { throw Self.setupFailure(option) }
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_URL, url)
        // Only http and https, and a 3xx is an answer, never followed: PD never redirects, so one is a
        // misconfigured proxy or a hostile server, and the client reports it as the status it is.
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_FOLLOWLOCATION, 0)
        try set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1)
        // No signals from a library thread (the process ignores SIGPIPE: `CurlGlobal`).
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_BUFFERSIZE, 64 << 10)
        // Certificates are always verified, the host name included; there is no switch to turn either off.
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        try set(CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2)
        if let tls = request.tls {
            if let ca = tls.caFile { try set(CURLOPT_CAINFO, ca) }
            if let cert = tls.certFile, let key = tls.keyFile {
                try set(CURLOPT_SSLCERT, cert)
                try set(CURLOPT_SSLCERTTYPE, "PEM")
                try set(CURLOPT_SSLKEY, key)
            }
        }
        try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(limits.connectTimeout))
        try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(limits.deadline))
        try set(CURLOPT_LOW_SPEED_LIMIT, max(1, limits.lowSpeedBytesPerSecond))
        // libcurl measures speed from the start, the server's think time included, which the response-head
        // limit already bounds: the window is never shorter than that limit, or a slow-thinking server (an
        // LLM API, a large PD query) would be cut off as "stalled" before its head was due.
        let window = max(limits.lowSpeedWindow, limits.responseHeaderTimeout)
        try set(CURLOPT_LOW_SPEED_TIME, max(1, Int(window.components.seconds) + (window.components.attoseconds > 0 ? 1 : 0)))
        // A declared Content-Length over the cap fails before any body byte; the write callback enforces it
        // for chunked and close-delimited bodies.
        guard ccurl_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(limits.maxBodyBytes)) == CURLE_OK else {
            throw Self.setupFailure(CURLOPT_MAXFILESIZE_LARGE)
        }
        guard ccurl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer) == CURLE_OK,
              ccurl_setopt_write_function(easy, CURLOPT_WRITEFUNCTION, curlWriteBody) == CURLE_OK,
              ccurl_setopt_pointer(easy, CURLOPT_WRITEDATA, me) == CURLE_OK,
              ccurl_setopt_write_function(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader) == CURLE_OK,
              ccurl_setopt_pointer(easy, CURLOPT_HEADERDATA, me) == CURLE_OK
        else { throw TransportError(.other, "libcurl refused the callbacks", delivery: .notSent) }

        let method = request.method.uppercased()
        let repeatable = method == "GET" || method == "HEAD"
        if !repeatable {
            // libcurl re-sends a request whose reused connection dies before an answer (Curl_retry_request
            // only retries on a reused connection). A mutation therefore always opens a fresh connection and
            // leaves none behind: it can never be re-sent, and never takes a kept-alive GET connection.
            try set(CURLOPT_FRESH_CONNECT, 1)
            try set(CURLOPT_FORBID_REUSE, 1)
        }
        switch method {
        case "GET": try set(CURLOPT_HTTPGET, 1)
        case "HEAD": try set(CURLOPT_NOBODY, 1)
        default:
            if method == "POST" { try set(CURLOPT_POST, 1) } else { try set(CURLOPT_CUSTOMREQUEST, method) }
        }
        if !repeatable || request.body != nil {
            let body = request.body ?? Data()
            guard ccurl_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) == CURLE_OK else {
                throw Self.setupFailure(CURLOPT_POSTFIELDSIZE_LARGE)
            }
            // COPYPOSTFIELDS copies the bytes, so the Data need not outlive this call.
            let rc = body.withUnsafeBytes { raw -> CURLcode in
                let empty: [UInt8] = [0]
                return empty.withUnsafeBytes { zero in
                    ccurl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? zero.baseAddress))
                }
            }
            guard rc == CURLE_OK else { throw Self.setupFailure(CURLOPT_COPYPOSTFIELDS) }
        }
        var lines = try Self.headerLines(request.headers)
        // No `Expect: 100-continue` round trip, and no form content type libcurl would invent for a POST.
        lines.append("Expect:")
        if !request.headers.keys.contains(where: { $0.lowercased() == "content-type" }) { lines.append("Content-Type:") }
        for line in lines {
            guard let appended = curl_slist_append(headerList, line) else {
                throw TransportError(.other, "cannot allocate request headers", delivery: .notSent)
            }
            headerList = appended
        }
        guard ccurl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList) == CURLE_OK else { throw Self.setupFailure(CURLOPT_HTTPHEADER) }
    }

    /// Header lines to send; a name that is not an HTTP token or a value with a line break would let a
    /// caller inject headers or a second request, so it is refused before anything is sent.
    static func headerLines(_ headers: [String: String]) throws(TransportError) -> [String] {
        let token = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        var lines: [String] = []
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            guard !name.isEmpty, name.utf8.allSatisfy(token.contains) else {
                throw TransportError(.other, "invalid header name \(name.debugDescription)", delivery: .notSent)
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw TransportError(.other, "invalid value for header \(name)", delivery: .notSent)
            }
            // libcurl drops a header given as "Name:"; "Name;" sends it with an empty value.
            lines.append(value.isEmpty ? name + ";" : name + ": " + value)
        }
        return lines
    }

    private static func setupFailure(_ option: CURLoption) -> TransportError {
        TransportError(.other, "libcurl refused option \(option.rawValue)", delivery: .notSent)
    }

    static func milliseconds(_ d: Duration) -> Int {
        let (seconds, attoseconds) = d.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    // MARK: Consumer side

    /// Registers who waits for the head; called before the transfer is handed to the multi.
    func awaitHead(_ waiter: HeadWaiter) {
        let early: TransportError? = shared.withLock { s in
            if case .failure(let e) = s.outcome { return e }
            s.headWaiter = waiter
            return nil
        }
        if let early { waiter.resume(returning: .failed(early)) }
    }

    /// Stops the transfer (Task cancellation, the consumer leaving the body): the multi removes the handle
    /// at its next wake-up, which this call triggers. Nothing happens once the transfer has ended.
    func cancel() {
        let needed = shared.withLock { s -> Bool in
            guard s.outcome == nil else { return false }
            if s.abortReason == nil { s.abortReason = .cancelled }
            return true
        }
        if needed { multi.abort(self) }
    }

    /// The next body chunk; nil at the end. Waits while the buffer is empty; a pull that drains the buffer
    /// to `lowWater` resumes a paused transfer.
    func nextChunk() async throws(TransportError) -> Data? {
        while true {
            enum Step { case chunk(Data, resume: Bool), end, fail(TransportError), wait }
            let step: Step = shared.withLock { s in
                if s.chunkIndex < s.chunks.count {
                    let chunk = s.chunks[s.chunkIndex]
                    s.chunkIndex += 1
                    if s.chunkIndex == s.chunks.count {
                        s.chunks.removeAll(keepingCapacity: true)
                        s.chunkIndex = 0
                    }
                    s.buffered -= chunk.count
                    let resume = s.paused && !s.resumeRequested && s.buffered <= Self.lowWater
                    if resume { s.resumeRequested = true }
                    return .chunk(chunk, resume: resume)
                }
                switch s.outcome {
                case .success?: return .end
                case .failure(let e)?:
                    if s.failureReported { return .end }
                    s.failureReported = true
                    return .fail(e)
                case nil: return .wait
                }
            }
            switch step {
            case .chunk(let data, let resume):
                if resume { multi.resume(self) }
                return data
            case .end: return nil
            case .fail(let e): throw e
            case .wait:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                        let ready = shared.withLock { s -> Bool in
                            if s.chunkIndex < s.chunks.count || s.outcome != nil { return true }
                            s.bodyWaiter = c
                            return false
                        }
                        if ready { c.resume() }
                    }
                } onCancel: {
                    self.cancel()
                }
            }
        }
    }

    // MARK: Multi-thread side

    /// True when the consumer or a callback asked to stop before the handle was added.
    var abortRequested: Bool { shared.withLock { $0.abortReason != nil } }

    /// Fails the transfer with `kind` (the head timeout, checked by the multi).
    func abort(_ kind: TransportError.Kind, _ detail: String) {
        shared.withLock { s in
            if s.abortReason == nil {
                s.abortReason = kind
                s.abortDetail = detail
            }
        }
    }

    var headDelivered: Bool { parse.delivered }

    /// Clears the pause flag and lets libcurl deliver what it held back (which may pause again).
    func resumeOnCurlThread() {
        let wasPaused = shared.withLock { s -> Bool in
            defer { s.paused = false; s.resumeRequested = false }
            return s.paused
        }
        if wasPaused { _ = ccurl_resume(easy) }
    }

    /// Connections libcurl had to open for this transfer (0: it reused one).
    var newConnections: Int {
        var n = 0
        _ = ccurl_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &n)
        return n
    }

    /// Settles the outcome after the multi removed the handle: `code` is libcurl's result, nil when the
    /// transfer was stopped from outside. The easy handle is released here.
    func complete(_ code: CURLcode?) {
        let reason = shared.withLock { s in s.abortReason.map { ($0, s.abortDetail) } }
        let error: TransportError?
        let errorText = String(cString: errorBuffer)
        let facts = CurlOutcome.Facts(easy: easy, limits: limits)
        if let (kind, detail) = reason {
            error = TransportError(kind, detail.isEmpty ? Self.describe(kind, limits: limits, url: url) : detail, delivery: facts.delivery)
        } else if let code, code != CURLE_OK {
            error = CurlOutcome.error(code, errorText: errorText, facts: facts, limits: limits, url: url)
        } else if !parse.delivered {
            error = TransportError(.malformedResponse, "\(url): no response head", delivery: facts.delivery)
        } else {
            error = nil
        }
        cleanUp()
        let (headWaiter, bodyWaiter) = shared.withLock { s -> (HeadWaiter?, CheckedContinuation<Void, Never>?) in
            s.outcome = error.map { .failure($0) } ?? .success(())
            defer { s.headWaiter = nil; s.bodyWaiter = nil }
            return (s.headWaiter, s.bodyWaiter)
        }
        if let headWaiter { headWaiter.resume(returning: .failed(error ?? TransportError(.other, "\(url): no response head", delivery: .maybeSent))) }
        bodyWaiter?.resume()
    }

    private static func describe(_ kind: TransportError.Kind, limits: HTTPLimits, url: String) -> String {
        switch kind {
        case .responseTimeout: return "\(url): no response head within \(limits.responseHeaderTimeout)"
        case .cancelled: return "\(url)"
        default: return url
        }
    }

    // MARK: Callbacks (multi thread)

    /// A chunk of body from libcurl: buffered, or refused with PAUSE when the buffer is full (libcurl then
    /// keeps it and offers it again on resume), or 0 to abort when it would pass `maxBodyBytes`.
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        let waiter: CheckedContinuation<Void, Never>?
        let answer: Int
        (answer, waiter) = shared.withLock { s -> (Int, CheckedContinuation<Void, Never>?) in
            if s.abortReason != nil { return (0, nil) }
            if s.buffered >= Self.highWater {
                s.paused = true
                return (ccurl_writefunc_pause(), nil)
            }
            s.bodyBytes += bytes.count
            if s.bodyBytes > limits.maxBodyBytes {
                s.abortReason = .bodyTooLarge
                s.abortDetail = "\(url): body larger than \(limits.maxBodyBytes) bytes"
                return (0, nil)
            }
            s.chunks.append(Data(bytes))
            s.buffered += bytes.count
            defer { s.bodyWaiter = nil }
            return (bytes.count, s.bodyWaiter)
        }
        waiter?.resume()
        return answer
    }

    /// One header line (status line, field, the blank line ending a head, or a trailer).
    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        parse.lines += 1
        parse.bytes += bytes.count
        guard parse.lines <= Self.maxHeaderLines, parse.bytes <= Self.maxHeaderBytes else {
            abort(.malformedResponse, "\(url): response head over \(Self.maxHeaderLines) lines or \(Self.maxHeaderBytes) bytes")
            return 0
        }
        if parse.delivered { return bytes.count }   // trailers after a chunked body
        // Trimmed as bytes: "\r\n" is one Character, so String's hasSuffix("\n") would not see it.
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count >= 2, let status = Int(fields[1]), (100...999).contains(status) else {
                abort(.malformedResponse, "\(url): bad status line")
                return 0
            }
            parse.status = status
            parse.headers = [:]
            return bytes.count
        }
        if line.isEmpty {
            // An interim 1xx head is followed by the real one.
            guard parse.status >= 200 else {
                parse.status = 0
                parse.headers = [:]
                return bytes.count
            }
            // libcurl (like OpenSSL 3 with SSL_OP_IGNORE_UNEXPECTED_EOF) takes a TCP close without TLS
            // close_notify for the end of the stream, so a body delimited only by the close could be cut short
            // by anyone on the path and look whole. PD and Prometheus always send a length or chunks over https:
            // a close-delimited https body is refused.
            if isHTTPS, parse.status != 204, parse.status != 304, !isHead, parse.headers["content-length"] == nil,
               !(parse.headers["transfer-encoding"]?.lowercased().contains("chunked") ?? false) {
                abort(.tls, "\(url): a body delimited only by the connection's close cannot be told from a truncation over TLS")
                return 0
            }
            parse.delivered = true
            let head = HTTPResponseHead(status: parse.status, headers: parse.headers)
            let waiter = shared.withLock { s in
                defer { s.headWaiter = nil }
                return s.headWaiter
            }
            waiter?.resume(returning: .head(head))
            return bytes.count
        }
        guard let colon = line.firstIndex(of: ":") else { return bytes.count }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if let existing = parse.headers[name] {
            parse.headers[name] = existing + ", " + value
        } else {
            parse.headers[name] = value
        }
        return bytes.count
    }
}

/// libcurl's write and header callbacks: the user data is the transfer, kept alive by the multi while
/// the handle is attached (the only time libcurl calls these).
private let curlWriteBody: curl_write_callback = { pointer, size, count, user in
    guard let pointer, let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: pointer, count: size * count))
}

private let curlWriteHeader: curl_write_callback = { pointer, size, count, user in
    guard let pointer, let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.receiveHeader(UnsafeRawBufferPointer(start: pointer, count: size * count))
}
