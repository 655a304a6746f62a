/// Injecting and reverting faults.
extension ClusterState {
    public mutating func inject(_ fault: Fault) throws(PDError) -> UInt64 {
        var f = fault
        f.id = nextFaultId
        f.createdAtNanos = nowNanos
        if f.kind != .hotRegion {
            guard let sid = f.store, let i = storeIndexById[sid] else { throw PDError(400, "fault needs an existing \"store\"") }
            switch f.kind {
            case .kill: setStoreReachability(index: i, alive: false, reachable: stores[i].reachable)
            case .partition: setStoreReachability(index: i, alive: stores[i].processAlive, reachable: false)
            case .slow: stores[i].slowFactor = max(1, f.factor)
            case .diskFill:
                f.savedAvailable = stores[i].availableBytes
                let pct = min(100, max(0, f.factor))
                stores[i].availableBytes = UInt64(Double(stores[i].capacityBytes) * pct / 100)
            case .leaderSkew:
                // Move every leader that can go to this store there (a skew the balancer must undo).
                for slot in truth.indices {
                    if let p = truth[slot].peers.first(where: { UInt64($0.storeId) == sid && $0.role == .voter }) {
                        truth[slot].leaderPeerId = p.id
                        immediateReports.append(slot)
                    }
                }
            case .flapping: break
            case .hotRegion: break
            }
        } else {
            guard let rid = f.region, let slot = slotByRegionId[rid] else { throw PDError(400, "fault needs an existing \"region\"") }
            let k = max(1, f.factor)
            if f.flow == "read" {
                truth[slot].readBytes = UInt64(Double(max(truth[slot].readBytes, 1 << 20)) * k)
                truth[slot].readKeys = UInt64(Double(max(truth[slot].readKeys, 8192)) * k)
            } else {
                truth[slot].writtenBytes = UInt64(Double(max(truth[slot].writtenBytes, 1 << 20)) * k)
                truth[slot].writtenKeys = UInt64(Double(max(truth[slot].writtenKeys, 8192)) * k)
            }
        }
        nextFaultId += 1
        faults.append(f)
        return f.id
    }

    public mutating func revert(faultId: UInt64) throws(PDError) {
        guard let idx = faults.firstIndex(where: { $0.id == faultId }) else { throw PDError(404, "fault \(faultId) not found") }
        let f = faults.remove(at: idx)
        if let sid = f.store, let i = storeIndexById[sid] {
            switch f.kind {
            case .kill, .flapping: setStoreReachability(index: i, alive: true, reachable: stores[i].reachable)
            case .partition: setStoreReachability(index: i, alive: stores[i].processAlive, reachable: true)
            case .slow: stores[i].slowFactor = 1
            case .diskFill: stores[i].availableBytes = f.savedAvailable ?? stores[i].availableBytes
            default: break
            }
        }
        if f.kind == .hotRegion, let rid = f.region, let slot = slotByRegionId[rid] {
            let k = max(1, f.factor)
            if f.flow == "read" {
                truth[slot].readBytes = UInt64(Double(truth[slot].readBytes) / k)
                truth[slot].readKeys = UInt64(Double(truth[slot].readKeys) / k)
            } else {
                truth[slot].writtenBytes = UInt64(Double(truth[slot].writtenBytes) / k)
                truth[slot].writtenKeys = UInt64(Double(truth[slot].writtenKeys) / k)
            }
        }
    }

    /// Time-driven faults: a flapping store is down for the first half of each period.
    mutating func applyTimedFaults() {
        for f in faults where f.kind == .flapping {
            guard let sid = f.store, let i = storeIndexById[sid] else { continue }
            let period = max(2, f.periodSeconds) * Self.second
            let phase = (nowNanos - f.createdAtNanos) % period
            let shouldBeAlive = phase >= period / 2
            if shouldBeAlive != stores[i].processAlive {
                setStoreReachability(index: i, alive: shouldBeAlive, reachable: stores[i].reachable)
            }
        }
    }
}
