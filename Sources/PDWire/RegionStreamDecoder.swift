import Foundation

/// A region-list body that is not the JSON PD writes.
public struct RegionDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Byte offset from the start of the whole body.
    public var offset: Int
    public var reason: String
    public var description: String { "malformed regions body at byte \(offset): \(reason)" }
}

/// Decodes PD's `RegionsInfo` (`{"count":n,"regions":[…]}`) incrementally: feed the body in chunks
/// as they arrive and get each `RegionInfo` as soon as its bytes are complete.
///
/// Only the unfinished tail of the input is kept between feeds, so a body of any size is never
/// held whole, neither as text nor as a tree. The parser is hand-written for this one shape (the
/// easyjson output of `pkg/response/region_easyjson.go`), accepts keys in any order, skips keys it
/// does not know, and rejects anything that is not well-formed JSON of that shape.
public struct RegionStreamDecoder: Sendable {
    /// The `count` field, once it has been read.
    public private(set) var count: Int?
    /// Regions emitted so far.
    public private(set) var regionsDecoded = 0
    /// Bytes fed so far.
    public private(set) var bytesFed = 0

    private var buffer: [UInt8] = []
    /// Absolute offset of `buffer[0]` in the body.
    private var bufferOffset = 0
    private var phase: Phase = .start

    private enum Phase: Sendable {
        case start
        case objectMember(first: Bool)
        case regionElement(first: Bool)
        case done
        case failed(RegionDecodeError)
    }

    public init() {}

    /// True once `count` has been read and `n` regions decoded (or all of them, if fewer): a reader that wants
    /// only the count and the first `n` regions can stop here. PD writes `count` first, so on PD's bodies this
    /// is true after `n` regions; a body with `count` after its regions is read to the end.
    public func hasCount(andRegions n: Int) -> Bool {
        guard let count else { return false }
        return regionsDecoded >= min(n, count)
    }

    /// True once the closing `}` of the body has been read.
    public var isComplete: Bool { if case .done = phase { return true } else { return false } }

    /// Feeds the next chunk and returns the regions it completed.
    public mutating func feed(_ chunk: some Collection<UInt8>) throws(RegionDecodeError) -> [RegionInfo] {
        var out: [RegionInfo] = []
        try feed(chunk) { out.append($0) }
        return out
    }

    /// Feeds the next chunk, calling `emit` for every region it completed.
    public mutating func feed(_ chunk: some Collection<UInt8>, _ emit: (RegionInfo) -> Void) throws(RegionDecodeError) {
        if case .failed(let e) = phase { throw e }
        bytesFed += chunk.count
        buffer.append(contentsOf: chunk)
        let consumed: Int
        do {
            consumed = try parseAvailable(emit)
        } catch {
            phase = .failed(error)
            throw error
        }
        if consumed > 0 {
            buffer.removeFirst(consumed)
            bufferOffset += consumed
        }
    }

    /// Call after the last chunk: fails unless the body was complete and nothing but
    /// whitespace followed it.
    public mutating func finish() throws(RegionDecodeError) {
        if case .failed(let e) = phase { throw e }
        guard case .done = phase else {
            let e = RegionDecodeError(offset: bufferOffset + buffer.count, reason: bytesFed == 0 ? "empty body" : "body ended early (truncated)")
            phase = .failed(e)
            throw e
        }
    }

    /// Decodes a whole body held in memory (tests, small single-page answers).
    public static func decodeAll(_ data: some Collection<UInt8>) throws(RegionDecodeError) -> RegionsInfo {
        var d = RegionStreamDecoder()
        var regions: [RegionInfo] = []
        try d.feed(data) { regions.append($0) }
        try d.finish()
        return RegionsInfo(count: d.count ?? regions.count, regions: regions)
    }

    /// Runs the state machine over the buffer; returns how many bytes were fully consumed.
    private mutating func parseAvailable(_ emit: (RegionInfo) -> Void) throws(RegionDecodeError) -> Int {
        let offset = bufferOffset
        var phase = self.phase
        var count = self.count
        var emitted = 0
        let result: Result<Int, RegionDecodeError> = buffer.withUnsafeBufferPointer { buf in
            var cur = JSONByteCursor(buf)
            var checkpoint = 0
            do throws(JSONScanFailure) {
                while true {
                    checkpoint = cur.pos
                    switch phase {
                    case .start:
                        try cur.expect(UInt8(ascii: "{"), "'{' at the start of a regions body")
                        phase = .objectMember(first: true)
                    case .objectMember(let first):
                        if try cur.consumeIf(UInt8(ascii: "}")) { phase = .done; continue }
                        if !first { try cur.expect(UInt8(ascii: ","), "',' or '}'") }
                        let key = try cur.rawString()
                        try cur.expect(UInt8(ascii: ":"), "':'")
                        if cur.bytesEqual(key.start, key.count, "regions") {
                            if try cur.consumeNull() {
                                phase = .objectMember(first: false)
                            } else {
                                try cur.expect(UInt8(ascii: "["), "'[' for regions")
                                phase = .regionElement(first: true)
                            }
                        } else if cur.bytesEqual(key.start, key.count, "count") {
                            let n = try cur.int64()
                            guard let c = Int(exactly: n), c >= 0 else { throw cur.invalid("negative count") }
                            count = c
                            phase = .objectMember(first: false)
                        } else {
                            try cur.skipValue()
                            phase = .objectMember(first: false)
                        }
                    case .regionElement(let first):
                        if try cur.consumeIf(UInt8(ascii: "]")) { phase = .objectMember(first: false); continue }
                        if !first { try cur.expect(UInt8(ascii: ","), "',' or ']' between regions") }
                        let region = try RegionObjectParser.region(&cur)
                        emit(region)
                        emitted += 1
                        phase = .regionElement(first: false)
                    case .done:
                        if cur.skipSpaceAtEnd() { throw cur.invalid("trailing data after the regions body") }
                        return .success(cur.pos)
                    case .failed(let e):
                        return .failure(e)
                    }
                }
            } catch {
                switch error {
                case .needMore: return .success(checkpoint)
                case .invalid(let reason, let at): return .failure(RegionDecodeError(offset: offset + at, reason: reason))
                }
            }
        }
        regionsDecoded += emitted
        self.count = count
        switch result {
        case .success(let consumed):
            self.phase = phase
            return consumed
        case .failure(let e):
            throw e
        }
    }
}

/// The per-region grammar: `RegionInfo`, `MetaPeer`, `DownPeer`, epoch and replication status.
enum RegionObjectParser {
    static func region(_ c: inout JSONByteCursor) throws(JSONScanFailure) -> RegionInfo {
        try c.expect(UInt8(ascii: "{"), "'{' for a region")
        var r = RegionInfo(id: 0)
        var sawID = false
        if try !c.consumeIf(UInt8(ascii: "}")) {
            repeat {
                let k = try c.rawString()
                try c.expect(UInt8(ascii: ":"), "':'")
                let s = k.start, n = k.count
                if c.bytesEqual(s, n, "id") { r.id = try c.uint64(); sawID = true }
                else if c.bytesEqual(s, n, "start_key") { r.startKey = try c.string() }
                else if c.bytesEqual(s, n, "end_key") { r.endKey = try c.string() }
                else if c.bytesEqual(s, n, "epoch") { r.epoch = try epoch(&c) }
                else if c.bytesEqual(s, n, "peers") { r.peers = try peers(&c) }
                else if c.bytesEqual(s, n, "leader") {
                    if try c.consumeNull() { r.leader = nil } else {
                        let p = try peer(&c)
                        r.leader = p.isKnown ? p : nil
                    }
                }
                else if c.bytesEqual(s, n, "down_peers") { r.downPeers = try downPeers(&c) }
                else if c.bytesEqual(s, n, "pending_peers") { r.pendingPeers = try peers(&c) }
                else if c.bytesEqual(s, n, "cpu_usage") { r.cpuUsage = try c.uint64() }
                else if c.bytesEqual(s, n, "written_bytes") { r.writtenBytes = try c.uint64() }
                else if c.bytesEqual(s, n, "read_bytes") { r.readBytes = try c.uint64() }
                else if c.bytesEqual(s, n, "written_keys") { r.writtenKeys = try c.uint64() }
                else if c.bytesEqual(s, n, "read_keys") { r.readKeys = try c.uint64() }
                else if c.bytesEqual(s, n, "approximate_size") { r.approximateSize = try c.int64() }
                else if c.bytesEqual(s, n, "approximate_keys") { r.approximateKeys = try c.int64() }
                else if c.bytesEqual(s, n, "approximate_kv_size") { r.approximateKVSize = try c.int64() }
                else if c.bytesEqual(s, n, "approximate_columnar_kv_size") { r.approximateColumnarKVSize = try c.int64() }
                else if c.bytesEqual(s, n, "buckets") { r.buckets = try strings(&c) }
                else if c.bytesEqual(s, n, "bucket_version") { r.bucketVersion = try c.uint64() }
                else if c.bytesEqual(s, n, "replication_status") { r.replicationStatus = try replicationStatus(&c) }
                else { try c.skipValue() }
            } while try c.consumeIf(UInt8(ascii: ","))
            try c.expect(UInt8(ascii: "}"), "',' or '}' in a region")
        }
        guard sawID else { throw c.invalid("region without an id") }
        return r
    }

    static func peer(_ c: inout JSONByteCursor) throws(JSONScanFailure) -> MetaPeer {
        try c.expect(UInt8(ascii: "{"), "'{' for a peer")
        var p = MetaPeer(id: 0, storeID: 0)
        if try c.consumeIf(UInt8(ascii: "}")) { return p }
        repeat {
            let k = try c.rawString()
            try c.expect(UInt8(ascii: ":"), "':'")
            let s = k.start, n = k.count
            if c.bytesEqual(s, n, "id") { p.id = try c.uint64() }
            else if c.bytesEqual(s, n, "store_id") { p.storeID = try c.uint64() }
            else if c.bytesEqual(s, n, "role") { p.role = PeerRole(rawValue: try c.int64()) }
            else if c.bytesEqual(s, n, "role_name") { _ = try c.rawString() }
            else if c.bytesEqual(s, n, "is_learner") { _ = try c.bool() }
            else if c.bytesEqual(s, n, "is_witness") { p.isWitness = try c.bool() }
            else { try c.skipValue() }
        } while try c.consumeIf(UInt8(ascii: ","))
        try c.expect(UInt8(ascii: "}"), "',' or '}' in a peer")
        return p
    }

    static func peers(_ c: inout JSONByteCursor) throws(JSONScanFailure) -> [MetaPeer] {
        if try c.consumeNull() { return [] }
        try c.expect(UInt8(ascii: "["), "'[' for peers")
        var out: [MetaPeer] = []
        out.reserveCapacity(4)
        if try c.consumeIf(UInt8(ascii: "]")) { return out }
        repeat { out.append(try peer(&c)) } while try c.consumeIf(UInt8(ascii: ","))
        try c.expect(UInt8(ascii: "]"), "',' or ']' in peers")
        return out
    }

    static func downPeers(_ c: inout JSONByteCursor) throws(JSONScanFailure) -> [DownPeer] {
        if try c.consumeNull() { return [] }
        try c.expect(UInt8(ascii: "["), "'[' for down_peers")
        var out: [DownPeer] = []
        if try c.consumeIf(UInt8(ascii: "]")) { return out }
        repeat {
            try c.expect(UInt8(ascii: "{"), "'{' for a down peer")
            var peer: MetaPeer?
            var seconds: UInt64 = 0
            if try !c.consumeIf(UInt8(ascii: "}")) {
                repeat {
                    let k = try c.rawString()
                    try c.expect(UInt8(ascii: ":"), "':'")
                    if c.bytesEqual(k.start, k.count, "peer") { peer = try Self.peer(&c) }
                    else if c.bytesEqual(k.start, k.count, "down_seconds") { seconds = try c.uint64() }
                    else { try c.skipValue() }
                } while try c.consumeIf(UInt8(ascii: ","))
                try c.expect(UInt8(ascii: "}"), "',' or '}' in a down peer")
            }
            guard let p = peer else { throw c.invalid("down peer without a peer") }
            out.append(DownPeer(peer: p, downSeconds: seconds))
        } while try c.consumeIf(UInt8(ascii: ","))
        try c.expect(UInt8(ascii: "]"), "',' or ']' in down_peers")
        return out
    }

    static func epoch(_ c: inout JSONByteCursor) throws(JSONScanFailure) -> RegionEpoch {
        var e = RegionEpoch()
        if try c.consumeNull() { return e }
        try c.expect(UInt8(ascii: "{"), "'{' for an epoch")
        if try c.consumeIf(UInt8(ascii: "}")) { return e }
        repeat {
            let k = try c.rawString()
            try c.expect(UInt8(ascii: ":"), "':'")
            if c.bytesEqual(k.start, k.count, "conf_ver") { e.confVer = try c.uint64() }
            else if c.bytesEqual(k.start, k.count, "version") { e.version = try c.uint64() }
            else { try c.skipValue() }
        } while try c.consumeIf(UInt8(ascii: ","))
        try c.expect(UInt8(ascii: "}"), "',' or '}' in an epoch")
        return e
    }

    static func strings(_ c: inout JSONByteCursor) throws(JSONScanFailure) -> [String] {
        if try c.consumeNull() { return [] }
        try c.expect(UInt8(ascii: "["), "'[' for a string list")
        var out: [String] = []
        if try c.consumeIf(UInt8(ascii: "]")) { return out }
        repeat { out.append(try c.string()) } while try c.consumeIf(UInt8(ascii: ","))
        try c.expect(UInt8(ascii: "]"), "',' or ']' in a string list")
        return out
    }

    static func replicationStatus(_ c: inout JSONByteCursor) throws(JSONScanFailure) -> RegionReplicationStatus? {
        if try c.consumeNull() { return nil }
        try c.expect(UInt8(ascii: "{"), "'{' for replication_status")
        var st = RegionReplicationStatus(state: "", stateID: 0)
        if try c.consumeIf(UInt8(ascii: "}")) { return st }
        repeat {
            let k = try c.rawString()
            try c.expect(UInt8(ascii: ":"), "':'")
            if c.bytesEqual(k.start, k.count, "state") { st.state = try c.string() }
            else if c.bytesEqual(k.start, k.count, "state_id") { st.stateID = try c.uint64() }
            else { try c.skipValue() }
        } while try c.consumeIf(UInt8(ascii: ","))
        try c.expect(UInt8(ascii: "}"), "',' or '}' in replication_status")
        return st
    }
}
