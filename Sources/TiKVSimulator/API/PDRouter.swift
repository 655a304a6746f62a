import Foundation
import Synchronization
import PDWire

/// Dispatches PD API, `/sim/v1` and `/metrics` requests against a `SimulatedCluster`.
public struct PDRouter: Sendable {
    public let cluster: SimulatedCluster
    /// The PD member this router answers as; nil answers as the cluster's leader whatever the election state
    /// (the in-process API benchmarks and tests use).
    public let member: String?
    public init(cluster: SimulatedCluster, member: String? = nil) {
        self.cluster = cluster
        self.member = member
    }

    public struct Request: Sendable {
        public var method: String
        /// Percent-encoded path.
        public var path: String
        public var query: [(String, String)]
        public var body: [UInt8]
        public var headers: [(String, String)]
        public init(method: String, path: String, query: [(String, String)] = [], body: [UInt8] = [], headers: [(String, String)] = []) {
            self.method = method
            self.path = path
            self.query = query
            self.body = body
            self.headers = headers
        }
        func header(_ name: String) -> String? { headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1 }
        func values(_ k: String) -> [String] { query.filter { $0.0 == k }.map(\.1) }
        func first(_ k: String) -> String? { query.first { $0.0 == k }?.1 }
        func has(_ k: String) -> Bool { query.contains { $0.0 == k } }
    }

    public func handle(_ req: Request) -> HTTPReply {
        let prefix = "/pd/api/v1/"
        if req.path == "/metrics" { return req.method == "GET" ? metrics(req) : .methodNotAllowed }
        if req.path.hasPrefix("/sim/v1/") { return sim(req, Array(req.path.dropFirst(8).split(separator: "/").map(String.init))) }
        guard req.path.hasPrefix(prefix) else { return .notFoundPage }
        if let name = member, let refused = redirect(req, asMember: name) { return refused }
        let parts = req.path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let reply = route(req, parts)
        if req.method != "GET" {
            let record = MutationRecord(atNanos: 0, method: req.method, path: req.path,
                                        query: req.query.map { "\($0)=\($1)" }.joined(separator: "&"),
                                        body: String(decoding: req.body, as: UTF8.self), status: reply.status)
            cluster.withState { c in
                var r = record
                r.atNanos = c.nowNanos
                c.mutationLog.append(r)
            }
        }
        return reply
    }

    private func allow(_ req: Request, _ methods: String...) -> Bool { methods.contains(req.method) }

    private func parseId(_ s: String) -> Result<UInt64, PDError> {
        if let v = UInt64(s) { return .success(v) }
        let msg = "strconv.ParseUint: parsing \(JSONValue.string(s).compact()): invalid syntax"
        return .failure(PDError(400, msg, rawBody: .object([("code", .string("input")), ("msg", .string(msg)), ("data", .object([]))])))
    }

    private func withId(_ s: String, _ body: (UInt64) -> HTTPReply) -> HTTPReply {
        switch parseId(s) {
        case .success(let id): return body(id)
        case .failure(let e): return .error(e)
        }
    }

    private func bodyJSON(_ req: Request) -> Result<JSONValue, PDError> { RequestJSON.parse(req.body) }

    // swiftlint:disable:next cyclomatic_complexity
    func route(_ req: Request, _ p: [String]) -> HTTPReply {
        switch (p.count, p.first ?? "") {
        case (1, "stores"): return allow(req, "GET") ? stores(req) : .methodNotAllowed
        case (2, "stores") where p[1] == "check": return allow(req, "GET") ? storesCheck(req) : .methodNotAllowed
        case (2, "stores") where p[1] == "limit": return storesLimit(req)
        case (2, "stores") where p[1] == "remove-tombstone":
            guard allow(req, "DELETE") else { return .methodNotAllowed }
            do {
                try cluster.withState { c in try c.removeTombstones() }
                return .message("Remove tombstone successfully.")
            } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
        case (2, "store"): return storeRoute(req, p[1])
        case (3, "store"): return storeSub(req, p[1], p[2])
        case (1, "regions"): return allow(req, "GET") ? allRegions() : .methodNotAllowed
        case (2, "regions"): return regionsSub(req, p[1])
        case (3, "regions") where p[1] == "store": return allow(req, "GET") ? withId(p[2]) { regionsOfStore(req, $0) } : .methodNotAllowed
        case (3, "regions") where p[1] == "check": return allow(req, "GET") ? regionsCheck(req, p[2]) : .methodNotAllowed
        case (3, "region") where p[1] == "id": return allow(req, "GET") ? regionById(p[2]) : .methodNotAllowed
        case (3, "region") where p[1] == "key": return allow(req, "GET") ? regionByKey(req, p[2]) : .methodNotAllowed
        case (1, "operators"): return operators(req)
        case (2, "operators") where p[1] == "records": return allow(req, "GET") ? operatorRecords(req) : .methodNotAllowed
        case (2, "operators"): return operatorOne(req, p[1])
        case (1, "schedulers"): return schedulersRoute(req)
        case (2, "schedulers"): return schedulerNamed(req, p[1])
        case (3, "scheduler-config") where p[1] == "evict-leader-scheduler" && p[2] == "list":
            return allow(req, "GET") ? evictLeaderList() : .methodNotAllowed
        case (1, "config"): return configRoute(req)
        case (2, "config") where p[1] == "schedule": return configSchedule(req)
        case (2, "config") where p[1] == "replicate": return configReplicate(req)
        case (2, "config") where p[1] == "placement-rule": return placementRuleBundles(req)
        case (_, "config") where p.count >= 2 && p[1] == "rules": return rulesRoute(req, Array(p.dropFirst(2)))
        case (_, "config") where p.count >= 2 && p[1] == "rule": return ruleRoute(req, Array(p.dropFirst(2)))
        case (2, "config") where p[1] == "label-property": return labelPropertyRoute(req)
        case (3, "scheduler-config") where p[1] == "evict-slow-store-scheduler" && p[2] == "list":
            return allow(req, "GET") ? evictSlowStoreList() : .methodNotAllowed
        case (3, "scheduler-config") where p[1] == "evict-slow-store-scheduler" && p[2] == "config":
            return allow(req, "POST") ? evictSlowStoreConfig(req) : .methodNotAllowed
        case (1, "health"): return allow(req, "GET") ? health() : .methodNotAllowed
        case (1, "members"): return allow(req, "GET") ? membersReply() : .methodNotAllowed
        case (1, "leader"): return allow(req, "GET") ? leaderReply() : .methodNotAllowed
        case (1, "cluster"): return allow(req, "GET") ? clusterReply() : .methodNotAllowed
        case (2, "cluster") where p[1] == "status": return clusterStatus()
        case (1, "version"): return allow(req, "GET") ? .json(.object([("version", .string(cluster.withState { $0.pdVersion })), ("build_time", .string("")), ("hash", .string("")), ("branch", .string(""))])) : .methodNotAllowed
        case (1, "status"): return allow(req, "GET") ? statusReply() : .methodNotAllowed
        case (1, "ping"): return allow(req, "GET") ? HTTPReply(status: 200, contentType: "text/plain; charset=utf-8", body: .bytes([])) : .methodNotAllowed
        case (3, "hotspot") where p[1] == "regions" && (p[2] == "write" || p[2] == "read"):
            return allow(req, "GET") ? hotRegions(write: p[2] == "write") : .methodNotAllowed
        case (2, "hotspot") where p[1] == "stores": return allow(req, "GET") ? hotStores() : .methodNotAllowed
        case (3, "admin") where p[1] == "unsafe" && p[2] == "remove-failed-stores":
            return allow(req, "POST") ? removeFailedStores(req) : .methodNotAllowed
        case (4, "admin") where p[1] == "unsafe" && p[2] == "remove-failed-stores" && p[3] == "show":
            return allow(req, "GET") ? .json(cluster.withState { $0.unsafeRecoveryStatus }) : .methodNotAllowed
        default: return .notFoundPage
        }
    }

    // MARK: unsafe recovery

    /// server/api/unsafe_operation.go: ids that are not numbers are 400 (a JSON string); PD's refusals are 500 with the
    /// error's text. `timeout` and the other options are accepted and change nothing here.
    func removeFailedStores(_ req: Request) -> HTTPReply {
        let body: JSONValue
        switch bodyJSON(req) { case .success(let v): body = v; case .failure(let e): return .error(e) }
        // PD's auto-detect mode learns the failed stores from the alive stores' reports, which the simulator does not model.
        if body["auto-detect"] == .bool(true) { return .message("auto-detect is not simulated: name the stores", status: 400) }
        guard case .array(let items)? = body["stores"] else { return .message("Store ids are invalid", status: 400) }
        var ids: [UInt64] = []
        for item in items {
            guard let n = item.number, n >= 0, n == n.rounded(), n < 1.8e19 else { return .message("Store ids are invalid", status: 400) }
            ids.append(UInt64(n))
        }
        do {
            try cluster.withState { c in try c.removeFailedStores(ids) }
            return .message("Request has been accepted.")
        } catch let e as PDError { return .message(e.message, status: e.status) } catch { return .methodNotAllowed }
    }

    // MARK: stores

    func stores(_ req: Request) -> HTTPReply {
        var wanted: Set<Int> = [0, 1]
        let states = req.values("state")
        if !states.isEmpty {
            wanted = []
            for s in states {
                guard let v = Int(s) else { return .message("strconv.ParseInt: parsing \(JSONValue.string(s).compact()): invalid syntax", status: 500) }
                guard (0...2).contains(v) else { return .message("unknown SimStoreState: \(v)", status: 500) }
                wanted.insert(v)
            }
        }
        return .json(cluster.withState { c in c.storesInfo(indices: c.stores.indices.filter { wanted.contains(c.stores[$0].state.rawValue) }) })
    }

    func storesCheck(_ req: Request) -> HTTPReply {
        let names = req.values("state").map { $0.lowercased() }
        let valid: Set<String> = ["up", "offline", "tombstone", "disconnected", "down"]
        if let bad = names.first(where: { !valid.contains($0) }) { return .message("unknown SimStoreState: \(bad)", status: 400) }
        return .json(cluster.withState { c in
            c.storesInfo(indices: c.stores.indices.filter { names.contains(c.stateName(c.stores[$0]).lowercased()) })
        })
    }

    func storeRoute(_ req: Request, _ idText: String) -> HTTPReply {
        withId(idText) { id in
            switch req.method {
            case "GET":
                return cluster.withState { c in
                    guard let i = c.storeIndex(id) else { return .error(.storeNotFound(id, status: 404)) }
                    return .json(c.storeInfo(index: i))
                }
            case "DELETE":
                let force = req.has("force")
                do {
                    try cluster.withState { c in try c.removeStore(id, force: force) }
                    return .message("The store is set as Offline.")
                } catch let e as PDError { return .error(e) } catch { return .methodNotAllowed }
            default: return .methodNotAllowed
            }
        }
    }

    func storeSub(_ req: Request, _ idText: String, _ sub: String) -> HTTPReply {
        guard req.method == "POST" || (sub == "label" && req.method == "DELETE") else {
            return ["state", "weight", "label", "limit"].contains(sub) ? .methodNotAllowed : .notFoundPage
        }
        return withId(idText) { id in
            do {
                switch sub {
                case "limit":
                    return storeLimitPost(req, id)
                case "state":
                    let s = (req.first("state") ?? "").lowercased()
                    if s == "up" { try cluster.withState { c in try c.upStore(id) } }
                    else if s == "offline" { try cluster.withState { c in try c.removeStore(id, force: false) } }
                    else { return .message("invalid state \(req.first("state") ?? "")", status: 400) }
                    return .message("The store's state is updated.")
                case "weight":
                    let body: JSONValue
                    switch bodyJSON(req) { case .success(let v): body = v; case .failure(let e): return .error(e) }
                    guard let l = body["leader"] else { return .message("leader weight unset", status: 400) }
                    guard let r = body["region"] else { return .message("region weight unset", status: 400) }
                    guard let lw = l.number, lw >= 0 else { return .message("bad format leader weight", status: 400) }
                    guard let rw = r.number, rw >= 0 else { return .message("bad format region weight", status: 400) }
                    try cluster.withState { c in try c.setWeight(id, leader: lw, region: rw) }
                    return .message("The store's weight is updated.")
                case "label":
                    let body: JSONValue
                    switch bodyJSON(req) { case .success(let v): body = v; case .failure(let e): return .error(e) }
                    if req.method == "DELETE" {
                        guard case .string(let key) = body else { return .inputError("label key must be a string") }
                        try cluster.withState { c in try c.deleteLabel(id, key: key) }
                        return .message("The label \(key) is deleted for store \(id).")
                    }
                    guard case .object(let pairs) = body else { return .inputError("labels must be an object") }
                    var labels: [(String, String)] = []
                    for (k, v) in pairs {
                        guard case .string(let s) = v, k != "engine" else { return .inputError("invalid label \(k)") }
                        labels.append((k, s))
                    }
                    try cluster.withState { c in try c.setLabels(id, labels, replace: req.has("force")) }
                    return .message("The store's label is updated.")
                default: return .notFoundPage
                }
            } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
        }
    }

    // MARK: regions

    /// GET /regions, streamed in slices so a million regions never sit in memory as one body.
    func allRegions() -> HTTPReply {
        let count = cluster.withState { $0.knownRegionCount }
        let total = cluster.withState { $0.regionCount }
        let cursor = StreamCursor(0)
        let cluster = self.cluster
        let chunk = 2048
        return HTTPReply(status: 200, contentType: HTTPReply.octetType, body: .stream({
            let start = cursor.take(advanceBy: chunk, limit: total + 1)
            guard let start else { return nil }
            if start == 0 && total == 0 { return Array("{\"count\":\(count),\"regions\":[]}".utf8) }
            if start >= total { return nil }
            return cluster.withState { c in
                var w = JSONByteWriter()
                if start == 0 { w.raw("{\"count\":\(count),\"regions\":[") }
                let end = min(c.regionCount, start + chunk)
                // Every region is known to PD once built, so only the first slice starts without a comma.
                c.appendRegions(ranks: start..<end, first: start == 0, to: &w)
                if end >= total { w.raw("]}") }
                return w.bytes
            }
        }))
    }

    func regionsSub(_ req: Request, _ name: String) -> HTTPReply {
        guard req.method == "GET" else { return .methodNotAllowed }
        switch name {
        case "count":
            return .json(.object([("count", .int(Int64(cluster.withState { $0.knownRegionCount }))), ("regions", .null)]))
        case "key": return regionsByKey(req)
        case "writeflow", "readflow", "size", "keys", "confver", "version", "cpu":
            var limit = 16
            if let l = req.first("limit") {
                guard let v = Int(l) else { return .message("strconv.Atoi: parsing \(JSONValue.string(l).compact()): invalid syntax", status: 400) }
                limit = min(v, 10240)
            }
            if limit <= 0 { return .data(Array("{\"count\":0,\"regions\":[]}".utf8)) }
            let key: (RegionRecord) -> UInt64 = switch name {
            case "writeflow": { $0.writtenBytes }
            case "readflow": { $0.readBytes }
            case "size": { UInt64($0.approximateSizeMiB) }
            case "keys": { $0.approximateKeys }
            case "confver": { $0.confVer }
            case "version": { $0.version }
            default: { $0.cpuUsage }
            }
            return .data(cluster.withState { c in
                let top = c.reported.indices.filter { c.reported[$0].known }
                    .sorted { key(c.reported[$0]) > key(c.reported[$1]) }
                return c.regionsJSON(slots: Array(top.prefix(limit)))
            })
        default: return .notFoundPage
        }
    }

    private func decodeKey(_ text: String, hex: Bool) -> [UInt8]? {
        if hex { return RegionKey.parseHex(text) }
        return Array(text.utf8)
    }

    func regionsByKey(_ req: Request) -> HTTPReply {
        let hex = req.first("format") == "hex"
        guard let start = decodeKey(req.first("key") ?? "", hex: hex) else { return .message("encoding/hex: invalid byte", status: 400) }
        let endKey = decodeKey(req.first("end_key") ?? "", hex: hex) ?? []
        var limit = 16
        if let l = req.first("limit") {
            guard let v = Int(l) else { return .message("strconv.Atoi: parsing \(JSONValue.string(l).compact()): invalid syntax", status: 400) }
            limit = v <= 0 ? Int.max : min(v, 10240)
        }
        return .data(cluster.withState { c in
            var slots: [Int] = []
            guard var rank = c.keyOrder.rank(containing: start) else { return c.regionsJSON(slots: []) }
            while rank < c.regionCount, slots.count < limit {
                let s = c.slot(atRank: rank)
                if !endKey.isEmpty, rank > 0, !RegionKey.less(RegionKey.encodedKey(code: c.startCode(slot: s)), endKey) { break }
                if c.reported[s].known { slots.append(s) }
                rank += 1
            }
            return c.regionsJSON(slots: slots)
        })
    }

    func regionsOfStore(_ req: Request, _ id: UInt64) -> HTTPReply {
        let type = req.first("type") ?? "all"
        guard ["all", "leader", "follower", "learner", "witness", "pending"].contains(type) else {
            return .message("invalid type \(type)", status: 400)
        }
        let sid = UInt32(truncatingIfNeeded: id)
        return .data(cluster.withState { c in
            // The store's own index, in key order; an unknown store has no regions.
            let own = c.storeIndex(id).map { c.storeSlots[$0].map(Int.init).sorted { c.startCode(slot: $0) < c.startCode(slot: $1) } } ?? []
            let slots = own.filter { s in
                let r = c.reported[s]
                guard r.known, let p = r.peers.first(where: { $0.storeId == sid }) else { return false }
                switch type {
                case "leader": return p.id == r.leaderPeerId
                case "follower": return p.id != r.leaderPeerId && p.role != .learner
                case "learner": return p.role == .learner
                case "pending": return p.pending
                case "witness": return false
                default: return true
                }
            }
            return c.regionsJSON(slots: slots)
        })
    }

    func regionsCheck(_ req: Request, _ kind: String) -> HTTPReply {
        if kind == "hist-size" || kind == "hist-keys" {
            let isSize = kind == "hist-size"
            let minBound: Int64 = isSize ? 1 : 1000
            var bound = minBound
            if let b = req.first("bound"), let v = Int64(b), v >= minBound { bound = v }
            let hist: [(Int64, Int64)] = cluster.withState { c in c.tally.histogram(sizes: isSize, bound: bound) }
            return .json(.array(hist.map { .object([("start", .int($0.0)), ("end", .int($0.0 + bound - 1)), ("count", .int($0.1))]) }))
        }
        guard let check = ClusterState.RegionCheckKind(rawValue: kind) else { return .notFoundPage }
        return .data(cluster.withState { c in c.regionsJSON(slots: c.regionCheckSlots(check)) })
    }

    func regionById(_ text: String) -> HTTPReply {
        guard let id = UInt64(text) else {
            return .message("strconv.ParseUint: parsing \(JSONValue.string(text).compact()): invalid syntax", status: 400)
        }
        if id == 0 { return .json(.object([]), status: 400) }
        return cluster.withState { c in
            guard let s = c.slot(ofRegion: id), c.reported[s].known else { return .error(.regionNotFound(id, status: 404)) }
            return .data(c.regionJSON(slot: s))
        }
    }

    func regionByKey(_ req: Request, _ raw: String) -> HTTPReply {
        let text = raw.removingPercentEncoding ?? raw
        guard let key = decodeKey(text, hex: req.first("format") == "hex") else {
            return .message("encoding/hex: invalid byte", status: 400)
        }
        return cluster.withState { c in
            guard let s = c.slot(containing: key), c.reported[s].known else {
                return .message("[PD:region:ErrRegionNotFound]region %v not found", status: 404)
            }
            return .data(c.regionJSON(slot: s))
        }
    }
}

/// A tiny locked counter for streaming cursors.
final class StreamCursor: Sendable {
    private let m: Synchronization.Mutex<Int>
    init(_ v: Int) { m = Synchronization.Mutex(v) }
    /// Returns the current value and advances it, or nil once it reached `limit`.
    func take(advanceBy n: Int, limit: Int) -> Int? {
        m.withLock { v in
            guard v < limit else { return nil }
            let cur = v
            v += n
            return cur
        }
    }
}
