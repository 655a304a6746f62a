import PDWire

/// Operators, schedulers, config and cluster-info endpoints.
extension PDRouter {
    func operators(_ req: Request) -> HTTPReply {
        switch req.method {
        case "GET":
            let kinds = req.values("kind")
            return cluster.withState { c in
                let ops = c.operators.values.sorted { $0.regionId < $1.regionId }
                if req.has("object") {
                    return .json(.array(ops.map { op in
                        .object([("desc", .string(op.desc)), ("brief", .string(op.brief)), ("region_id", .uint(op.regionId)),
                                 ("region_epoch", .object([("conf_ver", .uint(op.epochConfVer)), ("version", .uint(op.epochVersion))].filter { $0.1 != .uint(0) })),
                                 ("kind", .uint(UInt64(op.kind.rawValue))),
                                 ("timeout", .string(GoDuration(nanoseconds: op.timeoutNanos).description)),
                                 ("status", .int(op.status.objectCode))])
                    }))
                }
                if kinds.isEmpty { return .json(.array(ops.map { .string($0.text(monotonicBase: c.monotonicBaseNanos, skewNanos: c.pdClockSkewNanos)) })) }
                // One list per requested kind, concatenated: an operator of two requested kinds appears twice; the
                // simulator has no waiting queue, so `waiting` adds nothing (handler.go:158-181).
                let matched = kinds.flatMap { k in
                    ops.filter { op in
                        switch k {
                        case "admin": op.kind.contains(.admin)
                        case "leader": op.kind.contains(.leader)
                        case "region": op.kind.contains(.region)
                        default: false
                        }
                    }
                }
                return .json(matched.isEmpty ? .null : .array(matched.map { .string($0.text(monotonicBase: c.monotonicBaseNanos, skewNanos: c.pdClockSkewNanos)) }))
            }
        case "POST": return createOperator(req)
        case "DELETE":
            cluster.withState { $0.cancelAllOperators() }
            return .message("All pending operators are canceled.")
        default: return .methodNotAllowed
        }
    }

    func createOperator(_ req: Request) -> HTTPReply {
        let body: JSONValue
        switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .error(e) }
        guard case .string(let name)? = body["name"] else { return .message("missing operator name", status: 400) }
        func id(_ k: String) -> UInt64? { body[k]?.number.flatMap { $0 >= 0 ? UInt64($0) : nil } }
        let request: ClusterState.AdminRequest
        switch name {
        case "transfer-leader":
            guard let r = id("region_id") else { return .message("missing region id", status: 400) }
            guard let s = id("to_store_id") else { return .message("missing store id to transfer leader to", status: 400) }
            request = .transferLeader(region: r, toStore: s)
        case "transfer-peer":
            guard let r = id("region_id") else { return .message("missing region id", status: 400) }
            guard let f = id("from_store_id") else { return .message("invalid store id to transfer peer from", status: 400) }
            guard let t = id("to_store_id") else { return .message("invalid store id to transfer peer to", status: 400) }
            request = .transferPeer(region: r, fromStore: f, toStore: t)
        case "add-peer", "add-learner", "remove-peer":
            guard let r = id("region_id") else { return .message("missing region id", status: 400) }
            // handler.go:300-327: the same text for all three.
            guard let s = id("store_id") else { return .message("invalid store id to transfer peer to", status: 400) }
            request = name == "add-peer" ? .addPeer(region: r, store: s) : name == "add-learner" ? .addLearner(region: r, store: s) : .removePeer(region: r, store: s)
        case "split-region":
            // handler.go:341-359: keys that are not strings are "bad format keys"; a `keys` that is not a list makes
            // PD's type assertion panic (its HTTP server answers 500), answered here as the same 400.
            guard let r = id("region_id") else { return .message("missing region id", status: 400) }
            guard case .string(let policy)? = body["policy"] else { return .message("missing split policy", status: 400) }
            var keys: [String] = []
            if let ks = body["keys"] {
                guard case .array(let items) = ks else { return .message("bad format keys", status: 400) }
                for k in items {
                    guard case .string(let key) = k else { return .message("bad format keys", status: 400) }
                    keys.append(key)
                }
            }
            request = .splitRegion(region: r, policy: policy, keys: keys)
        case "transfer-region", "merge-region", "scatter-region", "scatter-regions":
            return .message("operator \(name) is not supported by the simulator", status: 500)
        default:
            return .message("unknown operator", status: 400)
        }
        do {
            try cluster.withState { c in try c.createAdminOperator(request) }
            return .message("The operator is created.")
        } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
    }

    func operatorOne(_ req: Request, _ text: String) -> HTTPReply {
        guard let rid = UInt64(text) else {
            return .message("strconv.ParseUint: parsing \(JSONValue.string(text).compact()): invalid syntax", status: 400)
        }
        switch req.method {
        case "GET":
            return cluster.withState { c in
                if let op = c.operators[rid] ?? c.records[rid] {
                    return .message("status: \(op.status.pdpbName), operator: \(op.text(monotonicBase: c.monotonicBaseNanos, skewNanos: c.pdClockSkewNanos))")
                }
                return .error(.operatorNotFound)
            }
        case "DELETE":
            do {
                try cluster.withState { c in try c.cancelOperator(region: rid) }
                return .message("The pending operator is canceled.")
            } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
        default: return .methodNotAllowed
        }
    }

    func operatorRecords(_ req: Request) -> HTTPReply {
        var from: Int64 = 0
        if let f = req.first("from") {
            guard let v = Int64(f) else { return .message("strconv.ParseInt: parsing \(JSONValue.string(f).compact()): invalid syntax", status: 400) }
            from = v * ClusterState.second
        }
        return cluster.withState { c in
            let recs = c.records.values.filter { ($0.finishedAtNanos ?? 0) >= from }.sorted { ($0.finishedAtNanos ?? 0) < ($1.finishedAtNanos ?? 0) }
            if recs.isEmpty { return .error(.operatorNotFound) }
            return .json(.array(recs.map { .string($0.recordText(monotonicBase: c.monotonicBaseNanos, skewNanos: c.pdClockSkewNanos)) }))
        }
    }

    // MARK: schedulers

    func schedulersRoute(_ req: Request) -> HTTPReply {
        switch req.method {
        case "GET":
            let status = req.first("status")
            return cluster.withState { c in
                let now = c.nowNanos
                switch status {
                case "paused":
                    let paused = c.schedulers.entries.filter { c.schedulers.isPaused($0, now: now) }
                    if req.has("timestamp") {
                        return .json(.array(paused.map { e in
                            .object([("name", .string(e.name)),
                                     ("paused_at", .string(GoTime(seconds: (e.pausedAtNanos ?? 0) / ClusterState.second).rfc3339Nano)),
                                     ("resume_at", .string(GoTime(seconds: (e.resumeAtNanos ?? 0) / ClusterState.second).rfc3339Nano))])
                        }))
                    }
                    return .json(.array(paused.map { .string($0.name) }))
                case "disabled": return .json(.array([]))
                default: return .json(.array(c.schedulers.entries.map { .string($0.name) }))
                }
            }
        case "POST":
            let body: JSONValue
            switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .error(e) }
            guard case .string(let name)? = body["name"] else { return .message("missing scheduler name", status: 400) }
            var storeId: UInt64?
            if let v = body["store_id"] {
                guard let n = v.number, n >= 0 else { return .message("please input a right store id", status: 400) }
                storeId = UInt64(n)
            }
            do {
                let msg = try cluster.withState { c in try c.addScheduler(name: name, storeId: storeId) }
                return .message(msg)
            } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
        default: return .methodNotAllowed
        }
    }

    func schedulerNamed(_ req: Request, _ name: String) -> HTTPReply {
        switch req.method {
        case "DELETE":
            do {
                let body = try cluster.withState { c in try c.removeScheduler(name: name) }
                return .json(body)
            } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
        case "POST":
            let body: JSONValue
            switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .error(e) }
            guard let d = body["delay"] else { return .message("missing pause time", status: 400) }
            guard case .int(let delay) = d else {
                return .inputError("json: cannot unmarshal number into Go value of type int64")
            }
            do {
                try cluster.withState { c in try c.pauseScheduler(name: name, delaySeconds: delay) }
                return .message("Pause or resume the scheduler successfully.")
            } catch let e as PDError { return .error(e) } catch { return .notFoundPage }
        default: return .methodNotAllowed
        }
    }

    func evictLeaderList() -> HTTPReply {
        cluster.withState { c in
            guard c.schedulers.contains("evict-leader-scheduler") else {
                return .error(PDError(404, "[PD:scheduler:ErrSchedulerNotFound]scheduler not found"))
            }
            let ranges = c.schedulers.evictLeaderStores.map(String.init).sorted()
                .map { ($0, JSONValue.array([.object([("end-key", .string("")), ("start-key", .string(""))])])) }
            return .json(.object([("store-id-ranges", .object(ranges)), ("batch", .int(Int64(c.schedulers.evictLeaderBatch)))]))
        }
    }

    /// `GET scheduler-config/evict-slow-store-scheduler/list` (v8.5.7:evict_slow_store.go:350-362); Go's mux
    /// answers its text 404 while the scheduler is absent.
    func evictSlowStoreList() -> HTTPReply {
        cluster.withState { c in
            guard c.schedulers.contains("evict-slow-store-scheduler") else { return .notFoundPage }
            return .json(c.schedulers.evictSlowStore.listJSON)
        }
    }

    /// `POST scheduler-config/evict-slow-store-scheduler/config` (evict_slow_store.go:294-348).
    func evictSlowStoreConfig(_ req: Request) -> HTTPReply {
        let body: JSONValue
        switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .error(e) }
        guard case .object = body else { return .inputError(Self.unmarshalText(body, "map[string]interface {}")) }
        var recovery: Double?, batch: Double?, network: Bool?
        if let v = body["recovery-duration"], v != .null {
            guard let n = v.number else { return .message("invalid argument for 'recovery-duration'", status: 400) }
            recovery = n
        }
        if let v = body["batch"], v != .null {
            guard let n = v.number else { return .message("invalid argument for 'batch'", status: 400) }
            guard (1...10).contains(n) else { return .message("batch is invalid, it should be in [1, 10]", status: 400) }
            batch = n
        }
        if let v = body["enable-network-slow-store"], v != .null {
            guard case .bool(let b) = v else { return .message("invalid argument for 'enable-network-slow-store'", status: 400) }
            network = b
        }
        return cluster.withState { c in
            guard c.schedulers.contains("evict-slow-store-scheduler") else { return .notFoundPage }
            c.updateEvictSlowStoreConfig(recoverySeconds: recovery.map { UInt64(max(0, $0)) }, batch: batch.map { Int($0) },
                                         enableNetworkSlowStore: network)
            return .message("Config updated.")
        }
    }

    // MARK: config

    func scheduleJSON(_ c: ClusterState) -> JSONValue {
        .object(c.config.schedule.map { key, value in
            switch key {
            case "store-limit":
                return (key, Self.limitsJSON(c.storeLimitRates(includeTombstone: false)))
            case "schedulers-v2":
                return (key, .array(c.schedulers.entries.map { e in
                    let args: JSONValue = e.name == "evict-leader-scheduler" ? .array(c.schedulers.evictLeaderStores.map { .string(String($0)) }) : .null
                    return .object([("type", .string(e.persistedType)), ("args", args), ("disable", .bool(false)), ("args-payload", .string(""))])
                }))
            default: return (key, value)
            }
        })
    }

    func applyConfig(_ req: Request, prefix: String) -> HTTPReply {
        let body: JSONValue
        switch RequestJSON.parse(req.body) { case .success(let v): body = v; case .failure(let e): return .error(e) }
        guard case .object(let pairs) = body else { return .inputError("config must be an object") }
        do {
            try cluster.withState { c in
                var cfg = c.config
                for (k, v) in pairs { try cfg.set(prefix + k, to: v) }
                c.config = cfg
            }
        } catch SimPDConfig.UpdateError.notFound(let k) {
            return .message("config item \(k) not found", status: 400)
        } catch SimPDConfig.UpdateError.badValue(let k) {
            return .message("config item \(k) has a bad value", status: 400)
        } catch { return .notFoundPage }
        return .message("The config is updated.")
    }

    func configRoute(_ req: Request) -> HTTPReply {
        switch req.method {
        case "GET":
            return .json(cluster.withState { fullConfigJSON($0) })
        case "POST": return applyConfig(req, prefix: "")
        default: return .methodNotAllowed
        }
    }

    func configSchedule(_ req: Request) -> HTTPReply {
        switch req.method {
        case "GET": return .json(cluster.withState { scheduleJSON($0) })
        case "POST": return applyConfig(req, prefix: "schedule.")
        default: return .methodNotAllowed
        }
    }

    func configReplicate(_ req: Request) -> HTTPReply {
        switch req.method {
        case "GET": return .json(.object(cluster.withState { $0.config.replication }))
        case "POST": return applyConfig(req, prefix: "replication.")
        default: return .methodNotAllowed
        }
    }

    // MARK: cluster info

    func memberJSON(_ m: SimPDMember, full: Bool) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("name", .string(m.name)), ("member_id", .uint(m.memberId)),
                                            ("peer_urls", .array(m.peerURLs.map { .string($0) })),
                                            ("client_urls", .array(m.clientURLs.map { .string($0) }))]
        if full {
            pairs += [("deploy_path", .string(m.deployPath)), ("binary_version", .string(m.binaryVersion)), ("git_hash", .string(m.gitHash))]
        }
        return .object(pairs)
    }

    func health() -> HTTPReply {
        .json(.array(cluster.withState { $0.members }.map { m in
            .object([("name", .string(m.name)), ("member_id", .uint(m.memberId)),
                     ("client_urls", .array(m.clientURLs.map { .string($0) })), ("health", .bool(m.healthy))])
        }))
    }

    func membersReply() -> HTTPReply {
        cluster.withState { c in
            var pairs: [(String, JSONValue)] = [("header", .object([("cluster_id", .uint(c.clusterId))])),
                                                ("members", .array(c.members.map { memberJSON($0, full: true) }))]
            // With no leader PD leaves `leader` out (member.go, omitempty); a member router answers 503 before this.
            if let leader = c.members.first(where: { $0.name == c.leaderName }).map({ memberJSON($0, full: true) }) {
                pairs += [("leader", leader), ("etcd_leader", leader)]
            }
            return .json(.object(pairs))
        }
    }

    func leaderReply() -> HTTPReply {
        // /leader is proxied to the leader, so with none PD answers 503, never `null` (middleware.go:250-255).
        cluster.withState { c in
            c.members.first { $0.name == c.leaderName }.map { .json(memberJSON($0, full: false)) }
                ?? .goError(Self.redirectNoLeader, status: 503)
        }
    }

    func clusterReply() -> HTTPReply {
        cluster.withState { c in .json(.object([("id", .uint(c.clusterId)), ("max_peer_count", .int(Int64(c.config.maxReplicas)))])) }
    }

    func clusterStatus() -> HTTPReply {
        cluster.withState { c in
            .json(.object([("raft_bootstrap_time", .string(GoTime(unixNanoseconds: c.raftBootstrapNanos + c.pdClockSkewNanos).rfc3339Nano)),
                           ("is_initialized", .bool(c.regionCount > 1 || (c.regionCount == 1 && c.truth[c.slot(atRank: 0)].peers.count >= c.config.maxReplicas))),
                           ("replication_status", .string(""))]))
        }
    }

    func statusReply() -> HTTPReply {
        cluster.withState { c in
            .json(.object([("build_ts", .string(c.pdBuildTS)), ("version", .string(c.pdVersion)), ("git_hash", .string(c.pdGitHash)),
                           ("start_timestamp", .int(c.pdStartTimestamp + c.pdClockSkewNanos / ClusterState.second)), ("kernel_type", .string("Classic"))]))
        }
    }
}
