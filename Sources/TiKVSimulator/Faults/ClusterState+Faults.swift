/// Injecting and reverting faults.
extension ClusterState {
    public mutating func inject(_ fault: Fault) throws(PDError) -> UInt64 {
        var f = fault
        f.id = nextFaultId
        f.createdAtNanos = nowNanos
        if f.kind.isPD {
            try injectPD(&f)
        } else if f.kind == .misplaceReplicas {
            f.savedPeers = misplaceReplicas(count: Int(max(1, min(f.factor, 1_000_000))))
            guard !f.savedPeers.isEmpty else { throw PDError(400, "no region's follower can be moved next to another replica's \(topLocationLabel)") }
        } else if f.kind != .hotRegion {
            guard let sid = f.store, let i = storeIndexById[sid] else { throw PDError(400, "fault needs an existing \"store\"") }
            switch f.kind {
            case .kill: setStoreReachability(index: i, alive: false, reachable: stores[i].reachable)
            case .partition: setStoreReachability(index: i, alive: stores[i].processAlive, reachable: false)
            case .slow: stores[i].slowFactor = max(1, f.factor)
            case .diskFill:
                // Something else fills the disk: the filler is the difference to the target, taken back on revert.
                let pct = min(100, max(0, f.factor))
                let target = UInt64(Double(stores[i].capacityBytes) * pct / 100)
                let filler = stores[i].availableBytes > target ? stores[i].availableBytes - target : 0
                f.savedAvailable = filler
                stores[i].availableBytes -= filler
                stores[i].usedBytes += filler
            case .leaderSkew:
                // Move every leader that can go to this store there (a skew the balancer must undo).
                for slot in truth.indices {
                    let r = truth[slot]
                    guard r.leaderStoreId != UInt32(sid), let p = r.peers.first(where: { UInt64($0.storeId) == sid && $0.role == .voter }) else { continue }
                    f.savedLeaders.append((r.id, r.leaderPeerId))
                    truth[slot].leaderPeerId = p.id
                    immediateReports.append(slot)
                }
            case .busy: stores[i].busy = true
            case .flapping, .hotRegion, .pdLeaderChange, .pdMemberDown, .clockSkew, .pdMemberUnhealthy, .misplaceReplicas: break
            }
        } else {
            guard let rid = f.region, let slot = slotByRegionId[rid] else { throw PDError(400, "fault needs an existing \"region\"") }
            guard f.flow == "read" || f.flow == "write" else { throw PDError(400, "fault \"flow\" must be read or write") }
            // At least `factor` × 4 MiB per 60 s report, so a default fault (×20) crosses PD's 1 MiB/s hot threshold.
            let k = max(1, f.factor)
            let bytes = f.flow == "read" ? truth[slot].readBytes : truth[slot].writtenBytes
            let keys = f.flow == "read" ? truth[slot].readKeys : truth[slot].writtenKeys
            f.savedFlow = (bytes, keys)
            let start = keyOrder.startCode(slot: slot), end = keyOrder.endCode(slot: slot)
            f.hotCode = start + ((end == 0 ? UInt64.max : end) - start) / 4
            let hotBytes = UInt64(Double(max(bytes, 4 << 20)) * k), hotKeys = UInt64(Double(max(keys, 32768)) * k)
            setFlow(slot: slot, read: f.flow == "read", bytes: hotBytes, keys: hotKeys)
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
            case .busy: stores[i].busy = false
            case .diskFill:
                let filler = f.savedAvailable ?? 0
                stores[i].availableBytes = min(stores[i].capacityBytes, stores[i].availableBytes + filler)
                stores[i].usedBytes = stores[i].usedBytes > filler ? stores[i].usedBytes - filler : 0
            default: break
            }
        }
        // The traffic ends where its hot key is now, which a split may have moved to another region.
        if f.kind == .hotRegion, let saved = f.savedFlow,
           let slot = f.hotCode.flatMap({ keyOrder.rank(containingCode: $0) }).map({ self.slot(atRank: $0) }) ?? f.region.flatMap({ slotByRegionId[$0] }) {
            setFlow(slot: slot, read: f.flow == "read", bytes: saved.bytes, keys: saved.keys)
        }
        if f.kind == .pdMemberDown, let m = f.member {
            // The process restarts and joins as a follower.
            try setPDMember(m, up: true)
        }
        if f.kind == .pdMemberUnhealthy, let m = f.member, let i = members.firstIndex(where: { $0.name == m }) {
            members[i].healthy = members[i].up
        }
        if f.kind == .misplaceReplicas { restoreReplicas(f.savedPeers) }
        if f.kind == .leaderSkew {
            // Give back the leaders the skew took, where that peer still exists and can lead.
            for (rid, peer) in f.savedLeaders {
                guard let slot = slotByRegionId[rid], let p = truth[slot].peers.first(where: { $0.id == peer }),
                      p.role == .voter, storeIsUp(p.storeId), operators[rid] == nil else { continue }
                truth[slot].leaderPeerId = peer
                immediateReports.append(slot)
            }
        }
    }

    private mutating func injectPD(_ f: inout Fault) throws(PDError) {
        switch f.kind {
        case .pdLeaderChange:
            guard !leaderName.isEmpty else { throw PDError(400, "no PD leader to step down (an election is running)") }
            resignPDLeader(electionNanos: f.seconds.map { Int64($0 * 1e9) })
        case .pdMemberDown:
            guard let name = f.member ?? (leaderName.isEmpty ? nil : leaderName) else {
                throw PDError(400, "fault needs a \"member\" (no PD leader to default to)")
            }
            if members.first(where: { $0.name == name })?.up == false { throw PDError(400, "PD member \(name) is already down") }
            f.member = name
            try setPDMember(name, up: false)
        case .clockSkew:
            guard let s = f.seconds, s.isFinite, abs(s) <= 86_400 else { throw PDError(400, "clock-skew needs \"seconds\" (±86400 at most)") }
        case .pdMemberUnhealthy:
            guard let name = f.member ?? (leaderName.isEmpty ? nil : leaderName), let i = members.firstIndex(where: { $0.name == name }) else {
                throw PDError(400, "fault needs an existing \"member\": one of \(members.map(\.name).joined(separator: ", "))")
            }
            f.member = name
            members[i].healthy = false
        default: break
        }
    }

    /// PD's clock minus the cluster's true time: the sum of the clock-skew faults in force.
    public var pdClockSkewNanos: Int64 {
        faults.reduce(0) { $0 + ($1.kind == .clockSkew ? Int64(($1.seconds ?? 0) * 1e9) : 0) }
    }

    private mutating func setFlow(slot: Int, read: Bool, bytes: UInt64, keys: UInt64) {
        if read {
            truth[slot].readBytes = bytes
            truth[slot].readKeys = keys
        } else {
            truth[slot].writtenBytes = bytes
            truth[slot].writtenKeys = keys
        }
        immediateReports.append(slot)
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
