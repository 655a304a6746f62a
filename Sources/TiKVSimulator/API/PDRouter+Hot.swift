import PDWire

/// Hotspot endpoints, derived from the reported region flows (per-second rates over the 60 s interval).
extension PDRouter {
    func hotRegions(write: Bool) -> HTTPReply {
        cluster.withState { c in
            var asPeer: [(String, JSONValue)] = [], asLeader: [(String, JSONValue)] = []
            // A region is hot when its byte rate exceeds 1 MiB/s.
            let hot = c.reported.indices.filter { s in
                let r = c.reported[s]
                return r.known && Double(write ? r.writtenBytes : r.readBytes) / 60 >= 1_048_576
            }
            for (i, s) in c.stores.enumerated() where s.state != .tombstone && c.isDisconnected(s) == false {
                for leaderOnly in [false, true] {
                    if leaderOnly && c.pauseLeaderTransferIn(s.id) { continue }
                    let mine = hot.filter { slot in
                        let r = c.reported[slot]
                        return r.peers.contains { $0.storeId == UInt32(s.id) } && (!leaderOnly || r.leaderStoreId == UInt32(s.id))
                    }
                    var totB = 0.0, totK = 0.0
                    let stats: [JSONValue] = mine.map { slot in
                        let r = c.reported[slot]
                        let b = Double(write ? r.writtenBytes : r.readBytes) / 60, k = Double(write ? r.writtenKeys : r.readKeys) / 60
                        totB += b
                        totK += k
                        return .object([("store_id", .uint(s.id)), ("stores", .array(r.peers.map { .uint(UInt64($0.storeId)) })),
                                        ("is_leader", .bool(r.leaderStoreId == UInt32(s.id))),
                                        ("is_learner", .bool(r.peers.first { $0.storeId == UInt32(s.id) }?.role == .learner)),
                                        ("region_id", .uint(r.id)), ("hot_degree", .int(1)), ("flow_bytes", .double(b)),
                                        ("flow_keys", .double(k)), ("flow_query", .double(k / 16)), ("flow_cpu", .int(0)),
                                        ("anti_count", .int(write ? 2 : 12)),
                                        ("last_update_time", .string(GoTime(seconds: c.nowNanos / ClusterState.second).rfc3339Nano))])
                    }
                    let load = c.storeLoad(index: i, write: write)
                    let entry: JSONValue = .object([
                        ("store_bytes", .double(load.bytes)), ("store_keys", .double(load.keys)), ("store_query", .double(load.keys / 16)),
                        ("store_cpu", .int(0)), ("total_flow_bytes", .double(totB)), ("total_flow_keys", .double(totK)),
                        ("total_flow_query", .double(totK / 16)), ("total_flow_cpu", .int(0)),
                        ("regions_count", .int(Int64(mine.count))), ("statistics", .array(stats)),
                    ])
                    if leaderOnly { asLeader.append((String(s.id), entry)) } else { asPeer.append((String(s.id), entry)) }
                }
            }
            return .json(.object([("as_peer", .object(asPeer.sorted { $0.0 < $1.0 })), ("as_leader", .object(asLeader.sorted { $0.0 < $1.0 }))]))
        }
    }

    func hotStores() -> HTTPReply {
        cluster.withState { c in
            var maps: [[(String, JSONValue)]] = Array(repeating: [], count: 7)
            for (i, s) in c.stores.enumerated() where s.state != .tombstone && s.isUp {
                let w = c.storeLoad(index: i, write: true), r = c.storeLoad(index: i, write: false)
                let id = String(s.id)
                let vals = [w.bytes, r.bytes, w.keys, r.keys, w.keys / 16, r.keys / 16, 0]
                for k in 0..<7 { maps[k].append((id, .double(vals[k]))) }
            }
            let names = ["bytes-write-rate", "bytes-read-rate", "keys-write-rate", "keys-read-rate", "query-write-rate", "query-read-rate", "cpu-read-rate"]
            return .json(.object(zip(names, maps).filter { !$0.1.isEmpty }.map { ($0.0, .object($0.1.sorted { $0.0 < $1.0 })) }))
        }
    }
}

extension ClusterState {
    /// A store's own load per second: the flows of the regions it leads (writes also land on followers).
    func storeLoad(index i: Int, write: Bool) -> (bytes: Double, keys: Double) {
        let st = storeStats[i]
        return write ? (Double(st.peerWrittenBytes) / 60, Double(st.peerWrittenKeys) / 60)
                     : (Double(st.leaderReadBytes) / 60, Double(st.leaderReadKeys) / 60)
    }
}
