/// Region-check predicates and PD's region statistics (`pkg/statistics/region_collection.go`, v8.5.7).
extension ClusterState {
    /// The config and store facts the checks need, read once so a pass over a million regions does no lookups
    /// by name. The single source of the desired replica count.
    struct RegionCheckContext {
        /// Desired peers per region: the applied placement rules' counts summed, learners included
        /// (region_collection.go:188-208), or max-replicas without placement rules.
        let desired: Int
        /// Key-ranged rules make the desired count differ by region; miss/extra-peer then read it per slot.
        let ranged: Bool
        let maxMergeSize: Int
        let maxMergeKeys: Int
        /// Store ids whose node state is Removing.
        let removing: Set<UInt32>
    }

    func regionCheckContext() -> RegionCheckContext {
        let uniform = uniformDesiredReplicas
        return RegionCheckContext(desired: uniform ?? config.maxReplicas, ranged: uniform == nil, maxMergeSize: config.maxMergeRegionSize, maxMergeKeys: config.maxMergeRegionKeys,
                           removing: Set(stores.filter { $0.nodeState == .removing }.map { UInt32($0.id) }))
    }

    /// The `regions/check/{name}` names, parsed once so a pass does not compare strings per region.
    enum RegionCheckKind: String, CaseIterable {
        case missPeer = "miss-peer", extraPeer = "extra-peer", downPeer = "down-peer", pendingPeer = "pending-peer"
        case offlinePeer = "offline-peer", learnerPeer = "learner-peer", emptyRegion = "empty-region"
        case oversizedRegion = "oversized-region", undersizedRegion = "undersized-region"

        var statistic: RegionCheckIndex.Bits {
            switch self {
            case .missPeer: .miss
            case .extraPeer: .extra
            case .downPeer: .down
            case .pendingPeer: .pending
            case .offlinePeer: .offline
            case .learnerPeer: .learner
            case .emptyRegion: .empty
            case .oversizedRegion: .oversized
            case .undersizedRegion: .undersized
            }
        }
    }

    /// Slots, in key order, of the regions a check lists: PD's statistics (`GetRegionStatsByType`,
    /// region_collection.go:119-131), which lag the heartbeats, not a fresh evaluation of the current view.
    func regionCheckSlots(_ kind: RegionCheckKind) -> [Int] {
        // Key-ranged rules make the desired count differ by region, so the uniform count the statistics were observed
        // with does not apply: miss/extra-peer then read each region's own count (a fresh evaluation, not lagged).
        let ctx = regionCheckContext()
        if ctx.ranged, kind == .missPeer || kind == .extraPeer {
            return keyOrder.slots.map(Int.init).filter { s in
                let r = reported[s], want = desiredReplicas(slot: s)
                return r.known && (kind == .missPeer ? r.peers.count < want : r.peers.count > want)
            }
        }
        return checkIndex.slots(kind.statistic).map(Int.init)
            .filter { reported[$0].known }
            .sorted { startCode(slot: $0) < startCode(slot: $1) }
    }

    /// What a fresh evaluation of the current reported view would list, in key order (the reference the
    /// statistics converge to once every region has been observed again).
    func scanRegionCheck(_ kind: RegionCheckKind, _ ctx: RegionCheckContext) -> [Int] {
        keyOrder.slots.map(Int.init).filter { reported[$0].known && Self.regionMatches(kind, reported[$0], ctx) }
    }

    public func regionMatches(check: String, _ r: RegionRecord) -> Bool {
        guard let kind = RegionCheckKind(rawValue: check) else { return false }
        return Self.regionMatches(kind, r, regionCheckContext())
    }

    static func regionMatches(_ kind: RegionCheckKind, _ r: RegionRecord, _ ctx: RegionCheckContext) -> Bool {
        switch kind {
        case .missPeer: return r.peers.count < ctx.desired
        case .extraPeer: return r.peers.count > ctx.desired
        case .downPeer: return r.hasDownPeers
        case .pendingPeer: return r.hasPendingPeers
        case .learnerPeer: return r.peers.contains { $0.role == .learner }
        case .offlinePeer: return !ctx.removing.isEmpty && r.peers.contains { ctx.removing.contains($0.storeId) }
        case .emptyRegion: return RegionCheckIndex.isEmpty(r)
        case .oversizedRegion: return RegionCheckIndex.isOversized(r)
        case .undersizedRegion: return Int(r.approximateSizeMiB) <= ctx.maxMergeSize && Int(r.approximateKeys) <= ctx.maxMergeKeys
        }
    }

    /// `Observe`'s conditions (region_collection.go:225-261) for a region, as statistics bits.
    static func observedBits(_ r: RegionRecord, _ ctx: RegionCheckContext) -> RegionCheckIndex.Bits {
        var b: RegionCheckIndex.Bits = .observed
        for kind in RegionCheckKind.allCases where regionMatches(kind, r, ctx) { b.insert(kind.statistic) }
        return b
    }

    /// `regionGuide` (v8.5.7:pkg/core/region.go:778-899): whether PD saves a heartbeat to its cache (or KV),
    /// which is when it re-observes the region's statistics (v8.5.7:server/cluster/cluster.go:1306-1318).
    static func heartbeatSaves(origin o: RegionRecord, region r: RegionRecord) -> Bool {
        guard o.known else { return true }
        if r.version > o.version || r.confVer > o.confVer || r.leaderPeerId != o.leaderPeerId { return true }
        if r.peers.count != o.peers.count { return true }
        // Flow is compared rounded to flow-round-by-digit 3 (region.go:859-861, 663-681).
        func round(_ v: UInt64) -> UInt64 { (v + 500) / 1000 }
        if round(r.writtenBytes) != round(o.writtenBytes) || round(r.readBytes) != round(o.readBytes) { return true }
        let downA = r.peers.filter { $0.downSeconds > 0 }.map(\.id), downB = o.peers.filter { $0.downSeconds > 0 }.map(\.id)
        if downA != downB { return true }
        if r.peers.filter(\.pending).map(\.id) != o.peers.filter(\.pending).map(\.id) { return true }
        return r.approximateSizeMiB != o.approximateSizeMiB || r.approximateKeys != o.approximateKeys
    }

    /// `RegionStatsNeedUpdate` (region_collection.go:151-174): an unobserved region, or a change of oversized,
    /// pending, down, learner or undersized. Miss-, extra- and offline-peer and empty-region are not looked at,
    /// so a store-state or max-replicas change alone does not refresh them.
    func regionStatsNeedUpdate(slot: Int, _ r: RegionRecord, _ ctx: RegionCheckContext) -> Bool {
        guard checkIndex.isObserved(slot: slot) else { return true }
        let fresh = Self.observedBits(r, ctx)
        let watched: RegionCheckIndex.Bits = [.oversized, .pending, .down, .learner, .undersized]
        return checkIndex.bits[slot].intersection(watched) != fresh.intersection(watched)
    }

    /// The statistics side of a processed region heartbeat (cluster.go:1235-1318).
    mutating func refreshStatistics(slot: Int, origin: RegionRecord, region: RegionRecord) {
        // A region a new leader loaded from storage is not observed until its heartbeat arrives.
        guard region.known, !region.fromStorage else { checkIndex.clear(slot: slot); return }
        if Self.heartbeatSaves(origin: origin, region: region) {
            checkIndex.set(slot: slot, Self.observedBits(region, regionCheckContext()))
            return
        }
        let ctx = regionCheckContext()
        if regionStatsNeedUpdate(slot: slot, region, ctx) { checkIndex.set(slot: slot, Self.observedBits(region, ctx)) }
    }
}
