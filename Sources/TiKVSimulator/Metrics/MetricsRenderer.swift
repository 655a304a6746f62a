import Foundation
/// Prometheus text exposition of TiKV and PD metrics (METRICS.md names).
///
/// All stores live in one process, so every TiKV series carries an explicit `instance` label equal to the
/// store's status address (`host:20180`), as if Prometheus had scraped that TiKV. Scrape `/metrics` with
/// `honor_labels: true` so these labels win; or scrape `/metrics?store=<id>` per store target, which emits only
/// that store's TiKV series (plus PD series with the PD instance). A dead store's series vanish, and its own
/// target answers 503 (Prometheus then records `up = 0`); a partitioned store's remain, since the partition
/// cuts it off from PD and its peers, not from Prometheus.
extension PDRouter {
    func metrics(_ req: Request) -> HTTPReply {
        let only = req.first("store").flatMap(UInt64.init)
        return cluster.withState { state in
            // A per-store target stands for that TiKV's status port: a dead process answers nothing, so
            // Prometheus records `up = 0` for it instead of scraping the PD series still served here.
            if let only, let i = state.storeIndexById[only], !state.stores[i].processAlive || state.stores[i].state == .tombstone {
                return HTTPReply(status: 503, contentType: "text/plain; charset=utf-8", body: .bytes(Array("store \(only) is not running\n".utf8)))
            }
            return .text(state.prometheusText(onlyStore: only))
        }
    }
}

extension ClusterState {
    public func prometheusText(onlyStore: UInt64? = nil) -> String {
        var out = ""
        func line(_ name: String, _ labels: [(String, String)], _ v: Double) {
            let l = labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
            out += "\(name){\(l)} \(GoFloat.format(v))\n"
        }
        let live = stores.indices.filter { stores[$0].processAlive && stores[$0].state != .tombstone && (onlyStore == nil || stores[$0].id == onlyStore) }
        // TiKV's local view is the truth: one pass over the regions counts every store's peers and leaders.
        var leaders = [Int](repeating: 0, count: stores.count), peers = [Int](repeating: 0, count: stores.count)
        if !live.isEmpty {
            for r in truth {
                for p in r.peers {
                    guard let i = storeIndexById[UInt64(p.storeId)] else { continue }
                    peers[i] += 1
                    if p.id == r.leaderPeerId { leaders[i] += 1 }
                }
            }
        }
        out += "# TYPE tikv_raftstore_region_count gauge\n"
        for i in live {
            let inst = stores[i].statusAddress
            line("tikv_raftstore_region_count", [("instance", inst), ("type", "leader")], Double(leaders[i]))
            line("tikv_raftstore_region_count", [("instance", inst), ("type", "region")], Double(peers[i]))
        }
        out += "# TYPE tikv_store_size_bytes gauge\n"
        for i in live {
            let s = stores[i]
            line("tikv_store_size_bytes", [("instance", s.statusAddress), ("type", "capacity")], Double(s.capacityBytes))
            line("tikv_store_size_bytes", [("instance", s.statusAddress), ("type", "available")], Double(s.availableBytes))
            line("tikv_store_size_bytes", [("instance", s.statusAddress), ("type", "used")], Double(s.usedBytes))
        }
        // TiKV's disk slow score as its last store heartbeat carried it (1…100).
        out += "# TYPE tikv_raftstore_slow_score gauge\n"
        for i in live {
            line("tikv_raftstore_slow_score", [("instance", stores[i].statusAddress), ("type", "disk")], Double(stores[i].diskSlowScore.reported))
        }
        out += "# TYPE tikv_engine_write_stall gauge\n"
        for i in live {
            let s = stores[i]
            line("tikv_engine_write_stall", [("db", "kv"), ("instance", s.statusAddress), ("type", "write_stall_percentile99")], s.workload.writeStallMicros)
            line("tikv_engine_write_stall", [("db", "kv"), ("instance", s.statusAddress), ("type", "write_stall_max")], s.workload.writeStallMicros * 1.5)
        }
        out += "# TYPE tikv_engine_flow_bytes counter\n"
        for i in live {
            let w = stores[i].workload
            line("tikv_engine_flow_bytes", [("db", "kv"), ("instance", stores[i].statusAddress), ("type", "bytes_written")], w.bytesWritten.rounded())
            line("tikv_engine_flow_bytes", [("db", "kv"), ("instance", stores[i].statusAddress), ("type", "bytes_read")], w.bytesRead.rounded())
        }
        // The workload model's cumulative request histograms (Workload.swift).
        out += "# TYPE tikv_grpc_msg_duration_seconds histogram\n"
        for i in live {
            let s = stores[i], w = s.workload
            for (t, type) in StoreWorkload.types.enumerated() {
                let labels = [("instance", s.statusAddress), ("priority", "normal"), ("type", type.name)]
                for (b, bound) in StoreWorkload.bucketBounds.enumerated() {
                    line("tikv_grpc_msg_duration_seconds_bucket", labels + [("le", GoFloat.format(bound))], w.buckets[t][b].rounded(.down))
                }
                line("tikv_grpc_msg_duration_seconds_bucket", labels + [("le", "+Inf")], w.counts[t].rounded(.down))
                line("tikv_grpc_msg_duration_seconds_sum", labels, w.sums[t])
                line("tikv_grpc_msg_duration_seconds_count", labels, w.counts[t].rounded(.down))
            }
        }
        guard onlyStore == nil else { return out }
        // PD (leader) series, v8.5.5+ per-store shape of pd_cluster_status.
        let pdInstance = members.first { $0.name == leaderName }?.clientURLs.first.map { $0.replacingPrefix("http://") } ?? "pd:2379"
        out += "# TYPE pd_cluster_status gauge\n"
        let types = ["store_up_count", "store_disconnected_count", "store_slow_count", "store_down_count", "store_unhealth_count",
                     "store_offline_count", "store_tombstone_count", "store_low_space_count", "store_preparing_count",
                     "store_serving_count", "store_removing_count", "store_removed_count"]
        for (i, s) in stores.enumerated() {
            var on = Set<String>()
            switch s.nodeState {
            case .preparing, .serving:
                if isDown(s) { on.insert("store_down_count") }
                else if isUnhealthy(s) { on.insert("store_unhealth_count") }
                else if isDisconnected(s) { on.insert("store_disconnected_count") }
                else if s.slowScore >= 80 { on.insert("store_slow_count") }
                else { on.insert("store_up_count") }
                on.insert(s.nodeState == .preparing ? "store_preparing_count" : "store_serving_count")
                if !isDown(s), s.reportedCapacity > 0, Double(s.reportedAvailable) / Double(s.reportedCapacity) < 1 - config.lowSpaceRatio,
                   !(storeStats[i].regionCount < 100 && s.reportedAvailable > 8 << 30) { on.insert("store_low_space_count") }
            case .removing: on = ["store_offline_count", "store_removing_count"]
            case .removed: on = ["store_tombstone_count", "store_removed_count"]
            }
            for t in types { line("pd_cluster_status", [("engine", "tikv"), ("instance", pdInstance), ("store", String(s.id)), ("type", t)], on.contains(t) ? 1 : 0) }
        }
        out += "# TYPE pd_scheduler_store_status gauge\n"
        for (i, s) in stores.enumerated() where s.state != .tombstone {
            let st = storeStats[i]
            let vals: [(String, Double)] = [("leader_count", Double(st.leaderCount)), ("leader_score", leaderScore(storeIndex: i)),
                                            ("leader_size", Double(st.leaderSize)), ("region_count", Double(st.regionCount)),
                                            ("region_score", regionScore(storeIndex: i)), ("region_size", Double(st.regionSize)),
                                            ("store_available", Double(s.reportedAvailable)), ("store_capacity", Double(s.reportedCapacity)),
                                            ("store_used", Double(s.reportedUsed))]
            for (t, v) in vals { line("pd_scheduler_store_status", [("address", s.address), ("instance", pdInstance), ("store", String(s.id)), ("type", t)], v) }
        }
        // Set while evict-slow-store holds a store, deleted on recovery (v8.5.7:evict_slow_store.go:791, 833).
        out += "# TYPE pd_scheduler_evicted_slow_store_status gauge\n"
        for sid in schedulers.evictSlowStore.evictedStores {
            line("pd_scheduler_evicted_slow_store_status", [("instance", pdInstance), ("slow_type", "disk"), ("store", String(sid))], 1)
        }
        out += "# TYPE pd_regions_status gauge\n"
        let checks: [RegionCheckKind] = [.missPeer, .extraPeer, .downPeer, .pendingPeer, .offlinePeer, .learnerPeer, .emptyRegion, .oversizedRegion, .undersizedRegion]
        var counts = [Int](repeating: 0, count: checks.count)
        let ctx = regionCheckContext()
        for r in reported where r.known {
            for (k, kind) in checks.enumerated() where Self.regionMatches(kind, r, ctx) { counts[k] += 1 }
        }
        for (k, kind) in checks.enumerated() {
            let name = kind.rawValue
            line("pd_regions_status", [("instance", pdInstance), ("type", "\(name)-region-count".replacingOccurrences(of: "-region-region", with: "-region"))], Double(counts[k]))
        }
        return out
    }
}

extension String {
    func replacingPrefix(_ p: String) -> String { hasPrefix(p) ? String(dropFirst(p.count)) : self }
}
