import Foundation

/// The safety gates every request passes, in the order `GateOrder` keeps (DESIGN.md §4). The first gate that
/// blocks wins and is shown as the plan's `Blocked` condition; a gate that cannot decide blocks.
public enum Gate: String, Sendable, CaseIterable, Codable {
    case killSwitch = "KillSwitch"
    case mode = "Mode"
    case paused = "Paused"
    case maintenanceWindow = "MaintenanceWindow"
    case snapshot = "Snapshot"
    case approval = "Approval"
    case limits = "Limits"
    case preconditions = "Preconditions"
    /// A peer target at PD's add-peer store limit: the step waits for tokens (it is not dropped).
    case storeLimit = "StoreLimit"
    case idempotency = "Idempotency"
}

/// What TiKV's gates read for one step of one plan (`Gates.evaluate`).
public struct GateInput: Sendable {
    public var killSwitch: Bool
    public var spec: TiKVClusterSpec
    public var snapshot: ClusterSnapshot
    /// How old a snapshot may be and still justify a mutation.
    public var maxSnapshotAge: TimeInterval
    public var approval: ApprovalVerdict
    /// PD mutations of this cluster in flight (sent, effect not yet observed).
    public var inFlightSteps: Int
    /// PD mutations sent in the last hour.
    public var actionsLastHour: Int
    public var step: PlanStep
    /// The region the step names, freshly observed; nil when the step names none or it was not fetched.
    public var region: RegionPlacement?
    /// For a step that removes a store's peers (offline): the store's regions, read for this call.
    public var storeRegions: [RegionPlacement]?
    public var now: Date

    public init(killSwitch: Bool, spec: TiKVClusterSpec, snapshot: ClusterSnapshot, maxSnapshotAge: TimeInterval,
                approval: ApprovalVerdict, inFlightSteps: Int, actionsLastHour: Int, step: PlanStep,
                region: RegionPlacement?, storeRegions: [RegionPlacement]? = nil, now: Date) {
        self.killSwitch = killSwitch
        self.spec = spec
        self.snapshot = snapshot
        self.maxSnapshotAge = maxSnapshotAge
        self.approval = approval
        self.inFlightSteps = inFlightSteps
        self.actionsLastHour = actionsLastHour
        self.step = step
        self.region = region
        self.storeRegions = storeRegions
        self.now = now
    }
}

public enum GateVerdict: Sendable, Equatable {
    /// Every gate passed: the mutation may be sent (or, in dryRun, recorded).
    case pass
    /// The step's effect already holds: mark it done without sending anything.
    case alreadyDone(String)
    case blocked(Gate, String)
}

public enum Gates {
    /// TiKV's step through the core's gates (`GateOrder`), then its own (`TiKVSubject.gate`).
    public static func evaluate(_ g: GateInput) -> GateVerdict {
        GateOrder.evaluate(SubjectGateInput<TiKVSubject>(
            killSwitch: g.killSwitch, mode: g.spec.mode, paused: g.spec.paused, maintenanceWindows: g.spec.maintenanceWindows,
            limits: g.spec.limits, snapshot: g.snapshot, maxSnapshotAge: g.maxSnapshotAge, approval: g.approval,
            inFlightSteps: g.inFlightSteps, actionsLastHour: g.actionsLastHour, action: g.step.action,
            reads: TiKVSubject.StepReads(region: g.region, storeRegions: g.storeRegions), now: g.now))
    }

    /// A peer move's target at its add-peer store limit now, for the region's size.
    public static func storeLimitWait(_ g: GateInput) -> StoreLimitEstimate.Wait? {
        TiKVSubject.storeLimitWait(g.step.action, snapshot: g.snapshot, region: g.region, now: g.now)
    }
}

/// What must hold in the cluster before an action is sent; nil when it does, else why not.
/// Anything the snapshot cannot tell fails closed.
public enum Preconditions {
    /// `now` is when the call would be sent: heartbeat ages are judged then, not when the snapshot was taken.
    public static func check(_ action: Action, snapshot: ClusterSnapshot, region: RegionPlacement?, limits: Limits,
                             storeRegions: [RegionPlacement]? = nil, now: Date? = nil) -> String? {
        let alive = snapshot.stores.filter(\.isUpAndAlive)
        let replicas = snapshot.settings.maxReplicas
        let legality = TargetLegality(snapshot: snapshot, now: now)
        switch action.kind {
        case .transferLeader:
            return legality.moveRefusal(action, region: region)
        case .transferPeer:
            if let p = legality.moveRefusal(action, region: region) { return p }
            guard let region, let from = action.fromStoreID else {
                return "region \(action.regionID.map(String.init) ?? "?") was not observed"
            }
            // While the peer moves, the region must keep a majority of healthy voters without `from`.
            let healthy = region.voterStoreIDs.filter { id in
                id != from && !region.unhealthyStoreIDs.contains(id) && (snapshot.store(id)?.isUpAndAlive ?? false)
            }
            if healthy.count * 2 <= region.voterStoreIDs.count {
                return "region \(region.id) would lose its quorum while the peer on store \(from) moves"
            }
            return nil
        case .addEvictLeaderScheduler, .offlineStore:
            guard let id = action.storeID, snapshot.store(id) != nil else { return "the store is not in the cluster" }
            let remaining = alive.filter { $0.id != id }.count
            if remaining < replicas {
                return "only \(remaining) Up store(s) would remain without store \(id); max-replicas is \(replicas)"
            }
            // PD's own evict-slow-store already moving the store's leaders: a second eviction would compete with it.
            if action.kind == .addEvictLeaderScheduler, snapshot.schedulers.evictSlowStores.contains(id) {
                return "PD's evict-slow-store-scheduler is already evicting store \(id): an evict-leader scheduler would compete with it"
            }
            let others = Set(snapshot.schedulers.evictLeaderStores).subtracting([id])
            if others.count + 1 > limits.maxStoresInMaintenance {
                return "stores \(others.sorted().map(String.init).joined(separator: ", ")) are already evicted (limit \(limits.maxStoresInMaintenance) at once)"
            }
            guard action.kind == .offlineStore else { return nil }
            // Taking a store offline removes its peers: every region with a voter there must keep a healthy
            // majority without it, judged on the store's regions read for this very call. Unread is unknown,
            // and unknown blocks.
            guard let storeRegions else {
                return "the regions of store \(id) were not read for this call: the quorum check cannot be made yet"
            }
            let aliveIDs = Set(snapshot.stores.filter { $0.liveness == .alive && !$0.isTombstone }.map(\.id))
            let lost = Quorum.regionsLosingQuorum(without: id, regions: storeRegions, alive: aliveIDs)
            if !lost.isEmpty {
                let shown = lost.prefix(10).map(String.init).joined(separator: ", ")
                return "\(lost.count) region(s) with a voter on store \(id) would lose their healthy majority without it (\(shown)\(lost.count > 10 ? ", …" : ""))"
            }
            return nil
        case .setStoreWeight:
            // PD answers 500 for a store it does not know; a Tombstone store takes no scheduling.
            guard let id = action.storeID, let store = snapshot.store(id), !store.isTombstone else { return "the store is not in the cluster" }
            return nil
        case .removeFailedStores:
            // PD refuses a store that is up and connected (unsafe_recovery_controller.go); the controller refuses one the
            // freshest observation shows alive, and one it does not know.
            guard let ids = action.storeIDs, !ids.isEmpty else { return "the action lacks its stores" }
            for id in ids {
                guard let store = snapshot.store(id) else { return "store \(id) is not in the cluster" }
                if store.isTombstone { continue }
                if store.liveness == .alive { return "store \(id) is alive: PD's unsafe recovery removes only failed stores" }
            }
            return nil
        case .splitRegion:
            // PD builds the operator on its own region view and refuses a region in a joint state (create_operator.go).
            guard let region else { return "region \(action.regionID.map(String.init) ?? "?") was not observed" }
            if region.inJointState { return "region \(region.id) is in a joint state: PD cannot split it" }
            return nil
        case .removeEvictLeaderScheduler, .waitForLeadersDrained, .waitForStoreRemoved, .cancelOfflineStore, .removeScheduler, .waitForBalance,
             .waitForStoresUp:
            return nil
        }
    }
}
