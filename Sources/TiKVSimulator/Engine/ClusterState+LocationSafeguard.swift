/// PD's location safeguard (v8.5.7:pkg/schedule/filter/filters.go:237-271, `NewPlacementSafeguard` at 766-772): a
/// region's peer moves only to a store at least as distinct from the region's other stores as the one it leaves, so
/// balancing never puts two replicas into one zone that were apart. With the rule checker PD judges the same through
/// the rule fit's isolation score; the default rule's location labels are `location-labels`, so one check serves both.
extension ClusterState {
    /// PD's distinct score of `store` against `others` over `location-labels` (`pkg/core/region.go` `GetDistinctScore`):
    /// per other store, the levels from the first one they differ at down to the last, summed.
    func distinctScore(of store: UInt32, against others: [UInt32]) -> Int {
        let labels = config.locationLabels
        guard !labels.isEmpty else { return 0 }
        let path = labels.map { key in storeLabels(store).first { $0.key == key }?.value ?? "" }
        return others.reduce(0) { sum, other in
            let otherPath = labels.map { key in storeLabels(other).first { $0.key == key }?.value ?? "" }
            guard let level = path.indices.first(where: { path[$0] != otherPath[$0] }) else { return sum }
            return sum + labels.count - level
        }
    }

    /// Whether moving `r`'s peer from `source` to `target` keeps the region at least as spread over the labels.
    func keepsLocation(_ r: RegionRecord, from source: UInt32, to target: UInt32) -> Bool {
        guard !config.locationLabels.isEmpty else { return true }
        let others = r.peers.map(\.storeId).filter { $0 != source }
        return distinctScore(of: target, against: others) >= distinctScore(of: source, against: others)
    }
}
