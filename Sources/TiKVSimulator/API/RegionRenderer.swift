/// `response.RegionInfo` in easyjson's compact form and key order (`pkg/response/region_easyjson.go`),
/// written straight into a byte buffer so large lists never build intermediate trees.
struct RegionRenderer {
    static func appendPeer(_ p: Peer, to w: inout JSONByteWriter) {
        w.raw("{\"role_name\":\"\(p.role.name)\"")
        if p.role == .learner { w.raw(",\"is_learner\":true") }
        if p.id != 0 { w.raw(",\"id\":\(p.id)") }
        if p.storeId != 0 { w.raw(",\"store_id\":\(p.storeId)") }
        if p.role != .voter { w.raw(",\"role\":\(p.role.rawValue)") }
        w.raw("}")
    }

    static func append(_ r: RegionRecord, startCode: UInt64, endCode: UInt64, to w: inout JSONByteWriter) {
        w.raw("{\"id\":\(r.id),\"start_key\":\"\(RegionKey.hex(code: startCode))\",\"end_key\":\"\(RegionKey.hex(code: endCode))\"")
        w.raw(",\"epoch\":{")
        var first = true
        if r.confVer != 0 { w.raw("\"conf_ver\":\(r.confVer)"); first = false }
        if r.version != 0 { w.raw((first ? "" : ",") + "\"version\":\(r.version)") }
        w.raw("}")
        if !r.peers.isEmpty {
            w.raw(",\"peers\":[")
            for (i, p) in r.peers.enumerated() {
                if i > 0 { w.raw(",") }
                appendPeer(p, to: &w)
            }
            w.raw("]")
        }
        w.raw(",\"leader\":")
        if let l = r.leader { appendPeer(l, to: &w) } else { w.raw("{\"role_name\":\"\"}") }
        let down = r.peers.filter { $0.downSeconds > 0 }
        if !down.isEmpty {
            w.raw(",\"down_peers\":[")
            for (i, p) in down.enumerated() {
                if i > 0 { w.raw(",") }
                w.raw("{\"peer\":")
                appendPeer(p, to: &w)
                w.raw(",\"down_seconds\":\(p.downSeconds)}")
            }
            w.raw("]")
        }
        let pending = r.peers.filter(\.pending)
        if !pending.isEmpty {
            w.raw(",\"pending_peers\":[")
            for (i, p) in pending.enumerated() {
                if i > 0 { w.raw(",") }
                appendPeer(p, to: &w)
            }
            w.raw("]")
        }
        w.raw(",\"cpu_usage\":\(r.cpuUsage),\"written_bytes\":\(r.writtenBytes),\"read_bytes\":\(r.readBytes)")
        w.raw(",\"written_keys\":\(r.writtenKeys),\"read_keys\":\(r.readKeys),\"approximate_size\":\(r.approximateSizeMiB)")
        w.raw(",\"approximate_keys\":\(r.approximateKeys),\"approximate_kv_size\":\(r.approximateKvSizeMiB)")
        w.raw(",\"approximate_columnar_kv_size\":0}")
    }
}

extension ClusterState {
    /// One region as PD reports it (compact, no trailing newline).
    public func regionJSON(slot: Int) -> [UInt8] {
        var w = JSONByteWriter()
        RegionRenderer.append(reported[slot], startCode: startCode(slot: slot), endCode: endCode(slot: slot), to: &w)
        return w.bytes
    }

    /// `{"count":N,"regions":[...]}` for the given slots.
    public func regionsJSON(slots: [Int]) -> [UInt8] {
        var w = JSONByteWriter()
        w.raw("{\"count\":\(slots.count),\"regions\":[")
        for (i, s) in slots.enumerated() {
            if i > 0 { w.raw(",") }
            RegionRenderer.append(reported[s], startCode: startCode(slot: s), endCode: endCode(slot: s), to: &w)
        }
        w.raw("]}")
        return w.bytes
    }

    /// Appends the regions at key-order ranks `range` (comma-separated, leading comma unless first) to a buffer.
    func appendRegions(ranks range: Range<Int>, first: Bool, to w: inout JSONByteWriter) {
        var isFirst = first
        for rank in range {
            let s = slot(atRank: rank)
            guard reported[s].known else { continue }
            if !isFirst { w.raw(",") }
            isFirst = false
            RegionRenderer.append(reported[s], startCode: startCode(slot: s), endCode: endCode(slot: s), to: &w)
        }
    }

    public var knownRegionCount: Int { tally.known }
}
