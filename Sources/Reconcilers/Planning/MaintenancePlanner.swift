import Foundation

/// `StoreMaintenance` → plan `drain-store-<id>-<cluster>`: add the evict-leader scheduler, wait until
/// the store holds 0 leaders, and optionally take it offline and wait until it is removed. Ending the
/// maintenance (deleting the object, or `until` passing) supersedes a plan not yet executed and, when
/// PD still evicts the store and a drain plan may have added that, plans `end-maintenance-store-<id>-<cluster>`.
enum MaintenancePlanner {
    static func drainConcern(_ store: UInt64) -> String { "drain-store-\(store)" }
    static func cleanupConcern(_ store: UInt64) -> String { "end-maintenance-store-\(store)" }

    static func plan(_ ctx: PlanningContext) -> [PlannerOutcome] {
        var outcomes: [PlannerOutcome] = []
        var admitted: [UInt64] = []
        for m in ctx.activeMaintenances {
            let store = m.spec.storeID
            guard !outcomes.contains(where: { $0.concern == drainConcern(store) }) else { continue }
            var blocker: (reason: String, message: String)?
            if admitted.isEmpty || (m.spec.allowConcurrent && admitted.count < ctx.spec.limits.maxStoresInMaintenance) {
                admitted.append(store)
            } else {
                blocker = ("ConcurrentMaintenance", "store \(admitted.map(String.init).joined(separator: ", ")) already under maintenance"
                    + (m.spec.allowConcurrent ? "; limits.maxStoresInMaintenance is \(ctx.spec.limits.maxStoresInMaintenance)" : " and allowConcurrent is false"))
            }
            outcomes.append(drain(m, ctx, blocker: blocker))
        }
        // Drain plans of stores no longer under maintenance.
        let drained = Set(ctx.plans.filter { $0.spec.origin == .reconciler && $0.spec.concern.hasPrefix("drain-store-") }.map(\.spec.concern))
        for concern in drained.sorted() where !outcomes.contains(where: { $0.concern == concern }) {
            outcomes.append(PlannerOutcome(concern: concern, decision: .vanished(
                reason: "MaintenanceEnded", message: "the StoreMaintenance of this store was deleted or its until passed")))
        }
        for store in cleanupStores(ctx) {
            outcomes.append(cleanup(store, ctx))
        }
        return outcomes
    }

    /// Stores PD still evicts, under no active maintenance, for which a drain plan may have added the scheduler.
    static func cleanupStores(_ ctx: PlanningContext) -> [UInt64] {
        ctx.evictedStores.filter { store in
            !ctx.maintainedStores.contains(store)
                && PlanIdentity.plans(for: drainConcern(store), in: ctx.plans, cluster: ctx.clusterName).contains {
                    [.executing, .succeeded, .failed, .cancelled].contains($0.status.phase)
                }
        }.sorted()
    }

    private static func drain(_ m: StoreMaintenance, _ ctx: PlanningContext, blocker admission: (reason: String, message: String)?) -> PlannerOutcome {
        let store = m.spec.storeID
        let concern = drainConcern(store)
        let checks = StoreRemovalPreconditions(store: store, context: ctx)
        let limitText = m.spec.allowConcurrent
            ? "at most \(ctx.spec.limits.maxStoresInMaintenance) stores under maintenance"
            : "no other store under maintenance"
        let fast = ctx.spec.execution.fastStepTimeout
        var steps = [
            PlanStep(name: "evict-leaders", action: .store(.addEvictLeaderScheduler, store),
                     preconditions: [checks.replicasText, limitText, checks.quorumText],
                     expectedEffect: "store \(store) is in the evict-leader scheduler", timeout: fast),
            PlanStep(name: "wait-leaders-drained", action: .store(.waitForLeadersDrained, store),
                     expectedEffect: "store \(store) holds 0 leaders", timeout: m.spec.leaderDrainTimeout),
        ]
        if m.spec.offline {
            steps.append(PlanStep(name: "offline-store", action: .store(.offlineStore, store),
                                  preconditions: [checks.replicasText, checks.quorumText],
                                  expectedEffect: "store \(store) is Offline", timeout: fast))
            steps.append(PlanStep(name: "wait-store-removed", action: .store(.waitForStoreRemoved, store),
                                  expectedEffect: "store \(store) is Tombstone", timeout: ctx.spec.execution.slowStepTimeout))
        }
        let until = m.spec.until.map { " until \(CanonicalJSON.formatDate($0))" } ?? ""
        let spec = RemediationPlanSpec(
            cluster: ctx.clusterName, origin: .reconciler, concern: concern,
            reason: "StoreMaintenance \(m.name): drain store \(store)\(m.spec.offline ? " and take it offline" : "")\(until) — \(m.spec.reason)",
            steps: steps)

        let existing = PlanIdentity.current(concern, in: ctx.plans, cluster: ctx.clusterName)
        // Quorum needs the store's regions while the plan can still change; once it runs, it is issue 6's.
        let needsRegions = existing?.status.phase != .executing
        let scope: RegionScope = needsRegions ? .stores([store]) : .none
        let regions = ctx.regions(covering: [store])
        if regions == nil, existing != nil {
            return PlannerOutcome(concern: concern, decision: .undecided, regionScope: scope)
        }
        var blocker = admission
        if blocker == nil, ctx.snapshot.store(store).map({ !$0.isTombstone }) != true {
            blocker = ("StoreNotFound", "store \(store) is not in PD's store list (or is already Tombstone)")
        }
        if blocker == nil { blocker = checks.replicasBlocker }
        if blocker == nil { blocker = checks.quorumBlocker(regions) }
        let stillApplied = ctx.evictedStores.contains(store) || ctx.snapshot.store(store).map { $0.state != .up } == true
        return PlannerOutcome(concern: concern,
                              decision: .desired(DesiredPlan(spec: spec, blocked: blocker, succeededPlanSatisfies: stillApplied)),
                              regionScope: scope)
    }

    private static func cleanup(_ store: UInt64, _ ctx: PlanningContext) -> PlannerOutcome {
        let spec = RemediationPlanSpec(
            cluster: ctx.clusterName, origin: .reconciler, concern: cleanupConcern(store),
            reason: "The maintenance of store \(store) ended (its StoreMaintenance was deleted or its until passed) but PD still evicts its leaders: remove the evict-leader scheduler the drain added.",
            steps: [PlanStep(name: "remove-evict-leader", action: .store(.removeEvictLeaderScheduler, store),
                             expectedEffect: "store \(store) is not in the evict-leader scheduler", timeout: ctx.spec.execution.fastStepTimeout)])
        return PlannerOutcome(concern: cleanupConcern(store), decision: .desired(DesiredPlan(spec: spec, succeededPlanSatisfies: false)))
    }

    /// Each maintenance's status after this pass: its plan, the store's counts, `LeadersEvicted`,
    /// `Offlined` (when it takes the store offline) and `Ended`. Only changed objects are returned.
    static func statuses(_ ctx: PlanningContext, plans: [RemediationPlan]) -> (maintenances: [StoreMaintenance], events: [Event]) {
        var changed: [StoreMaintenance] = []
        var events: [Event] = []
        for m in ctx.maintenances {
            var u = m
            let store = m.spec.storeID
            let gen = m.metadata.generation
            let now = ctx.now
            let ours = PlanIdentity.plans(for: drainConcern(store), in: plans, cluster: ctx.clusterName)
            u.status.plan = (ours.last { !$0.status.phase.isTerminal } ?? ours.last)?.name ?? u.status.plan
            let snap = ctx.snapshot.store(store)
            u.status.leaderCount = snap?.leaderCount
            u.status.regionCount = snap?.regionCount
            u.status.observedGeneration = gen
            let evicted = ctx.evictedStores.contains(store)
            if let snap, evicted, snap.leaderCount == 0 {
                u.status.conditions.set("LeadersEvicted", .true, reason: "LeadersDrained", message: "store \(store) holds 0 leaders and is evicted", observedGeneration: gen, now: now)
            } else {
                let message = evicted ? "store \(store) still holds \(snap?.leaderCount ?? 0) leaders" : "store \(store) is not in the evict-leader scheduler"
                u.status.conditions.set("LeadersEvicted", .false, reason: evicted ? "Draining" : "NotEvicted", message: message, observedGeneration: gen, now: now)
            }
            if m.spec.offline {
                let gone = snap == nil || snap?.isTombstone == true
                let offline = snap?.state == .offline
                u.status.conditions.set("Offlined", gone || offline ? .true : .false,
                                        reason: gone ? "StoreRemoved" : offline ? "StoreOffline" : "StoreUp",
                                        message: gone ? "store \(store) is removed" : offline ? "store \(store) is Offline, PD moves its regions away" : "store \(store) is Up",
                                        observedGeneration: gen, now: now)
            }
            if PlanningContext.hasEnded(m, at: now), let until = m.spec.until {
                let message = "until (\(CanonicalJSON.formatDate(until))) passed"
                if u.status.conditions.set("Ended", .true, reason: "UntilPassed", message: message, observedGeneration: gen, now: now),
                   m.status.conditions[type: "Ended"]?.status != .true {
                    events.append(Event(regarding: ObjectReference(kind: StoreMaintenanceKind.kind, name: m.name), type: .normal,
                                        reason: "MaintenanceEnded", message: message, firstTimestamp: now, lastTimestamp: now))
                }
            } else {
                u.status.conditions.set("Ended", .false, reason: "Active", message: "the maintenance is in force", observedGeneration: gen, now: now)
            }
            if u != m { changed.append(u) }
        }
        return (changed, events)
    }
}
