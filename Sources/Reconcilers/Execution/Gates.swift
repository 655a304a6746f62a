import Foundation

/// The safety gates every PD mutation passes, in this order (DESIGN.md §4). The first gate that
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

/// What the gates read for one step of one plan.
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
    public static func evaluate(_ g: GateInput) -> GateVerdict {
        if g.killSwitch { return .blocked(.killSwitch, "the kill switch is on: nothing is executed (operator kill-switch off)") }
        switch g.spec.mode {
        case .observe: return .blocked(.mode, "mode is observe: plans are computed and shown, never executed")
        case .dryRun: return .blocked(.mode, "mode is dryRun: each step records the exact PD request it would send; nothing is sent")
        case .execute: break
        }
        if g.spec.paused { return .blocked(.paused, "spec.paused is set on the cluster") }
        if !g.spec.maintenanceWindows.isEmpty, !g.spec.maintenanceWindows.contains(where: { isOpen($0, at: g.now) }) {
            return .blocked(.maintenanceWindow, "outside every maintenance window (\(g.spec.maintenanceWindows.map(\.schedule.description).joined(separator: "; ")))")
        }
        if !g.snapshot.isComplete {
            return .blocked(.snapshot, "the last observation is incomplete: \(g.snapshot.incompleteReasons.joined(separator: "; "))")
        }
        if !g.snapshot.isFresh(at: g.now, maxAge: g.maxSnapshotAge) {
            return .blocked(.snapshot, "the last observation is \(Int(g.now.timeIntervalSince(g.snapshot.completedAt)))s old (limit \(Int(g.maxSnapshotAge))s)")
        }
        switch g.approval.outcome {
        case .approved: break
        case .rejected: return .blocked(.approval, g.approval.message)
        case .waiting: return .blocked(.approval, g.approval.message)
        }
        // Idempotency before limits: a step whose effect already holds costs no PD call.
        if g.step.action.kind.mutates {
            switch StepEffect.check(g.step.action, snapshot: g.snapshot, region: g.region) {
            case .holds(let why): return .alreadyDone(why)
            case .notYet, .unknown: break
            }
        }
        if g.inFlightSteps >= g.spec.limits.maxInFlightSteps {
            return .blocked(.limits, "\(g.inFlightSteps) step(s) in flight (limit \(g.spec.limits.maxInFlightSteps))")
        }
        if g.actionsLastHour >= g.spec.limits.maxActionsPerHour {
            return .blocked(.limits, "\(g.actionsLastHour) action(s) in the last hour (limit \(g.spec.limits.maxActionsPerHour))")
        }
        // A region whose leader PD does not know is unobserved, not illegal: a new PD leader loads regions from storage
        // without their leaders (v8.5.7:server/cluster/cluster.go:795-827) until each region's next heartbeat (up to a
        // minute), and refuses every operator on them ("cannot build operator for region with no leader"). Sending
        // then would spend one of the step's attempts on a refusal PD's failover made certain (the crash loop under PD
        // failover failed plans this way); a precondition would fail the plan after a step timeout. Wait instead.
        if g.step.action.kind == .transferLeader || g.step.action.kind == .transferPeer, let r = g.region, r.leaderStoreID == 0 {
            return .blocked(.snapshot, "PD does not know region \(r.id)'s leader yet (a new PD leader learns it from the region's next heartbeat)")
        }
        if let problem = Preconditions.check(g.step.action, snapshot: g.snapshot, region: g.region, limits: g.spec.limits,
                                             storeRegions: g.storeRegions, now: g.now) {
            return .blocked(.preconditions, problem)
        }
        // PD would admit the admin move past an empty bucket (Urgent), but it takes the tokens PD's own replica repairs
        // on that store need: wait until PD's limit has room (`StoreLimitEstimate`).
        if let wait = storeLimitWait(g) {
            return .blocked(.storeLimit, "target store \(wait.store) is \(wait)")
        }
        if let id = g.step.action.regionID, let op = g.snapshot.operators.first(where: { $0.regionID == id }) {
            return .blocked(.idempotency, "region \(id) already has a PD operator in flight (\(op.description)); waiting for it to finish")
        }
        return .pass
    }

    /// A peer move's target at its add-peer store limit now, for the region's size.
    public static func storeLimitWait(_ g: GateInput) -> StoreLimitEstimate.Wait? {
        guard g.step.action.kind == .transferPeer, let to = g.step.action.toStoreID else { return nil }
        return TargetLegality(snapshot: g.snapshot, now: g.now).limitWait(store: to, regionSizeMiB: g.region?.approximateSizeMiB)
    }

    static func isOpen(_ w: MaintenanceWindow, at now: Date) -> Bool {
        guard let zone = TimeZone(identifier: w.timeZone) else { return false }  // cannot decide: closed
        return w.schedule.windowIsOpen(at: now, duration: Double(w.duration.nanoseconds) / 1e9, timeZone: zone)
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
        case .removeEvictLeaderScheduler, .waitForLeadersDrained, .waitForStoreRemoved, .cancelOfflineStore, .removeScheduler, .waitForBalance:
            return nil
        }
    }
}
