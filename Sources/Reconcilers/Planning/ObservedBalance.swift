/// The balance PD's own balancers converge to: each store they may fill (the same legality rule the move
/// planner uses) against the weights PD reports for it. A wait for PD's balancer is judged on this, since
/// once the weights are set they are what PD's scores divide by.
public enum ObservedBalance {
    public static func targets(_ kind: BalanceKind, snapshot: ClusterSnapshot, legality: TargetLegality) -> BalanceTargets {
        let eligible = snapshot.stores.filter { s in
            // A store without regions cannot lead any (as `PlanningContext.mayHoldLeaders`).
            kind == .leaders ? s.regionCount > 0 && legality.isLegal(s.id, as: .leader) : legality.isLegal(s.id, as: .peer)
        }
        return BalanceTargets(eligible.map { s in
            (s.id, kind == .leaders ? s.leaderCount : s.regionCount, kind == .leaders ? s.leaderWeight : s.regionWeight)
        })
    }

    /// Whether every eligible store is within `maxSkewPercent` of its weighted share (or no move could help).
    public static func converged(_ targets: BalanceTargets, maxSkewPercent: Double) -> Bool {
        !targets.exceeds(maxSkewPercent: maxSkewPercent)
    }
}
