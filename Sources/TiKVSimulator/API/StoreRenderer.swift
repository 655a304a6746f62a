import PDWire

/// `response.StoreInfo` (`pkg/response/store.go`), keys in struct order, omitempty as PD.
extension ClusterState {
    public func storeInfo(index i: Int) -> JSONValue {
        let s = stores[i]
        // PD stamps a store heartbeat with its own clock on receipt; start_timestamp is TiKV's own clock, so uptime
        // (last heartbeat − start, v8.5.7:pkg/core/store.go GetUptime) carries PD's skew too. State is judged on one
        // clock, so skew never changes state_name.
        let heartbeat = s.lastHeartbeatNanos + pdClockSkewNanos
        var meta: [(String, JSONValue)] = [("id", .uint(s.id)), ("address", .string(s.address))]
        if s.state != .up { meta.append(("state", .int(Int64(s.state.rawValue)))) }
        if !s.labels.isEmpty {
            meta.append(("labels", .array(s.labels.map { .object([("key", .string($0.key)), ("value", .string($0.value))]) })))
        }
        meta.append(("version", .string(s.version)))
        meta.append(("peer_address", .string(s.peerAddress)))
        meta.append(("status_address", .string(s.statusAddress)))
        if !s.gitHash.isEmpty { meta.append(("git_hash", .string(s.gitHash))) }
        meta.append(("start_timestamp", .int(s.startTimestamp)))
        meta.append(("deploy_path", .string(s.deployPath)))
        meta.append(("last_heartbeat", .int(heartbeat)))
        if s.physicallyDestroyed { meta.append(("physically_destroyed", .bool(true))) }
        if s.nodeState != .preparing { meta.append(("node_state", .int(Int64(s.nodeState.rawValue)))) }
        meta.append(("state_name", .string(stateName(s))))

        let st = storeStats[i]
        var status: [(String, JSONValue)] = [
            ("capacity", .string(ByteSize(s.reportedCapacity).description)),
            ("available", .string(ByteSize(s.reportedAvailable).description)),
            ("used_size", .string(ByteSize(s.reportedUsed).description)),
            ("leader_count", .int(Int64(st.leaderCount))),
            ("leader_weight", .double(s.leaderWeight)),
            ("leader_score", .double(leaderScore(storeIndex: i))),
            ("leader_size", .int(st.leaderSize)),
            ("region_count", .int(Int64(st.regionCount))),
            ("region_weight", .double(s.regionWeight)),
            ("region_score", .double(regionScore(storeIndex: i))),
            ("region_size", .int(st.regionSize)),
        ]
        if st.learnerCount > 0 { status.append(("learner_count", .int(Int64(st.learnerCount)))) }
        if st.pendingPeerCount > 0 { status.append(("pending_peer_count", .int(Int64(st.pendingPeerCount)))) }
        if s.state != .tombstone && s.slowScore > 0 { status.append(("slow_score", .uint(s.slowScore))) }
        if let t = s.slowTrend, s.state != .tombstone, !isDown(s) {
            status.append(("slow_trend", .object([("cause_value", .double(t.causeValue)), ("cause_rate", .double(t.causeRate)),
                                                  ("result_value", .double(t.resultValue)), ("result_rate", .double(t.resultRate))])))
        }
        if s.sendingSnapCount > 0 { status.append(("sending_snap_count", .uint(UInt64(s.sendingSnapCount)))) }
        if s.receivingSnapCount > 0 { status.append(("receiving_snap_count", .uint(UInt64(s.receivingSnapCount)))) }
        if s.reportedBusy { status.append(("is_busy", .bool(true))) }
        status.append(("start_ts", .string(GoTime(seconds: s.startTimestamp).rfc3339Nano)))
        status.append(("last_heartbeat_ts", .string(GoTime(unixNanoseconds: heartbeat).rfc3339Nano)))
        status.append(("uptime", .string(GoDuration(nanoseconds: heartbeat - s.startTimestamp * Self.second).description)))
        if pauseLeaderTransferIn(s.id) { status.append(("pause_leader_transfer_in", .bool(true))) }
        return .object([("store", .object(meta)), ("status", .object(status))])
    }

    public func storesInfo(indices: [Int]) -> JSONValue {
        .object([("count", .int(Int64(indices.count))), ("stores", .array(indices.map { storeInfo(index: $0) }))])
    }
}
