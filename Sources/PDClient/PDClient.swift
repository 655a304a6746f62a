import Foundation
import PDWire
import Reconcilers

/// The controller's view of PD over its HTTP API (`/pd/api/v1`), following the leader across
/// members, bounding every exchange, and decoding region lists as streams.
///
/// Reads are idempotent and retried with jittered backoff; mutations are sent once (they move to
/// another member only when the request certainly never reached a server).
package actor PDClient {
    let configuration: PDClientConfiguration
    private let transport: any HTTPTransport
    /// The leader's client URL as `/leader` last reported it.
    private(set) var leaderURL: URL?
    /// The member that answered last; tried first next time.
    private(set) var lastGoodURL: URL?
    private var leaderLookupDone = false
    /// PD's clock as the `Date` header of its last answer gave it (one-second resolution); nil until PD answered
    /// with one. Everything PD stamps (heartbeats, operator times) is on PD's clock, so the observer compares it
    /// with its own.
    private(set) var lastPDDate: Date?

    /// PD's clock minus the caller's `now`, read right after an answer that started when `now` was taken: the
    /// time the answer took is the error (plus the header's second), and the caller's clock may be virtual.
    package func clockOffset(now: Date) -> TimeInterval? {
        lastPDDate.map { $0.timeIntervalSince(now) }
    }

    static let apiPrefix = "/pd/api/v1"

    package init(configuration: PDClientConfiguration, transport: any HTTPTransport = CurlTransport()) {
        self.configuration = configuration
        self.transport = transport
    }

    // MARK: Stores

    /// `GET /stores`: Up and Offline stores; with `includeTombstone`, Tombstones too (`?state=0&state=1&state=2`).
    package func stores(includeTombstone: Bool = false) async throws(PDError) -> StoresInfo {
        let q: [URLQueryItem] = includeTombstone ? ["0", "1", "2"].map { URLQueryItem(name: "state", value: $0) } : []
        return try await get("/stores", query: q, as: StoresInfo.self)
    }

    // MARK: Regions

    /// `GET /regions/store/{id}?type=…`.
    package nonisolated func regions(onStore id: UInt64, type: StoreRegionType = .all) -> AsyncThrowingStream<RegionInfo, any Error> {
        regionStream("/regions/store/\(id)", query: [URLQueryItem(name: "type", value: type.rawValue)])
    }

    /// `GET /regions/check/<kind>`: PD's exact count and the first `keep` regions, decoded as a stream so
    /// a long list is never held. PD writes `count` before `regions`, so once the count and `keep` regions are
    /// read the transfer is closed: on a broken cluster the rest of a list of hundreds of megabytes is never
    /// downloaded. A body without `count` before the regions (not PD's shape, but well-formed) is read to its
    /// end and its regions counted, bounded by `regionListLimits`.
    package func regionCheck(_ check: RegionCheck, keep: Int) async throws(PDError) -> (count: Int, regions: [RegionInfo]) {
        let path = "/regions/check/\(check.rawValue)"
        let opened = try await openRegionList(path, query: [])
        var decoder = RegionStreamDecoder()
        var kept: [RegionInfo] = []
        do {
            for try await chunk in opened.response.body {
                try decoder.feed(chunk) { if kept.count < keep { kept.append($0) } }
                if decoder.hasCount(andRegions: keep) { return (decoder.count ?? decoder.regionsDecoded, kept) }
            }
            try decoder.finish()
        } catch let e as RegionDecodeError {
            throw PDError(kind: .malformedBody, message: e.description, url: opened.url)
        } catch let e as TransportError {
            throw PDError.from(e, url: opened.url)
        } catch {
            throw PDError(kind: .transport, message: String(describing: error), url: opened.url)
        }
        return (decoder.count ?? decoder.regionsDecoded, kept)
    }

    /// `GET /regions/check/hist-size?bound=` or `hist-keys?bound=`.
    package func regionHistogram(_ kind: RegionHistogramKind, bound: Int? = nil) async throws(PDError) -> [RegionHistogramBucket] {
        let q = bound.map { [URLQueryItem(name: "bound", value: String($0))] } ?? []
        return try await get("/regions/check/\(kind.rawValue)", query: q, as: [RegionHistogramBucket]?.self) ?? []
    }

    package func region(id: UInt64) async throws(PDError) -> RegionInfo {
        try await get("/region/id/\(id)", as: RegionInfo.self)
    }

    package func regionCount() async throws(PDError) -> Int {
        try await get("/regions/count", as: PDRegionCount.self).count
    }

    /// Key-ordered pages of `GET /regions/key` (pd-ctl's `region scan` recipe, API.md §3.5).
    package nonisolated func regionPages(fromHexKey start: String = "", toHexKey end: String = "", pageSize: Int = 1024) -> RegionPages {
        RegionPages(client: self, startKey: start, endKey: end, pageSize: pageSize)
    }

    /// One page of `GET /regions/key?key=&end_key=&limit=&format=hex`.
    func regionPage(fromHexKey key: String, toHexKey end: String, limit: Int) async throws(PDError) -> [RegionInfo] {
        var q = [URLQueryItem(name: "key", value: key), URLQueryItem(name: "format", value: "hex"),
                 URLQueryItem(name: "limit", value: String(limit))]
        if !end.isEmpty { q.append(URLQueryItem(name: "end_key", value: end)) }
        return try await collectRegions("/regions/key", query: q, maxBodyBytes: Self.pageBodyCap(limit))
    }

    /// A page of `limit` regions is about 1 KiB each (more with long keys or many peers); 64 KiB each is far
    /// above any real region and still bounds what a server can make one page cost.
    static func pageBodyCap(_ limit: Int) -> Int { (max(1, limit) + 1) * (64 << 10) }

    // MARK: Hot spots

    package func hotRegions(_ direction: HotDirection) async throws(PDError) -> StoreHotPeersInfos {
        try await get("/hotspot/regions/\(direction.rawValue)", as: StoreHotPeersInfos.self)
    }

    // MARK: Operators

    /// `GET /operators` as PD's strings, unparsed, so one text this client cannot parse does not hide the others.
    package func operatorTexts() async throws(PDError) -> [String] {
        try await get("/operators", as: [String]?.self) ?? []
    }

    /// `GET /operators/{region}`; `nil` when PD has neither a running operator nor a record of the
    /// last 10 minutes (PD's 500 `ErrOperatorNotFound`).
    package func operatorStatus(regionID: UInt64) async throws(PDError) -> OperatorWithStatus? {
        do {
            return try await get("/operators/\(regionID)", as: OperatorWithStatus.self)
        } catch where error.kind == .notFound {
            return nil
        }
    }

    /// Sends a planned mutation as it is: `call`'s method, path, query and body bytes.
    package func send(_ call: PDCall) async throws(PDError) -> String {
        try await mutate(call.method, call.path, query: call.query.map { URLQueryItem(name: $0.0, value: $0.1) },
                         body: call.body.map { Data($0.utf8) })
    }

    // MARK: Schedulers

    package func schedulers() async throws(PDError) -> [String] {
        try await get("/schedulers", as: [String]?.self) ?? []
    }

    package func pausedSchedulers() async throws(PDError) -> [PausedScheduler] {
        try await get("/schedulers", query: [URLQueryItem(name: "status", value: "paused"), URLQueryItem(name: "timestamp", value: "true")],
                      as: [PausedScheduler]?.self) ?? []
    }

    /// The stores the evict-leader scheduler holds; `nil` when the scheduler does not exist.
    package func evictLeaderConfig() async throws(PDError) -> EvictLeaderSchedulerConfig? {
        do {
            return try await get("/scheduler-config/evict-leader-scheduler/list", as: EvictLeaderSchedulerConfig.self)
        } catch where error.kind == .notFound {
            return nil
        }
    }

    /// `GET /scheduler-config/evict-slow-store-scheduler/list`; nil when the scheduler is not there.
    package func evictSlowStoreConfig() async throws(PDError) -> EvictSlowStoreSchedulerConfig? {
        do {
            return try await get("/scheduler-config/evict-slow-store-scheduler/list", as: EvictSlowStoreSchedulerConfig.self)
        } catch where error.kind == .notFound {
            return nil
        }
    }

    // MARK: Config and cluster

    package func config() async throws(PDError) -> PDConfig { try await get("/config", as: PDConfig.self) }
    package func placementRules() async throws(PDError) -> [PlacementRuleBundle] {
        try await get("/config/placement-rule", as: [PlacementRuleBundle]?.self) ?? []
    }
    package func members() async throws(PDError) -> PDMembers { try await get("/members", as: PDMembers.self) }
    package func health() async throws(PDError) -> [PDMemberHealth] { try await get("/health", as: [PDMemberHealth]?.self) ?? [] }

    // MARK: Leader following

    /// Asks the members which one leads; keeps its client URL to try first.
    /// Within a pass, a member that timed out is not asked (`PassBudget`): a hung PD is not asked again and again.
    func refreshLeader() async {
        leaderLookupDone = true
        let scope = PassBudget.current
        for base in candidates() {
            if let scope, scope.budget.timeout(of: base) != nil { continue }
            var limits = configuration.limits
            if let scope {
                guard let clipped = scope.clipped(limits) else { return }
                limits = clipped
            }
            let request = makeRequest("GET", base: base, path: "/leader", query: [], body: nil)
            let answer: HTTPResponse
            do {
                answer = try await transport.send(request, limits: limits)
            } catch {
                if PassBudget.isTimeout(error.kind) { scope?.budget.recordTimeout(base, "GET /leader: \(error)") }
                continue
            }
            guard (200..<300).contains(answer.head.status),
                  let decoded = try? JSONDecoder().decode(Optional<PDMember>.self, from: answer.body) as PDMember??
            else { continue }
            // `null`: no leader right now; keep the configured order.
            leaderURL = decoded?.clientURLs.lazy.compactMap { URL(string: $0) }.first
            return
        }
    }

    /// Leader first, then the member that answered last, then the configured order.
    private func candidates() -> [URL] {
        var seen = Set<String>()
        return ([leaderURL, lastGoodURL].compactMap { $0 } + configuration.endpoints).filter {
            seen.insert(Self.key($0)).inserted
        }
    }

    private static func key(_ url: URL) -> String {
        var s = url.absoluteString
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }

    // MARK: Exchanges

    private func get<T: Decodable>(_ path: String, query: [URLQueryItem] = [], as type: T.Type) async throws(PDError) -> T {
        let (url, response) = try await exchange("GET", path, query: query, body: nil, idempotent: true)
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw PDError.malformed("GET \(path)", error, url: url)
        }
    }

    /// Sends a mutation once; the answer is PD's JSON string (or raw text if it is not one).
    private func mutate(_ method: String, _ path: String, query: [URLQueryItem] = [], body: Data? = nil) async throws(PDError) -> String {
        let (_, response) = try await exchange(method, path, query: query, body: body, idempotent: false)
        if let s = try? JSONDecoder().decode(String.self, from: response.body) { return s }
        let text = String(decoding: response.body.prefix(4096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        // `DELETE /schedulers/evict-leader-scheduler-<id>` answers 200 with `null`.
        return text == "null" ? "" : text
    }

    private func exchange(
        _ method: String, _ path: String, query: [URLQueryItem], body: Data?, idempotent: Bool
    ) async throws(PDError) -> (String, HTTPResponse) {
        let limits = configuration.limits
        let opened = try await withFailover(method, path, query: query, body: body, idempotent: idempotent, limits: limits)
        var data = Data()
        do {
            for try await chunk in opened.response.body { data.append(chunk) }
        } catch let e as TransportError {
            if PassBudget.isTimeout(e.kind), let url = URL(string: opened.url) {
                PassBudget.current?.budget.recordTimeout(url, "\(method) \(path): \(e)")
            }
            throw PDError.from(e, url: opened.url)
        } catch {
            throw PDError(kind: .transport, message: String(describing: error), url: opened.url)
        }
        return (opened.url, HTTPResponse(head: opened.response.head, body: data))
    }

    struct Opened: Sendable {
        var url: String
        var response: HTTPStreamingResponse
    }

    /// Opens the exchange on the first member that answers as (or for) the leader; retries the
    /// whole round for idempotent requests with backoff. A non-2xx answer is read (bounded) and thrown.
    ///
    /// Within a pass (`PassBudget`), a member that timed out earlier is skipped, a round that asked no member is not
    /// retried, and nothing is sent or waited for past the stage's deadline.
    private func withFailover(
        _ method: String, _ path: String, query: [URLQueryItem], body: Data?, idempotent: Bool, limits: HTTPLimits
    ) async throws(PDError) -> Opened {
        let scope = PassBudget.current
        if configuration.followLeader, !leaderLookupDone { await refreshLeader() }
        let retry = idempotent ? configuration.retry : .none
        var lastError = PDError(kind: .allMembersFailed, message: "no PD endpoints configured")
        for attempt in 0..<retry.maxAttempts {
            if attempt > 0 {
                let delay = retry.delay(attempt: attempt - 1)
                if let scope, scope.cannotWait(delay) { break }
                do { try await Task.sleep(for: delay) } catch {
                    throw PDError(kind: .cancelled, message: "cancelled while backing off")
                }
            }
            var failures: [PDError] = []
            var asked = 0
            memberLoop: for base in candidates() {
                var bounded = limits
                if let scope {
                    if let timeout = scope.budget.timeout(of: base) {
                        failures.append(PDError(kind: .responseTimeout, message: PassBudget.skipped(after: timeout),
                                                url: base.absoluteString, requestNotSent: true))
                        continue
                    }
                    guard let clipped = scope.clipped(limits) else {
                        throw PDError(kind: .requestTimeout, message: "not sent: the pass's deadline for this stage has passed",
                                      url: base.absoluteString, requestNotSent: true)
                    }
                    bounded = clipped
                }
                asked += 1
                do {
                    let opened = try await open(method, base: base, path: path, query: query, body: body, limits: bounded)
                    lastGoodURL = base
                    return opened
                } catch {
                    failures.append(error)
                    if error.kind == .cancelled { throw error }
                    if error.isTimeout { scope?.budget.recordTimeout(base, "\(method) \(path): \(error.message)") }
                    // Only move on when no leader served the request; a mutation only when the transport proved it
                    // never left.
                    let canMoveOn = idempotent ? error.isMemberFailure : (error.requestNotSent || error.kind == .noLeader)
                    if !canMoveOn {
                        // The leader answered with an error: another member would say the same.
                        if idempotent, error.isRetryable { break memberLoop }
                        throw error
                    }
                    if Self.key(base) == leaderURL.map(Self.key) { leaderURL = nil }
                }
            }
            let roundError = failures.count == 1 ? failures[0]
                : PDError(kind: .allMembersFailed, message: "every PD member failed", attempts: failures)
            // Every member timed out earlier in this pass: nobody was asked, and the error that says why is the
            // timeout itself (of an earlier round of this request, or of an earlier request).
            if asked == 0 {
                if attempt == 0 { lastError = roundError }
                break
            }
            lastError = roundError
            if !lastError.isRetryable { break }
            // The leader may have moved: ask again before the next round.
            if configuration.followLeader { await refreshLeader() }
        }
        throw lastError
    }

    private func open(
        _ method: String, base: URL, path: String, query: [URLQueryItem], body: Data?, limits: HTTPLimits
    ) async throws(PDError) -> Opened {
        let request = makeRequest(method, base: base, path: path, query: query, body: body)
        let url = request.url.absoluteString
        let response: HTTPStreamingResponse
        do {
            response = try await transport.stream(request, limits: limits)
        } catch {
            throw PDError.from(error, url: url)
        }
        if let header = response.head.header("date"), let pdDate = HTTPDate(parsing: header) {
            lastPDDate = Date(timeIntervalSince1970: Double(pdDate.unixSeconds))
        }
        guard (200..<300).contains(response.head.status) else {
            // Error bodies are small; read at most 64 KiB of one.
            var data = Data()
            do {
                for try await chunk in response.body {
                    data.append(chunk)
                    if data.count > 64 << 10 { break }
                }
            } catch {
                // A broken error body still tells us the status.
            }
            throw PDError.fromResponse(status: response.head.status, body: data, headers: response.head.headers, url: url)
        }
        return Opened(url: url, response: response)
    }

    private func makeRequest(_ method: String, base: URL, path: String, query: [URLQueryItem], body: Data?) -> HTTPRequest {
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false) ?? URLComponents()
        var basePath = components.path
        while basePath.hasSuffix("/") { basePath.removeLast() }
        components.path = basePath + Self.apiPrefix + path
        components.queryItems = query.isEmpty ? nil : query
        let url = components.url ?? base
        var headers = ["X-Caller-ID": configuration.callerID, "Accept": "application/json"]
        if body != nil { headers["Content-Type"] = "application/json" }
        return HTTPRequest(method: method, url: url, headers: headers, body: body, tls: configuration.tls)
    }

    // MARK: Region streams

    /// Opens a region-list endpoint and decodes it as the consumer pulls: the body is read only as fast as
    /// regions are taken, so a slow consumer pauses the download instead of queueing regions.
    nonisolated func regionStream(_ path: String, query: [URLQueryItem] = [], maxBodyBytes: Int? = nil) -> AsyncThrowingStream<RegionInfo, any Error> {
        let reader = RegionStreamReader(client: self, path: path, query: query, maxBodyBytes: maxBodyBytes)
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }

    fileprivate func openRegionList(_ path: String, query: [URLQueryItem], maxBodyBytes: Int?) async throws(PDError) -> Opened {
        var limits = configuration.regionListLimits
        if let maxBodyBytes { limits.maxBodyBytes = min(limits.maxBodyBytes, maxBodyBytes) }
        return try await withFailover("GET", path, query: query, body: nil, idempotent: true, limits: limits)
    }

    private func openRegionList(_ path: String, query: [URLQueryItem]) async throws(PDError) -> Opened {
        try await openRegionList(path, query: query, maxBodyBytes: nil)
    }

    private func collectRegions(_ path: String, query: [URLQueryItem] = [], maxBodyBytes: Int? = nil) async throws(PDError) -> [RegionInfo] {
        var out: [RegionInfo] = []
        do {
            for try await r in regionStream(path, query: query, maxBodyBytes: maxBodyBytes) { out.append(r) }
        } catch let e as PDError {
            throw e
        } catch {
            throw PDError(kind: .transport, message: String(describing: error), url: path)
        }
        return out
    }
}

package enum StoreRegionType: String, Sendable { case all, leader, follower, learner, witness, pending }

package enum RegionHistogramKind: String, Sendable { case size = "hist-size", keys = "hist-keys" }

package enum HotDirection: String, Sendable { case write, read }

/// The pulling side of `PDClient.regionStream`: one consumer at a time calls `next()` (an
/// `AsyncThrowingStream` iterator is never shared), which is what makes the unchecked Sendable sound.
/// It holds at most the regions of one body chunk.
private final class RegionStreamReader: @unchecked Sendable {
    private let client: PDClient
    private let path: String
    private let query: [URLQueryItem]
    private let maxBodyBytes: Int?
    private var body: PulledBody?
    private var decoder = RegionStreamDecoder()
    private var pending: [RegionInfo] = []
    private var pendingIndex = 0
    private var finished = false
    private var failure: RegionDecodeError?

    init(client: PDClient, path: String, query: [URLQueryItem], maxBodyBytes: Int?) {
        self.client = client
        self.path = path
        self.query = query
        self.maxBodyBytes = maxBodyBytes
    }

    func next() async throws -> RegionInfo? {
        do {
            while true {
                if pendingIndex < pending.count {
                    defer { pendingIndex += 1 }
                    return pending[pendingIndex]
                }
                pending.removeAll(keepingCapacity: true)
                pendingIndex = 0
                if let failure {
                    self.failure = nil
                    finished = true
                    throw failure
                }
                if finished { return nil }
                if body == nil { body = PulledBody(try await client.openRegionList(path, query: query, maxBodyBytes: maxBodyBytes).response.body) }
                guard let chunk = try await body?.next() else {
                    finished = true
                    body = nil
                    try decoder.finish()
                    return nil
                }
                try Task.checkCancellation()
                do {
                    try decoder.feed(chunk) { pending.append($0) }
                } catch {
                    // The regions completed before the bad bytes are still delivered, then the error.
                    failure = error
                    body = nil
                }
            }
        } catch {
            finished = true
            body = nil
            pending = []
            switch error {
            case let e as RegionDecodeError: throw PDError(kind: .malformedBody, message: e.description, url: path)
            case let e as TransportError: throw PDError.from(e, url: path)
            default: throw error
            }
        }
    }
}
