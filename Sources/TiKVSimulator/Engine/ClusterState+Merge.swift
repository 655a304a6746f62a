/// PD's merge checker (`pkg/schedule/checker/merge_checker.go`) and TiKV's merge. Runs only when
/// `mergeCheckerEnabled` (a scenario's `merge: true`), so clusters that do not ask for it never merge.
extension ClusterState {
    /// TiKV's `region-max-size` / `region-split-size` (and keys) as PD's store config reads them, for the
    /// "would split again right after merging" rule.
    static let regionMaxSizeMiB: UInt64 = 144, regionSplitSizeMiB: UInt64 = 96
    static let regionMaxKeys: UInt64 = 1_440_000, regionSplitKeys: UInt64 = 960_000
    /// Regions visited per tick: bounded so a million regions cost a tick no more than a scheduler scan.
    static let mergePatrolBudget = 10_000

    /// One patrol step: visits regions in key order from a rotating cursor and opens merge operators while
    /// fewer than `merge-schedule-limit` merge operators are in flight (each merge holds two, as in PD).
    mutating func runMergeChecker() {
        cancelStaleMerges()
        let interval = config.splitMergeIntervalNanos
        if !recentSplits.isEmpty { recentSplits = recentSplits.filter { nowNanos - $0.value < interval } }
        // PD merges nothing until split-merge-interval has passed since it started.
        guard nowNanos - pdStartTimestamp * Self.second >= interval, config.maxMergeRegionSize > 0 else { return }
        let limit = config.mergeScheduleLimit
        var inFlight = operators.values.filter { $0.kind.contains(.merge) }.count
        let n = keyOrder.count
        guard n > 1, inFlight < limit else { return }
        var visited = 0
        while visited < min(n, Self.mergePatrolBudget), inFlight < limit {
            let rank = (mergeCursor + visited) % n
            visited += 1
            guard let (source, target) = mergeCandidate(rank: rank) else { continue }
            openMerge(source: source, target: target)
            inFlight += 2
        }
        mergeCursor = (mergeCursor + visited) % n
    }

    /// The merge checker's decision for the region at `rank` (PD's view): (source slot, target slot) or nil.
    func mergeCandidate(rank: Int) -> (Int, Int)? {
        let s = slot(atRank: rank)
        let r = reported[s]
        guard r.known, operators[r.id] == nil, recentSplits[r.id] == nil, r.leader != nil else { return nil }
        guard needsMerge(r), isHealthyAndReplicated(r), !isHot(r) else { return nil }
        let prev = rank > 0 ? slot(atRank: rank - 1) : nil
        let next = rank + 1 < keyOrder.count ? slot(atRank: rank + 1) : nil
        var target: Int?
        if let next, isMergeTarget(reported[next], for: r) { target = next }
        if !config.oneWayMerge, let prev, isMergeTarget(reported[prev], for: r) {
            // Two-way merge picks the smaller neighbour.
            let smaller = target.map { reported[prev].approximateSizeMiB < reported[$0].approximateSizeMiB } ?? true
            if smaller { target = prev }
        }
        guard let t = target else { return nil }
        let tr = reported[t]
        // A target beyond 4 × region-max-size (at least 500 MiB) is too large.
        guard UInt64(tr.approximateSizeMiB) <= max(Self.regionMaxSizeMiB * 4, 500) else { return nil }
        // Skip a merge whose result would split again into a piece small enough to merge again.
        let size = UInt64(tr.approximateSizeMiB) + UInt64(r.approximateSizeMiB), keys = tr.approximateKeys + r.approximateKeys
        if Self.wouldMergeAgain(size, max: Self.regionMaxSizeMiB, split: Self.regionSplitSizeMiB, merge: UInt64(config.maxMergeRegionSize))
            || Self.wouldMergeAgain(keys, max: Self.regionMaxKeys, split: Self.regionSplitKeys, merge: UInt64(config.maxMergeRegionKeys)) {
            return nil
        }
        return (s, t)
    }

    /// `CheckRegionSize` / `CheckRegionKeys`: a merged region at or over the max splits again, and if the smallest
    /// piece is within the merge threshold it would be merged again, so PD skips the merge.
    static func wouldMergeAgain(_ total: UInt64, max: UInt64, split: UInt64, merge: UInt64) -> Bool {
        guard total >= max else { return false }
        let small = total % split
        return small != 0 && small <= merge
    }

    /// `NeedMerge`: at most max-merge-region-size MiB and max-merge-region-keys keys.
    func needsMerge(_ r: RegionRecord) -> Bool {
        Int(r.approximateSizeMiB) <= config.maxMergeRegionSize && r.approximateKeys <= UInt64(config.maxMergeRegionKeys)
    }

    /// `IsRegionHealthy` and `IsRegionReplicated`: no down or pending peer, exactly max-replicas voters.
    func isHealthyAndReplicated(_ r: RegionRecord) -> Bool {
        !r.hasDownPeers && !r.hasPendingPeers && !r.isInJointState
            && r.peers.count == config.maxReplicas && r.peers.allSatisfy { $0.role == .voter }
    }

    func isHot(_ r: RegionRecord) -> Bool {
        Double(max(r.readBytes, r.writtenBytes)) / 60 >= Self.hotBytesPerSecond
    }

    /// `checkTarget`, plus this model's simplification: the neighbour must already have its peers on the same
    /// stores (PD would first move the source's peers there; see Scenarios/README.md).
    func isMergeTarget(_ t: RegionRecord, for r: RegionRecord) -> Bool {
        guard t.known, t.id != r.id, operators[t.id] == nil, recentSplits[t.id] == nil, t.leader != nil,
              !isHot(t), isHealthyAndReplicated(t) else { return false }
        return t.peers.count == r.peers.count && t.peers.allSatisfy { r.peers.index(ofStore: $0.storeId) != nil }
    }

    /// `CreateMergeRegionOperator`: one operator on each side, both of kind merge.
    mutating func openMerge(source: Int, target: Int) {
        let s = reported[source], t = reported[target]
        let brief = "merge: region \(s.id) to \(t.id)"
        try? addOperator(slot: source, desc: "merge-region", brief: brief, kind: [.merge],
                         steps: [.mergeRegion(from: s.id, to: t.id, passive: false)])
        try? addOperator(slot: target, desc: "merge-region", brief: brief, kind: [.merge],
                         steps: [.mergeRegion(from: s.id, to: t.id, passive: true)])
    }

    /// A merge whose other side vanished or moved (a split in between, a cancelled partner) can never finish:
    /// PD drops it as stale, and so does this.
    mutating func cancelStaleMerges() {
        for op in operators.values where op.kind.contains(.merge) {
            guard case .mergeRegion(let from, let to, _)? = op.steps.first else { continue }
            let partner = op.regionId == from ? to : from
            if operators[partner] == nil || slotByRegionId[from] == nil || slotByRegionId[to] == nil {
                // The passive side of a finished merge ends by itself; only an active side that lost its partner is stale.
                if slotByRegionId[from] == nil { continue }
                finish(regionId: op.regionId, status: .cancel)
            }
        }
    }

    /// TiKV's merge (PrepareMerge/CommitMerge) of two adjacent regions: the target takes the source's key range,
    /// its version becomes max(both) + 1, sizes, keys and flows add up, and the source disappears from the truth
    /// and from PD's view at once. False when they are no longer adjacent, their leaders are not live, or
    /// their peers are not on the same stores.
    @discardableResult
    public mutating func mergeNow(source: UInt64, target: UInt64) -> Bool {
        guard let ss = slotByRegionId[source], let ts = slotByRegionId[target], ss != ts else { return false }
        let s = truth[ss], t = truth[ts]
        guard let sl = s.leader, let tl = t.leader, storeIsUp(sl.storeId), storeIsUp(tl.storeId),
              s.peers.count == t.peers.count, s.peers.allSatisfy({ t.peers.index(ofStore: $0.storeId) != nil }),
              keyOrder.merge(source: ss, into: ts) else { return false }
        var m = t
        m.version = max(s.version, t.version) + 1
        m.approximateSizeMiB = t.approximateSizeMiB &+ s.approximateSizeMiB
        m.approximateKvSizeMiB = t.approximateKvSizeMiB &+ s.approximateKvSizeMiB
        m.approximateKeys = t.approximateKeys &+ s.approximateKeys
        m.cpuUsage = t.cpuUsage &+ s.cpuUsage
        m.writtenBytes = t.writtenBytes &+ s.writtenBytes
        m.writtenKeys = t.writtenKeys &+ s.writtenKeys
        m.readBytes = t.readBytes &+ s.readBytes
        m.readKeys = t.readKeys &+ s.readKeys
        truth[ts] = m
        // The source's peers are destroyed: PD drops the region from every view and per-store sum at once.
        applyReport(slot: ss, record: .vacant)
        truth[ss] = .vacant
        slotByRegionId[source] = nil
        recentSplits[source] = nil
        splitCheckSlots.remove(Int32(ss))
        vacantSlots.append(Int32(ss))
        immediateReports.append(ts)
        if needsSplit(m) { splitCheckSlots.insert(Int32(ts)) }
        return true
    }
}
