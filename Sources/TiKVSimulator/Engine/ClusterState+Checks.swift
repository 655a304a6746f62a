/// Region-check predicates (`pkg/statistics/region_collection.go`).
extension ClusterState {
    /// The config and store facts the checks need, read once so a pass over a million regions does no lookups
    /// by name.
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
    }

    /// Slots, in key order, of the known regions a check lists. Answered from `checkIndex` (and, for offline-peer,
    /// the per-store slot sets of removing stores) so a steady-state call touches only the regions it lists;
    /// undersized-region (its thresholds are config) and miss/extra-peer under a max-replicas other than 3 scan.
    func regionCheckSlots(_ kind: RegionCheckKind) -> [Int] {
        let ctx = regionCheckContext()
        if ctx.ranged, kind == .missPeer || kind == .extraPeer {
            return keyOrder.slots.map(Int.init).filter { s in
                let r = reported[s], want = desiredReplicas(slot: s)
                return r.known && (kind == .missPeer ? r.peers.count < want : r.peers.count > want)
            }
        }
        var candidates: Set<Int32>?
        switch kind {
        case .downPeer: candidates = checkIndex.down
        case .pendingPeer: candidates = checkIndex.pending
        case .learnerPeer: candidates = checkIndex.learner
        case .emptyRegion: candidates = checkIndex.empty
        case .oversizedRegion: candidates = checkIndex.oversized
        case .missPeer where ctx.desired == RegionCheckIndex.commonPeerCount:
            candidates = checkIndex.byPeerCount[..<ctx.desired].reduce(into: []) { $0.formUnion($1) }
        case .extraPeer where ctx.desired == RegionCheckIndex.commonPeerCount:
            candidates = checkIndex.byPeerCount[(ctx.desired + 1)...].reduce(into: []) { $0.formUnion($1) }
        case .offlinePeer:
            candidates = stores.indices.filter { stores[$0].nodeState == .removing }.reduce(into: []) { $0.formUnion(storeSlots[$1]) }
        default: candidates = nil
        }
        guard let candidates else { return scanRegionCheck(kind, ctx) }
        return candidates.map(Int.init)
            .filter { reported[$0].known && Self.regionMatches(kind, reported[$0], ctx) }
            .sorted { startCode(slot: $0) < startCode(slot: $1) }
    }

    /// The same answer by scanning every region in key order (the reference the index is tested against).
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
}
