import Foundation

/// `StoreMaintenance` → plan `drain-store-<id>-<cluster>`: add the evict-leader scheduler, wait until
/// the store holds 0 leaders, and optionally take it offline and wait until it is removed. While PD's own
/// evict-slow-store-scheduler already evicts the store (and no evict-leader scheduler holds it), the plan leans on
/// PD instead: it adds nothing and only waits for the leaders to leave. Ending the maintenance (deleting the
/// object, or `until` passing) supersedes a plan not yet executed and, when the evict-leader scheduler still holds
/// the store and a drain plan sent that scheduler, plans `end-maintenance-store-<id>-<cluster>`.
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

    /// Stores the evict-leader scheduler still holds, under no active maintenance, for which a drain plan sent (or
    /// may have sent) that scheduler. Only what the controller added is removed: a drain that leaned on PD's
    /// evict-slow-store, or found the scheduler already there, sent nothing, so it leaves PD's state alone.
    static func cleanupStores(_ ctx: PlanningContext) -> [UInt64] {
        ctx.evictedStores.filter { store in
            !ctx.maintainedStores.contains(store)
                && PlanIdentity.plans(for: drainConcern(store), in: ctx.plans, cluster: ctx.clusterName).contains {
                    [.executing, .succeeded, .failed, .cancelled].contains($0.status.phase) && addedEvictLeader($0, store)
                }
        }.sorted()
    }

    /// Whether `plan` attempted to add `store` to the evict-leader scheduler (an intent is written before the call,
    /// so an attempt counts as maybe sent).
    static func addedEvictLeader(_ plan: RemediationPlan, _ store: UInt64) -> Bool {
        plan.spec.steps.indices.contains { i in
            plan.spec.steps[i].action == .store(.addEvictLeaderScheduler, store)
                && i < plan.status.steps.count && plan.status.steps[i].name == plan.spec.steps[i].name && plan.status.steps[i].attempts > 0
        }
    }

    /// Whether a drain plan leaned on PD's eviction: it has no step adding the evict-leader scheduler.
    static func leanedOnPD(_ plan: RemediationPlan) -> Bool {
        !plan.spec.steps.contains { $0.action.kind == .addEvictLeaderScheduler }
    }

    /// The maintenance's memory (condition `EvictedByPD`) that PD's evict-slow-store-scheduler evicted its store
    /// and no longer does: the plan's reason then says why the maintenance holds the store itself.
    static func releasedByPD(_ m: StoreMaintenance) -> Bool {
        m.status.conditions[type: "EvictedByPD"].map { $0.status == .true || $0.reason == "Released" } ?? false
    }

    private static func drain(_ m: StoreMaintenance, _ ctx: PlanningContext, blocker admission: (reason: String, message: String)?) -> PlannerOutcome {
        let store = m.spec.storeID
        let concern = drainConcern(store)
        let checks = StoreRemovalPreconditions(store: store, context: ctx)
        let limitText = m.spec.allowConcurrent
            ? "at most \(ctx.spec.limits.maxStoresInMaintenance) stores under maintenance"
            : "no other store under maintenance"
        let fast = ctx.spec.execution.fastStepTimeout
        let existing = PlanIdentity.current(concern, in: ctx.plans, cluster: ctx.clusterName)
        // PD's evict-slow-store-scheduler already moving the store's leaders is PD protecting a slow disk: a second
        // eviction would compete with it for the same leaders, and the controller would later own a scheduler it did
        // not need. So the drain leans on PD while PD evicts the store and no evict-leader scheduler holds it (one that
        // does, ours or anyone's, keeps its plan). If PD releases the store first (it recovered), this changes the
        // steps: a new revision of a plan not yet started, or a new plan once the one that leaned on PD has ended,
        // approved like any other — an approval names the calls it approves, and leaning on PD approved none.
        // A store no longer Up takes no leaders back (PD's filter), so a drain that leaned on PD keeps its steps once
        // the store is Offline or gone, and PD releasing a removed store changes nothing.
        let byPD = ctx.snapshot.schedulers.evictSlowStores.contains(store)
        let notUp = ctx.snapshot.store(store).map { $0.state != .up } ?? true
        let leaned = PlanIdentity.plans(for: concern, in: ctx.plans, cluster: ctx.clusterName).last { $0.status.phase != .superseded }
            .map(leanedOnPD) ?? false
        let pdDrains = !ctx.evictedStores.contains(store) && (byPD || (notUp && leaned))
        var steps: [PlanStep]
        if pdDrains {
            steps = [PlanStep(name: "wait-leaders-drained", action: .store(.waitForLeadersDrained, store),
                              preconditions: ["PD's evict-slow-store-scheduler evicts store \(store): no evict-leader scheduler is added",
                                              checks.replicasText, limitText, checks.quorumText],
                              expectedEffect: "store \(store) holds 0 leaders (PD's evict-slow-store-scheduler moves them)",
                              timeout: m.spec.leaderDrainTimeout)]
        } else {
            steps = [
                PlanStep(name: "evict-leaders", action: .store(.addEvictLeaderScheduler, store),
                         preconditions: [checks.replicasText, limitText, checks.quorumText],
                         expectedEffect: "store \(store) is in the evict-leader scheduler", timeout: fast),
                PlanStep(name: "wait-leaders-drained", action: .store(.waitForLeadersDrained, store),
                         expectedEffect: "store \(store) holds 0 leaders", timeout: m.spec.leaderDrainTimeout),
            ]
        }
        if m.spec.offline {
            steps.append(PlanStep(name: "offline-store", action: .store(.offlineStore, store),
                                  preconditions: [checks.replicasText, checks.quorumText],
                                  expectedEffect: "store \(store) is Offline", timeout: fast))
            steps.append(PlanStep(name: "wait-store-removed", action: .store(.waitForStoreRemoved, store),
                                  expectedEffect: "store \(store) is Tombstone", timeout: ctx.spec.execution.slowStepTimeout))
        }
        let until = m.spec.until.map { " until \(CanonicalJSON.formatDate($0))" } ?? ""
        var reason = "StoreMaintenance \(m.name): drain store \(store)\(m.spec.offline ? " and take it offline" : "")\(until) — \(m.spec.reason)"
        if pdDrains, byPD {
            reason += ". PD's evict-slow-store-scheduler is already draining store \(store)'s leaders: this plan adds no evict-leader scheduler and waits for them to leave. Should PD release the store before the maintenance ends, the plan changes to hold it with the controller's own evict-leader scheduler, which needs approval again."
        } else if releasedByPD(m) {
            reason += ". PD's evict-slow-store-scheduler released store \(store) before the maintenance ended (its disk recovered, so PD's balancer gives it leaders back): the maintenance now holds it with its own evict-leader scheduler."
        }
        let spec = RemediationPlanSpec(cluster: ctx.clusterName, origin: .reconciler, concern: concern, reason: reason, steps: steps)

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
        // A Succeeded plan of the same revision still stands while its eviction does (PD's, for a plan that leaned on it).
        let stillApplied = ctx.evictedStores.contains(store) || byPD || ctx.snapshot.store(store).map { $0.state != .up } == true
        return PlannerOutcome(concern: concern,
                              decision: .desired(DesiredPlan(spec: spec, blocked: blocker, succeededPlanSatisfies: stillApplied)),
                              regionScope: scope)
    }

    private static func cleanup(_ store: UInt64, _ ctx: PlanningContext) -> PlannerOutcome {
        var step = PlanStep(name: "remove-evict-leader", action: .store(.removeEvictLeaderScheduler, store),
                            expectedEffect: "store \(store) is not in the evict-leader scheduler", timeout: ctx.spec.execution.fastStepTimeout)
        // Low risk means low risk: removing the eviction hands the store leaders again (PD's balancer), so a store with
        // an open ticket, a recent liveness change or PD's own eviction waits for a person's look.
        if let why = ctx.cautionedTargets[store] {
            step.risk = max(step.risk, .medium)
            step.preconditions.append("store \(store) needs a person's look before it takes leaders again: \(why)")
        }
        let spec = RemediationPlanSpec(
            cluster: ctx.clusterName, origin: .reconciler, concern: cleanupConcern(store),
            reason: "The maintenance of store \(store) ended (its StoreMaintenance was deleted or its until passed) but the evict-leader scheduler the drain added still holds the store: remove it. PD's own schedulers (evict-slow-store) are left as they are.",
            steps: [step])
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
            let byPD = ctx.snapshot.schedulers.evictSlowStores.contains(store)
            let evicted = ctx.evictedStores.contains(store) || byPD
            let pdText = byPD && !ctx.evictedStores.contains(store) ? " by PD's evict-slow-store-scheduler" : ""
            if let snap, evicted, snap.leaderCount == 0 {
                u.status.conditions.set("LeadersEvicted", .true, reason: "LeadersDrained", message: "store \(store) holds 0 leaders and is evicted\(pdText)", observedGeneration: gen, now: now)
            } else {
                let message = evicted ? "store \(store) still holds \(snap?.leaderCount ?? 0) leaders (evicted\(pdText))" : "store \(store) is not in the evict-leader scheduler"
                u.status.conditions.set("LeadersEvicted", .false, reason: evicted ? "Draining" : "NotEvicted", message: message, observedGeneration: gen, now: now)
            }
            // PD acting on the store is shown, and remembered once it ends: the drain leaned on it (no scheduler of the
            // controller's), and a release before the maintenance ends is why the maintenance then holds the store itself.
            if byPD {
                u.status.conditions.set("EvictedByPD", .true, reason: "EvictSlowStore",
                                        message: "PD's evict-slow-store-scheduler is evicting store \(store)'s leaders (a slow disk): the drain leans on it and adds no scheduler",
                                        observedGeneration: gen, now: now)
            } else if releasedByPD(m) {
                u.status.conditions.set("EvictedByPD", .false, reason: "Released",
                                        message: "PD's evict-slow-store-scheduler released store \(store) (it recovered): the maintenance holds the store with its own evict-leader scheduler",
                                        observedGeneration: gen, now: now)
            } else {
                u.status.conditions.set("EvictedByPD", .false, reason: "NotEvicted", message: "PD's evict-slow-store-scheduler does not evict store \(store)",
                                        observedGeneration: gen, now: now)
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
