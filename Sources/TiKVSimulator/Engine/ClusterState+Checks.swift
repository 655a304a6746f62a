/// Region-check predicates (`pkg/statistics/region_collection.go`).
extension ClusterState {
    /// The config and store facts the checks need, read once so a pass over a million regions does no lookups
    /// by name.
    struct RegionCheckContext {
        let desired: Int
        let maxMergeSize: Int
        let maxMergeKeys: Int
        /// Store ids whose node state is Removing.
        let removing: Set<UInt32>
    }

    func regionCheckContext() -> RegionCheckContext {
        RegionCheckContext(desired: config.maxReplicas, maxMergeSize: config.maxMergeRegionSize, maxMergeKeys: config.maxMergeRegionKeys,
                           removing: Set(stores.filter { $0.nodeState == .removing }.map { UInt32($0.id) }))
    }

    /// The `regions/check/{name}` names, parsed once so a pass does not compare strings per region.
    enum RegionCheckKind: String, CaseIterable {
        case missPeer = "miss-peer", extraPeer = "extra-peer", downPeer = "down-peer", pendingPeer = "pending-peer"
        case offlinePeer = "offline-peer", learnerPeer = "learner-peer", emptyRegion = "empty-region"
        case oversizedRegion = "oversized-region", undersizedRegion = "undersized-region"
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
        case .emptyRegion: return r.approximateSizeMiB <= 1
        case .oversizedRegion: return r.approximateSizeMiB >= 144 || r.approximateKeys >= 1_440_000
        case .undersizedRegion: return Int(r.approximateSizeMiB) <= ctx.maxMergeSize && Int(r.approximateKeys) <= ctx.maxMergeKeys
        }
    }
}
