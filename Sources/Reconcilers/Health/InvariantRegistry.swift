import Foundation
import PDWire

/// One health invariant as a value: which it is, how a pass judges it, and how long it must stay broken before its
/// ticket opens. Adding an invariant is adding one of these to `InvariantRegistry.tikv` (and its id and settings);
/// the health reconciler runs whatever the registry holds.
public struct InvariantDefinition: Sendable {
    public let id: InvariantID
    /// The verdict on one pass.
    let evaluate: @Sendable (InvariantContext) -> InvariantVerdict
    /// From the cluster's invariant settings. Flapping needs none: its window already says how long the store misbehaved.
    let gracePeriod: @Sendable (Invariants) -> GoDuration
}

/// What an invariant is judged on in one pass.
struct InvariantContext {
    let spec: TiKVClusterSpec
    let snapshot: ClusterSnapshot
    let maintenances: [StoreMaintenance]
    let history: [StoreLivenessHistory]
    let now: Date
}

/// The invariants a TiKV cluster is held to.
public enum InvariantRegistry {
    public static let tikv: [InvariantDefinition] = [
        InvariantDefinition(id: .storeDown, evaluate: { StoreDownCheck.evaluate($0.spec.invariants.storeDown, $0.snapshot, $0.maintenances) },
                            gracePeriod: { $0.storeDown.gracePeriod }),
        InvariantDefinition(id: .storeFlapping,
                            evaluate: { StoreFlappingCheck.evaluate($0.spec.invariants.storeFlapping, $0.snapshot, history: $0.history) },
                            gracePeriod: { _ in .zero }),
        InvariantDefinition(id: .highLatency, evaluate: { HighLatencyCheck.evaluate($0.spec.invariants.highLatency, $0.snapshot) },
                            gracePeriod: { $0.highLatency.gracePeriod }),
        InvariantDefinition(id: .lowSpace, evaluate: { LowSpaceCheck.evaluate($0.spec.invariants.lowSpace, $0.snapshot) },
                            gracePeriod: { $0.lowSpace.gracePeriod }),
        InvariantDefinition(id: .leaderSkew,
                            evaluate: { LeaderSkewCheck.evaluate($0.spec.invariants.leaderSkew, balance: $0.spec.balance, $0.snapshot, $0.maintenances) },
                            gracePeriod: { $0.leaderSkew.gracePeriod }),
        InvariantDefinition(id: .regionSkew,
                            evaluate: { RegionSkewCheck.evaluate($0.spec.invariants.regionSkew, balance: $0.spec.balance, $0.snapshot, $0.maintenances) },
                            gracePeriod: { $0.regionSkew.gracePeriod }),
        InvariantDefinition(id: .regionHealth,
                            evaluate: { RegionHealthCheck.evaluate($0.spec.invariants.regionHealth, $0.snapshot, $0.maintenances) },
                            gracePeriod: { $0.regionHealth.gracePeriod }),
        InvariantDefinition(id: .writeStall, evaluate: { WriteStallCheck.evaluate($0.spec.invariants.writeStall, $0.snapshot) },
                            gracePeriod: { $0.writeStall.gracePeriod }),
        InvariantDefinition(id: .pdMembers, evaluate: { PDMembersCheck.evaluate($0.spec.invariants.pdMembers, $0.snapshot) },
                            gracePeriod: { $0.pdMembers.gracePeriod }),
        InvariantDefinition(id: .leftoverScheduler,
                            evaluate: { LeftoverSchedulerCheck.evaluate($0.spec.invariants.leftoverScheduler, $0.snapshot, $0.maintenances, now: $0.now) },
                            gracePeriod: { $0.leftoverScheduler.gracePeriod }),
        InvariantDefinition(id: .hotSpot, evaluate: { HotSpotCheck.evaluate($0.spec.invariants.hotSpot, $0.snapshot) },
                            gracePeriod: { $0.hotSpot.gracePeriod }),
    ]

    /// The definition of `id`; every id has one (`InvariantRegistryTests`).
    static func definition(_ id: InvariantID) -> InvariantDefinition? {
        tikv.first { $0.id == id }
    }
}
