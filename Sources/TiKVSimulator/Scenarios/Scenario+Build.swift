import PDWire

extension Scenario {
    /// The scenario's initial cluster at time 0 of the run, with its config, schedulers and events queued.
    public func makeCluster(nowNanos: Int64 = 1_749_542_400 * ClusterState.second) throws -> ClusterState {
        let spec = cluster
        let n = spec.stores
        let k = min(spec.replicas ?? 3, n)
        // Stores, members and ids from the generator; the regions are placed here by the layout.
        var c = ClusterState.generated(stores: n, regions: 0, seed: spec.seed ?? 1, nowNanos: nowNanos, replicas: k)
        if k != 3 { try c.config.set("replication.max-replicas", to: .int(Int64(k))) }
        for (key, value) in config ?? [:] {
            do { try c.config.set(key, to: value.json) } catch { throw LoadError.invalid("\(name): config \(key): \(error)") }
        }
        var rng = c.rng
        var used = [UInt64](repeating: 0, count: n)
        let layout = spec.layout ?? .random
        // With location-labels set, a new cluster is placed as PD would place it: across the label levels.
        let storeLabels = (0..<n).map { i in spec.labels.map { $0.isEmpty ? [:] : $0[i % $0.count] } ?? Dictionary(c.stores[i].labels, uniquingKeysWith: { a, _ in a }) }
        let labelled = c.config.locationLabels.isEmpty ? nil : LabelledPlacement(locationLabels: c.config.locationLabels, labels: storeLabels)
        if layout == .leadersOnLast && n < 2 { throw LoadError.invalid("\(name): leaders-on-last needs 2 stores") }
        for i in 0..<spec.regions {
            var stores: [Int] = []
            switch layout {
            case .random:
                if let labelled {
                    stores = labelled.choose(k, of: n, rng: &rng)
                    break
                }
                while stores.count < k {
                    let s = Int(rng.next() % UInt64(n))
                    if !stores.contains(s) { stores.append(s) }
                }
            case .roundRobin:
                stores = (0..<k).map { (i + $0) % n }
            case .leadersOnLast:
                // PD's formula can repeat a store when N−1 < r−1; keep the first of each.
                stores = [n - 1]
                for j in 1..<max(k, 1) where !stores.contains((i + j) % (n - 1)) { stores.append((i + j) % (n - 1)) }
            }
            let rid = c.allocId()
            var peers = PeerList()
            for s in stores { peers.append(Peer(id: c.allocId(), storeId: UInt32(s + 1))) }
            let size = spec.regionSize ?? UInt32(1 + rng.next() % 96)
            for s in stores { used[s] += UInt64(size) << 20 }
            let leader = layout == .random ? peers[Int(rng.next() % UInt64(peers.count))].id : peers[0].id
            let code = i == 0 ? 0 : RegionKey.code(table: (spec.firstTable ?? 100) + UInt32(i / 1000), handle: UInt32(i % 1000) * 1000)
            let written = rng.next() % (4 << 20), read = rng.next() % (16 << 20)
            c.appendRegion(startCode: code, RegionRecord(
                id: rid, confVer: UInt64(k) + 2, version: UInt64(i / 1000) + 1, peers: peers, leaderPeerId: leader,
                approximateSizeMiB: size, approximateKvSizeMiB: size * 9 / 10,
                approximateKeys: spec.regionKeys ?? UInt64(size) * 10_000, cpuUsage: rng.next() % 100,
                writtenBytes: written, readBytes: read, writtenKeys: written / 128, readKeys: read / 128))
        }
        c.rng = rng
        let capacity = spec.capacity?.bytes ?? (1 << 40)
        for i in 0..<n {
            let labels = spec.labels.map { $0.isEmpty ? [:] : $0[i % $0.count] }
            setDisk(&c.stores[i], capacity: capacity, used: used[i], labels: labels)
        }
        for e in 0..<(spec.emptyStores ?? 0) {
            let id = n + e + 1
            var s = StoreRecord(id: UInt64(id), address: "tikv-\(id - 1).tikv-peer.sim.svc:20160",
                                statusAddress: "tikv-\(id - 1).tikv-peer.sim.svc:20180",
                                labels: [("zone", "z\((id - 1) % 3 + 1)"), ("host", "tikv-\(id - 1)")],
                                gitHash: c.stores[0].gitHash, startTimestamp: nowNanos / ClusterState.second,
                                capacityBytes: capacity, availableBytes: capacity, usedBytes: 0, lastHeartbeatNanos: nowNanos)
            let labels = spec.labels.map { $0.isEmpty ? [:] : $0[(id - 1) % $0.count] }
            setDisk(&s, capacity: capacity, used: 0, labels: labels)
            c.addStore(s)
        }
        c.reserveIds(above: c.nextId)
        if let names = schedulers {
            for e in c.schedulers.entries where !names.contains(e.name) { c.schedulers.remove(e.name) }
            for name in names where !c.schedulers.contains(name) {
                guard SchedulerSet.typeByName[name] != nil, name != "evict-leader-scheduler", name != "grant-leader-scheduler" else {
                    throw LoadError.invalid("\(name): unknown scheduler \(name)")
                }
                c.schedulers.add(name)
            }
        }
        if (spec.splitSize ?? 0) > 0 || (spec.splitKeys ?? 0) > 0 {
            c.setSplitThresholds(sizeMiB: spec.splitSize ?? 0, keys: spec.splitKeys ?? 0)
        }
        c.mergeCheckerEnabled = spec.merge ?? false
        c.scenarioStartNanos = nowNanos
        c.schedule(try scheduledEvents(startNanos: nowNanos))
        return c
    }

    private func setDisk(_ s: inout StoreRecord, capacity: UInt64, used: UInt64, labels: [String: String]?) {
        s.capacityBytes = max(capacity, used)
        s.usedBytes = used
        s.availableBytes = s.capacityBytes - used
        s.reportedCapacity = s.capacityBytes
        s.reportedUsed = used
        s.reportedAvailable = s.availableBytes
        if let labels { s.labels = labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
    }

    func scheduledEvents(startNanos: Int64) throws -> [ScheduledEvent] {
        try events.enumerated().map { i, e in
            let at = startNanos + e.at.nanoseconds
            if let f = e.fault {
                guard let kind = Fault.Kind(rawValue: f.kind) else { throw LoadError.invalid("\(name): unknown fault kind \(f.kind)") }
                var fault = Fault(kind: kind, store: f.store, region: f.region,
                                  factor: f.factor ?? f.percent ?? (kind == .slow ? 10 : kind == .hotRegion ? 20 : 5),
                                  flow: f.flow ?? "write", periodSeconds: f.period ?? 60)
                fault.member = f.member
                fault.seconds = f.seconds
                return ScheduledEvent(atNanos: at, index: i, action: .fault(fault))
            }
            if let r = e.revert { return ScheduledEvent(atNanos: at, index: i, action: .revert(eventIndex: r)) }
            if let l = e.storeLimit {
                let types: [StoreLimitTable.LimitType]
                if let t = l.type {
                    guard let type = StoreLimitTable.LimitType(rawValue: t) else { throw LoadError.invalid("\(name): unknown store-limit type \(t)") }
                    types = [type]
                } else {
                    types = StoreLimitTable.LimitType.allCases
                }
                guard l.rate > 0 else { throw LoadError.invalid("\(name): store-limit rate must be larger than 0") }
                return ScheduledEvent(atNanos: at, index: i, action: .storeLimit(store: l.store, types: types, rate: l.rate))
            }
            if let s = e.removeStore { return ScheduledEvent(atNanos: at, index: i, action: .removeStore(s)) }
            if let h = e.hotRegions {
                return ScheduledEvent(atNanos: at, index: i, action: .hotRegions(flow: h.flow, store: h.store, count: h.count, factor: h.factor ?? 32))
            }
            if let w = e.writeFlowOnSpot {
                let code = RegionKey.code(table: w.table, handle: w.handle ?? 0)
                guard code != 0 else { throw LoadError.invalid("\(name): event \(i): the spot key must not be the open end") }
                return ScheduledEvent(atNanos: at, index: i, action: .spotFlow(code: code, bytesPerSecond: w.mib << 20,
                                                                               durationNanos: w.duration?.nanoseconds))
            }
            throw LoadError.invalid("\(name): event \(i) has no action")
        }
    }
}
