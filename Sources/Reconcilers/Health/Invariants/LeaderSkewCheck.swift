import Foundation

/// Leaders away from their weighted target (`balance.leaders.maxSkewPercent`).
public enum LeaderSkewCheck {
    public static func evaluate(_ policy: InvariantPolicy, balance: BalancePolicy, _ snapshot: ClusterSnapshot,
                                _ maintenances: [StoreMaintenance]) -> InvariantVerdict {
        SkewCheck.evaluate(.leaders, policy: policy, balance: balance, snapshot: snapshot, maintenances: maintenances)
    }
}
