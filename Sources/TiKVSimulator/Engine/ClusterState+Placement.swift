/// Placement rules as they bear on scheduling.
extension ClusterState {
    /// The placement-rule half of `Builder.allowLeader` (builder.go:931-940): some rule whose role is leader or
    /// voter must match the store's labels. The simulator serves PD's default rule only (voters, no label
    /// constraints), which lets every voter lead.
    func placementAllowsLeader(storeIndex i: Int, region r: RegionRecord) -> Bool { true }
}
