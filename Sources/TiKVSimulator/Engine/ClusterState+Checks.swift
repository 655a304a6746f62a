/// Region-check predicates (`pkg/statistics/region_collection.go`).
extension ClusterState {
    public func regionMatches(check: String, _ r: RegionRecord) -> Bool {
        let desired = config.maxReplicas
        switch check {
        case "miss-peer": return r.peers.count < desired
        case "extra-peer": return r.peers.count > desired
        case "down-peer": return r.hasDownPeers
        case "pending-peer": return r.hasPendingPeers
        case "learner-peer": return r.peers.contains { $0.role == .learner }
        case "offline-peer": return r.peers.contains { p in store(UInt64(p.storeId))?.nodeState == .removing }
        case "empty-region": return r.approximateSizeMiB <= 1
        case "oversized-region": return r.approximateSizeMiB >= 144 || r.approximateKeys >= 1_440_000
        case "undersized-region":
            return Int(r.approximateSizeMiB) <= config.maxMergeRegionSize && Int(r.approximateKeys) <= config.maxMergeRegionKeys
        default: return false
        }
    }
}
