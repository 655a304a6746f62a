import Foundation
import PDWire

/// What a TiKV invariant is judged on in one pass.
public struct TiKVInvariantContext: Sendable {
    public let spec: TiKVClusterSpec
    public let snapshot: ClusterSnapshot
    public let maintenances: [StoreMaintenance]
    public let history: [StoreHistory]
    /// The PD leaders seen in the last hour, this pass's included.
    public let pdLeaders: PDLeaderHistory
    public let now: Date

    public init(spec: TiKVClusterSpec, snapshot: ClusterSnapshot, maintenances: [StoreMaintenance], history: [StoreHistory],
                pdLeaders: PDLeaderHistory = PDLeaderHistory(), now: Date) {
        self.spec = spec
        self.snapshot = snapshot
        self.maintenances = maintenances
        self.history = history
        self.pdLeaders = pdLeaders
        self.now = now
    }
}

/// The invariants a TiKV cluster is held to. Adding one is adding its definition here (with its id and its settings in
/// `spec.invariants`); the health reconciler runs whatever the registry holds.
public enum TiKVInvariants {
    public static let registry = InvariantRegistry<TiKVInvariantContext>([
        invariant(.storeDown, { StoreDownCheck.evaluate($0.spec.invariants.storeDown, $0.snapshot, $0.maintenances) },
                  grace: { $0.storeDown.gracePeriod }),
        // Flapping needs no grace period: its window already says how long the store misbehaved.
        invariant(.storeFlapping, { StoreFlappingCheck.evaluate($0.spec.invariants.storeFlapping, $0.snapshot, history: $0.history) },
                  grace: { _ in .zero }),
        invariant(.highLatency, { HighLatencyCheck.evaluate($0.spec.invariants.highLatency, $0.snapshot) },
                  grace: { $0.highLatency.gracePeriod }),
        invariant(.lowSpace, { LowSpaceCheck.evaluate($0.spec.invariants.lowSpace, $0.snapshot) },
                  grace: { $0.lowSpace.gracePeriod }),
        invariant(.leaderSkew, { LeaderSkewCheck.evaluate($0.spec.invariants.leaderSkew, balance: $0.spec.balance, $0.snapshot, $0.maintenances) },
                  grace: { $0.leaderSkew.gracePeriod }),
        invariant(.regionSkew, { RegionSkewCheck.evaluate($0.spec.invariants.regionSkew, balance: $0.spec.balance, $0.snapshot, $0.maintenances) },
                  grace: { $0.regionSkew.gracePeriod }),
        invariant(.regionHealth, { RegionHealthCheck.evaluate($0.spec.invariants.regionHealth, $0.snapshot, $0.maintenances) },
                  grace: { $0.regionHealth.gracePeriod }),
        // Unavailable regions serve nothing: their ticket opens in the pass that counts them (grace 0 by default).
        invariant(.regionsUnavailable, { RegionAvailabilityCheck.unavailable($0.spec.invariants.regionsUnavailable, $0.snapshot) },
                  grace: { $0.regionsUnavailable.gracePeriod }),
        invariant(.regionsAtRisk, { RegionAvailabilityCheck.atRisk($0.spec.invariants.regionsAtRisk, $0.snapshot) },
                  grace: { $0.regionsAtRisk.gracePeriod }),
        invariant(.writeStall, { WriteStallCheck.evaluate($0.spec.invariants.writeStall, $0.snapshot) },
                  grace: { $0.writeStall.gracePeriod }),
        invariant(.pdMembers, { PDMembersCheck.evaluate($0.spec.invariants.pdMembers, $0.snapshot, leaders: $0.pdLeaders) },
                  grace: { $0.pdMembers.gracePeriod }),
        invariant(.leftoverScheduler,
                  { LeftoverSchedulerCheck.evaluate($0.spec.invariants.leftoverScheduler, $0.snapshot, $0.maintenances, now: $0.now) },
                  grace: { $0.leftoverScheduler.gracePeriod }),
        invariant(.hotSpot, { HotSpotCheck.evaluate($0.spec.invariants.hotSpot, $0.snapshot) },
                  grace: { $0.hotSpot.gracePeriod }),
        invariant(.replicaIsolation, { ReplicaIsolationCheck.evaluate($0.spec.invariants.replicaIsolation, $0.snapshot) },
                  grace: { $0.replicaIsolation.gracePeriod }),
    ])

    /// A TiKV invariant's grace period is its setting in `spec.invariants`.
    private static func invariant(_ id: InvariantID, _ evaluate: @escaping @Sendable (TiKVInvariantContext) -> InvariantVerdict,
                                  grace: @escaping @Sendable (Invariants) -> GoDuration) -> InvariantDefinition<TiKVInvariantContext> {
        InvariantDefinition(id: id, evaluate: evaluate, gracePeriod: { grace($0.spec.invariants) })
    }
}
