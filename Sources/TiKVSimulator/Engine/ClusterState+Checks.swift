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

    public func regionMatches(check: String, _ r: RegionRecord) -> Bool {
        Self.regionMatches(check: check, r, regionCheckContext())
    }

    static func regionMatches(check: String, _ r: RegionRecord, _ ctx: RegionCheckContext) -> Bool {
        switch check {
        case "miss-peer": return r.peers.count < ctx.desired
        case "extra-peer": return r.peers.count > ctx.desired
        case "down-peer": return r.hasDownPeers
        case "pending-peer": return r.hasPendingPeers
        case "learner-peer": return r.peers.contains { $0.role == .learner }
        case "offline-peer": return r.peers.contains { ctx.removing.contains($0.storeId) }
        case "empty-region": return r.approximateSizeMiB <= 1
        case "oversized-region": return r.approximateSizeMiB >= 144 || r.approximateKeys >= 1_440_000
        case "undersized-region": return Int(r.approximateSizeMiB) <= ctx.maxMergeSize && Int(r.approximateKeys) <= ctx.maxMergeKeys
        default: return false
        }
    }
}
