import Foundation

/// Regions (peers) away from their weighted target (`balance.regions.maxSkewPercent`).
public enum RegionSkewCheck {
    public static func evaluate(_ policy: InvariantPolicy, balance: BalancePolicy, _ snapshot: ClusterSnapshot,
                                _ maintenances: [StoreMaintenance]) -> InvariantVerdict {
        SkewCheck.evaluate(.regions, policy: policy, balance: balance, snapshot: snapshot, maintenances: maintenances)
    }
}
