/// TiKV's region split (`split-check`): a region whose approximate size or keys reach the split thresholds
/// splits into halves at a middle key. Off unless a scenario sets `split-size` or `split-keys`.
extension ClusterState {
    /// Runs the split check on the regions that grew since their last check. A region that still exceeds the
    /// thresholds after splitting is checked again next tick, as TiKV's split checker re-runs on the new regions.
    mutating func runSplitChecks() {
        guard !splitCheckSlots.isEmpty else { return }
        let due = splitCheckSlots.sorted()
        splitCheckSlots.removeAll(keepingCapacity: true)
        for s in due {
            let checked = Int(s)
            guard checked < truth.count, needsSplit(truth[checked]), splitNow(slot: checked) else { continue }
            // Both halves may still be over the thresholds (the key threshold can be far below the data).
            splitCheckSlots.insert(s)
            if let rank = keyOrder.rank(ofSlot: checked), rank > 0 { splitCheckSlots.insert(keyOrder.slots[rank - 1]) }
        }
    }

    func needsSplit(_ r: RegionRecord) -> Bool {
        guard r.id != 0 else { return false }
        return (splitSizeMiB > 0 && r.approximateSizeMiB >= splitSizeMiB) || (splitKeys > 0 && r.approximateKeys >= splitKeys)
    }

    /// Splits a region by id at the middle of its key range (the same split the check performs). False when
    /// it cannot split now: unknown region, no live leader, a joint state, an operator in flight, or a key
    /// range too narrow to halve.
    @discardableResult
    public mutating func splitRegionNow(id: UInt64) -> Bool {
        guard let slot = slotByRegionId[id] else { return false }
        return splitNow(slot: slot)
    }

    /// The split itself. The original region keeps `[mid, end)` and its id (TiKV's right-derive default); the new
    /// region takes `[start, mid)` with a fresh region id and fresh peer ids on the same stores, its leader on the
    /// same store. Both get `version + 1`; size, keys and flows are halved. TiKV reports both at once.
    /// `at`: the split key (USEKEY), else the middle. `byOwnOperator`: PD's split-region operator on the region runs
    /// the split itself, so that operator does not hold it back.
    mutating func splitNow(slot: Int, at key: UInt64? = nil, byOwnOperator: Bool = false) -> Bool {
        let r = truth[slot]
        guard r.id != 0, let leader = r.leader, storeIsUp(leader.storeId), !r.isInJointState,
              byOwnOperator || operators[r.id] == nil else { return false }
        let start = keyOrder.startCode(slot: slot), end = keyOrder.endCode(slot: slot)
        // Codes sort like the TiDB keys they encode, so the middle code is a key between the two bounds.
        let upper = end == 0 ? UInt64.max : end
        guard upper > start, upper - start >= 2 else { return false }
        let mid = key ?? start + (upper - start) / 2
        guard mid > start, mid < upper else { return false }

        let newId = allocId()
        var peers = PeerList()
        var newLeader: UInt64 = 0
        for p in r.peers {
            var q = p
            q.id = allocId()
            q.downSeconds = 0
            if p.id == r.leaderPeerId { newLeader = q.id }
            peers.append(q)
        }
        var right = r
        right.version += 1
        right.approximateSizeMiB = r.approximateSizeMiB - r.approximateSizeMiB / 2
        right.approximateKvSizeMiB = r.approximateKvSizeMiB - r.approximateKvSizeMiB / 2
        right.approximateKeys = r.approximateKeys - r.approximateKeys / 2
        var left = RegionRecord(
            id: newId, confVer: r.confVer, version: r.version + 1, peers: peers, leaderPeerId: newLeader,
            approximateSizeMiB: r.approximateSizeMiB / 2, approximateKvSizeMiB: r.approximateKvSizeMiB / 2,
            approximateKeys: r.approximateKeys / 2, cpuUsage: r.cpuUsage / 2)
        // Flows are split in halves, except that writes aimed at a key stay with the half holding the key.
        let spotted = spotFlows.filter { $0.code >= start && (end == 0 || $0.code < end) }
        let leftSpot = spotted.contains { $0.code < mid }, rightSpot = spotted.contains { $0.code >= mid }
        let halves = (written: r.writtenBytes / 2, wkeys: r.writtenKeys / 2)
        left.writtenBytes = leftSpot ? r.writtenBytes : (rightSpot ? 0 : halves.written)
        left.writtenKeys = leftSpot ? r.writtenKeys : (rightSpot ? 0 : halves.wkeys)
        right.writtenBytes = rightSpot ? r.writtenBytes : (leftSpot ? 0 : r.writtenBytes - halves.written)
        right.writtenKeys = rightSpot ? r.writtenKeys : (leftSpot ? 0 : r.writtenKeys - halves.wkeys)
        left.readBytes = r.readBytes / 2
        left.readKeys = r.readKeys / 2
        right.readBytes = r.readBytes - left.readBytes
        right.readKeys = r.readKeys - left.readKeys
        // A hot-region fault's extra traffic is aimed at its hot key: it stays with the half holding that key, and
        // only the region's ordinary flow is halved.
        for f in faults where f.kind == .hotRegion {
            guard let hot = f.hotCode, hot >= start, end == 0 || hot < end, let saved = f.savedFlow else { continue }
            let read = f.flow == "read"
            let total = read ? (r.readBytes, r.readKeys) : (r.writtenBytes, r.writtenKeys)
            let cool = (saved.bytes / 2, saved.keys / 2)
            let warm = (total.0 > cool.0 ? total.0 - cool.0 : 0, total.1 > cool.1 ? total.1 - cool.1 : 0)
            let (l, rt) = hot < mid ? (warm, cool) : (cool, warm)
            if read {
                (left.readBytes, left.readKeys, right.readBytes, right.readKeys) = (l.0, l.1, rt.0, rt.1)
            } else {
                (left.writtenBytes, left.writtenKeys, right.writtenBytes, right.writtenKeys) = (l.0, l.1, rt.0, rt.1)
            }
        }

        let newSlot = takeSlot()
        guard keyOrder.split(slot: slot, at: mid, newSlot: newSlot) else {
            vacantSlots.append(Int32(newSlot))
            return false
        }
        truth[slot] = right
        truth[newSlot] = left
        slotByRegionId[newId] = newSlot
        recentSplits[r.id] = nowNanos
        recentSplits[newId] = nowNanos
        immediateReports.append(newSlot)
        immediateReports.append(slot)
        return true
    }

    /// A slot for a new region: a vacant one if a merge freed one, else a new one at the end.
    mutating func takeSlot() -> Int {
        if let s = vacantSlots.popLast() { return Int(s) }
        truth.append(.vacant)
        reported.append(.vacant)
        return truth.count - 1
    }

    /// Each tick: every spot flow in force writes its bytes into the region holding its key (size grows, keys
    /// do not, as in PD's simulator); a flow that ended stops showing in the region's written bytes.
    mutating func applySpotFlows() {
        var ended: [SpotFlow] = []
        for f in spotFlows {
            guard let rank = keyOrder.rank(containingCode: f.code) else { continue }
            let s = slot(atRank: rank)
            if f.untilNanos.map({ nowNanos > $0 }) ?? false {
                ended.append(f)
                truth[s].writtenBytes = 0
                truth[s].writtenKeys = 0
                immediateReports.append(s)
                continue
            }
            let mib = UInt32(clamping: f.bytesPerSecond >> 20)
            truth[s].approximateSizeMiB = truth[s].approximateSizeMiB &+ mib
            truth[s].approximateKvSizeMiB = truth[s].approximateKvSizeMiB &+ mib * 9 / 10
            // Per-heartbeat-interval deltas, as TiKV reports them (60 s of this rate).
            truth[s].writtenBytes = f.bytesPerSecond * 60
            truth[s].writtenKeys = f.bytesPerSecond * 60 / 128
            for p in truth[s].peers {
                guard let si = storeIndexById[UInt64(p.storeId)] else { continue }
                stores[si].usedBytes += f.bytesPerSecond
                stores[si].availableBytes = stores[si].availableBytes > f.bytesPerSecond ? stores[si].availableBytes - f.bytesPerSecond : 0
            }
            splitCheckSlots.insert(Int32(s))
        }
        if !ended.isEmpty { spotFlows.removeAll { f in ended.contains { $0 == f } } }
    }

    /// Starts writes aimed at one key (`write-flow-on-spot`).
    public mutating func addSpotFlow(_ f: SpotFlow) { spotFlows.append(f) }

    /// Turns on TiKV's split check with these thresholds (0 = that threshold never splits); every region is
    /// checked at the next tick.
    public mutating func setSplitThresholds(sizeMiB: UInt32, keys: UInt64) {
        splitSizeMiB = sizeMiB
        splitKeys = keys
        if sizeMiB > 0 || keys > 0 { splitCheckSlots = Set(keyOrder.slots) }
    }
}
