import Foundation

/// Leader or region counts away from the desired weighted balance. Shared by the leader and region
/// skew invariants; the subject is the cluster, since one balance plan fixes it.
///
/// Counted stores: Up and alive, under no StoreMaintenance, and for leaders not held by the
/// evict-leader scheduler (their leaders are meant to leave). A store's target is the total over
/// counted stores times its weight share (`balance.storeWeights`, default 1). It is out of balance
/// when its count leaves `[floor(target × (1 − p)), ceil(target × (1 + p))]` with p = maxSkewPercent:
/// counts are integers, so a store one leader from a fractional target is balanced.
enum SkewCheck {
    enum Dimension {
        case leaders, regions
        var invariant: InvariantID { self == .leaders ? .leaderSkew : .regionSkew }
        var noun: String { self == .leaders ? "leaders" : "regions" }
    }

    struct StoreShare: Equatable {
        var storeID: UInt64
        var count: Int
        var target: Double
        var low: Int
        var high: Int
        var inBand: Bool { count >= low && count <= high }
    }

    /// Every counted store's count, target and allowed band, sorted by store id.
    static func shares(_ dimension: Dimension, balance: BalancePolicy, snapshot: ClusterSnapshot,
                       maintenances: [StoreMaintenance]) -> [StoreShare] {
        let target = dimension == .leaders ? balance.leaders : balance.regions
        let underMaintenance = Set(maintenances.map(\.spec.storeID))
        // A store whose leaders are being evicted (by evict-leader, or by PD's own evict-slow-store) is meant to hold none.
        let evicted = dimension == .leaders ? Set(snapshot.schedulers.evictLeaderStores).union(snapshot.schedulers.evictSlowStores) : []
        let counted = snapshot.stores
            .filter { $0.isUpAndAlive && !underMaintenance.contains($0.id) && !evicted.contains($0.id) }
            .sorted { $0.id < $1.id }
        let weights = Dictionary(balance.storeWeights.map { ($0.storeID, $0) }, uniquingKeysWith: { first, _ in first })
        func weight(_ id: UInt64) -> Double {
            let w = weights[id]
            return dimension == .leaders ? (w?.leader ?? 1) : (w?.region ?? 1)
        }
        func count(_ s: StoreSnapshot) -> Int { dimension == .leaders ? s.leaderCount : s.regionCount }
        let total = counted.reduce(0) { $0 + count($1) }
        let weightSum = counted.reduce(0.0) { $0 + weight($1.id) }
        guard counted.count >= 2, total > 0, weightSum > 0 else { return [] }
        let p = target.maxSkewPercent / 100
        return counted.map { store in
            let t = Double(total) * weight(store.id) / weightSum
            return StoreShare(storeID: store.id, count: count(store), target: t,
                              low: Int((t * (1 - p)).rounded(.down)), high: Int((t * (1 + p)).rounded(.up)))
        }
    }

    static func evaluate(_ dimension: Dimension, policy: InvariantPolicy, balance: BalancePolicy, snapshot: ClusterSnapshot,
                         maintenances: [StoreMaintenance]) -> InvariantVerdict {
        let invariant = dimension.invariant
        let target = dimension == .leaders ? balance.leaders : balance.regions
        guard policy.enabled, target.enabled else { return .disabled(invariant) }
        // The evict-leader store list comes from the schedulers source.
        guard snapshot.answered(.stores, .schedulers) else { return .noVerdict(invariant) }
        let outside = shares(dimension, balance: balance, snapshot: snapshot, maintenances: maintenances).filter { !$0.inBand }
        guard !outside.isEmpty else { return InvariantVerdict(invariant: invariant) }
        let at = snapshot.observedAt
        let readings = outside.flatMap { share in [
            Reading(name: "store\(share.storeID)Count", value: Double(share.count), unit: dimension.noun,
                    source: ReadingSource.stores, observedAt: at),
            Reading(name: "store\(share.storeID)Target", value: share.target, unit: dimension.noun,
                    source: ReadingSource.spec, observedAt: at),
        ] }
        let stores = HealthText.list(outside.map(\.storeID))
        let violation = Violation(
            invariant: invariant, subject: HealthSubject.cluster, severity: policy.severity,
            summary: "\(dimension.noun) further than \(HealthText.percent(target.maxSkewPercent)) from the weighted target on \(outside.count == 1 ? "store" : "stores") \(stores)",
            readings: readings)
        return InvariantVerdict(invariant: invariant, violations: [violation])
    }
}
