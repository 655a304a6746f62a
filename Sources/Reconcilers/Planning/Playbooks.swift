import Foundation

/// Open tickets → plans, one playbook per invariant. Every plan states its reason and its ticket.
///
/// | invariant | concern | steps | risk |
/// |---|---|---|---|
/// | `storeDown` | `offline-store-<id>` | offlineStore, waitForStoreRemoved | high |
/// | `highLatency`, `storeFlapping` | `evict-leaders-store-<id>` | addEvictLeaderScheduler, waitForLeadersDrained | medium |
/// | `lowSpace` | `move-regions-store-<id>` | transferPeer to stores with room (+ advice) | medium |
/// | `leftoverScheduler` | `remove-evict-leader-store-<id>` / `remove-scheduler-<name>` | removeEvictLeaderScheduler / removeScheduler | low (medium for a store with another open ticket, a recent liveness change or PD's eviction) |
/// | `regionsUnavailable` | `restore-stores-<ids>` and `unsafe-recovery-stores-<ids>` (alternatives) | waitForStoresUp / removeFailedStores | low / high, two people |
/// | `hotSpot` | `hot-spot-store-<id>` (split, then a next generation moving the hotter half) | splitRegion; then transferLeader | low (medium onto a cautioned store) |
///
/// `leaderSkew` and `regionSkew` are answered by the balance plans (`BalancePlanner`), linked to the ticket. `pdMembers` and
/// `replicaIsolation` get no plan: PD's members are not the controller's to restart, and moving misplaced replicas is PD's
/// checkers' job (a move the controller made could fight them); their diagnosis carries the runbook.
enum Playbooks {
    static func plan(_ ctx: PlanningContext) -> [PlannerOutcome] {
        var outcomes: [PlannerOutcome] = []
        var evictTickets: [UInt64: [Ticket]] = [:]
        for ticket in ctx.openTickets {
            let store = storeID(ticket.spec.subject)
            // A consequence waits for its root (or for PD, already acting): its remedy is the root's. Quorum loss is the
            // exception: its plans are the incident's own way out while the stores stay down.
            if ticket.spec.invariant != InvariantID.regionsUnavailable.rawValue, ctx.heldByIncident(ticket) != nil { continue }
            switch ticket.spec.invariant {
            case "storeDown":
                if let store, let o = offline(store, ticket, ctx) { outcomes.append(o) }
            case "highLatency", "storeFlapping":
                if let store { evictTickets[store, default: []].append(ticket) }
            case "lowSpace":
                if let store, let o = moveRegions(store, ticket, ctx) { outcomes.append(o) }
            case "leftoverScheduler":
                outcomes += removeScheduler(ticket, ctx)
            case "regionsUnavailable":
                outcomes += quorumLoss(ticket, ctx)
            case "hotSpot":
                if let store, let o = hotSpot(store, ticket, ctx) { outcomes.append(o) }
            default:
                continue
            }
        }
        for (store, tickets) in evictTickets.sorted(by: { $0.key < $1.key }) {
            if let o = evictLeaders(store, tickets, ctx) { outcomes.append(o) }
        }
        return outcomes
    }

    /// `store/4` → 4.
    static func storeID(_ subject: String) -> UInt64? {
        subject.hasPrefix("store/") ? UInt64(subject.dropFirst("store/".count)) : nil
    }

    static func desired(_ ctx: PlanningContext, concern: String, reason: String, ticket: Ticket?, steps: [PlanStep],
                                blocked: (reason: String, message: String)? = nil, satisfies: Bool = true,
                                scope: RegionScope = .none) -> PlannerOutcome {
        let spec = RemediationPlanSpec(cluster: ctx.clusterName, origin: .reconciler, concern: concern, reason: reason,
                                       ticket: ticket?.name, steps: steps)
        return PlannerOutcome(concern: concern, decision: .desired(DesiredPlan(spec: spec, blocked: blocked, succeededPlanSatisfies: satisfies)),
                              regionScope: scope)
    }

    // MARK: store down → offline store

    static func offline(_ store: UInt64, _ ticket: Ticket, _ ctx: PlanningContext) -> PlannerOutcome? {
        // An Offline store is already being removed by PD; a Tombstone is gone.
        guard let s = ctx.snapshot.store(store), s.state == .up, !s.isTombstone else { return nil }
        let concern = "offline-store-\(store)"
        // The diagnosis comes first: a partitioned store keeps its data, and a stopped process is restarted before it is
        // given up, so the offline plan waits until PD itself calls the store Down (max-store-down-time). A maintenance
        // with `offline: true` is how an owner asks for it sooner.
        if let why = offlineWaits(s, ticket, ctx) {
            return PlannerOutcome(concern: concern, decision: .vanished(reason: "DiagnosisSaysWait", message: why))
        }
        let checks = StoreRemovalPreconditions(store: store, context: ctx)
        let existing = PlanIdentity.current(concern, in: ctx.plans, cluster: ctx.clusterName)
        let scope: RegionScope = existing?.status.phase == .executing ? .none : .stores([store])
        let regions = ctx.regions(covering: [store])
        if regions == nil, existing != nil { return PlannerOutcome(concern: concern, decision: .undecided, regionScope: scope) }
        let steps = [
            PlanStep(name: "offline-store", action: .store(.offlineStore, store), preconditions: [checks.replicasText, checks.quorumText],
                     expectedEffect: "store \(store) is Offline", timeout: ctx.spec.execution.fastStepTimeout),
            PlanStep(name: "wait-store-removed", action: .store(.waitForStoreRemoved, store),
                     expectedEffect: "store \(store) is Tombstone", timeout: ctx.spec.execution.slowStepTimeout),
        ]
        return desired(ctx, concern: concern,
                       reason: "Store \(store) is down past its grace period (\(ticket.spec.summary)). Taking it offline makes PD re-create its replicas on other stores; it cannot serve again unless re-added.",
                       ticket: ticket, steps: steps, blocked: checks.replicasBlocker ?? checks.quorumBlocker(regions), scope: scope)
    }

    /// Why a dead store gets no offline plan yet, or nil when it may.
    static func offlineWaits(_ s: StoreSnapshot, _ ticket: Ticket, _ ctx: PlanningContext) -> String? {
        let cause = ticket.status.diagnosis?.primary.cause
        if cause == .networkPartition || (cause == nil && scrapedSinceLastHeartbeat(s)) {
            return "store \(s.id) is partitioned from PD, not down: its data is intact, so it is not taken offline; restore its network"
        }
        guard s.liveness == .down else {
            return "store \(s.id) is not Down yet (PD's max-store-down-time is \(ctx.snapshot.settings.maxStoreDownTime)): restart it first; it is taken offline only past that"
        }
        return nil
    }

    /// The metrics source scraped the store's process after PD's last heartbeat from it: the process runs, the path to
    /// PD does not (the rules engine's partition evidence, read here without waiting for a diagnosis).
    static func scrapedSinceLastHeartbeat(_ s: StoreSnapshot) -> Bool {
        guard s.metrics.up.value == 1, let scraped = s.metrics.scrapedAt else { return false }
        return s.lastHeartbeat.map { scraped > $0 } ?? true
    }

    // MARK: slow or flapping store → evict its leaders

    static func evictLeaders(_ store: UInt64, _ tickets: [Ticket], _ ctx: PlanningContext) -> PlannerOutcome? {
        // Under maintenance the drain plan owns the store; evicted already means done; a dead store leads nothing.
        // A flapping store is down half the time by definition: judged only while it is up, its plan would be
        // superseded at every down phase and lose its approval, so only a slow store must be alive now.
        let flapping = tickets.contains { $0.spec.invariant == "storeFlapping" }
        // PD's evict-slow-store already evicting the store is PD acting: a second eviction would compete with it
        // and outlive PD's own recovery.
        guard let s = ctx.snapshot.store(store), s.state == .up, s.liveness == .alive || (flapping && !s.isTombstone),
              !ctx.maintainedStores.contains(store), !ctx.evictedStores.contains(store),
              !ctx.snapshot.schedulers.evictSlowStores.contains(store) else { return nil }
        let others = ctx.snapshot.stores.filter { $0.id != store && ctx.mayHoldLeaders($0) }
        let blocked: (reason: String, message: String)? = others.isEmpty
            ? ("NoLeaderTarget", "no other Up store accepts leaders, so PD cannot evict store \(store)'s") : nil
        let why = tickets.map { "\($0.spec.invariant == "highLatency" ? "slow" : "flapping"): \($0.spec.summary)" }.joined(separator: "; ")
        let steps = [
            PlanStep(name: "evict-leaders", action: .store(.addEvictLeaderScheduler, store),
                     preconditions: ["another Up store accepts leaders"],
                     expectedEffect: "store \(store) is in the evict-leader scheduler", timeout: ctx.spec.execution.fastStepTimeout),
            PlanStep(name: "wait-leaders-drained", action: .store(.waitForLeadersDrained, store),
                     expectedEffect: "store \(store) holds 0 leaders", timeout: ctx.spec.execution.slowStepTimeout),
        ]
        // Succeeded before but no longer evicted: someone removed the scheduler, so evict again.
        return desired(ctx, concern: "evict-leaders-store-\(store)",
                       reason: "Store \(store) is unhealthy (\(why)). Evicting its leaders moves reads and writes to healthy stores; it keeps its data. Remove the scheduler once the store recovers.",
                       ticket: tickets.first, steps: steps, blocked: blocked, satisfies: false)
    }

    // MARK: low space → move regions off

    static func moveRegions(_ store: UInt64, _ ticket: Ticket, _ ctx: PlanningContext) -> PlannerOutcome? {
        guard let s = ctx.snapshot.store(store), s.capacityBytes > 0 else { return nil }
        let concern = "move-regions-store-\(store)"
        let scope = RegionScope.stores([store])
        guard let regions = ctx.regions(covering: [store]) else {
            return PlannerOutcome(concern: concern, decision: .undecided, regionScope: scope)
        }
        // Aim a little above the line so the ticket does not reopen at once.
        let linePercent = max(ctx.spec.invariants.lowSpace.minAvailablePercent, (1 - ctx.snapshot.settings.lowSpaceRatio) * 100)
        let goalPercent = linePercent + 5
        let mib: Int64 = 1 << 20
        var toFree = Int64(goalPercent / 100 * Double(s.capacityBytes)) - s.availableBytes
        guard toFree > 0 else { return nil }
        // Targets keep at least line + 10 % free after what they receive.
        var room: [UInt64: Int64] = [:]
        for t in ctx.snapshot.stores where t.id != store && ctx.mayHoldRegions(t) && t.capacityBytes > 0 {
            room[t.id] = t.availableBytes - Int64((linePercent + 10) / 100 * Double(t.capacityBytes))
        }
        let alive = ctx.aliveStores
        let candidates = regions.filter {
            $0.storeIDs.contains(store) && !$0.inJointState && !ctx.regionsWithOperator.contains($0.id) && $0.leaderStoreID != 0
                && Quorum.hasQuorum($0, alive: alive) && $0.approximateSizeMiB > 0
        }.sorted { ($1.approximateSizeMiB, $0.id) < ($0.approximateSizeMiB, $1.id) }
        var moves: [BalanceMove] = []
        var freed: Int64 = 0
        for r in candidates where toFree > 0 {
            let size = r.approximateSizeMiB * mib
            let learner = r.learnerStoreIDs.contains(store)
            let best = room.filter { !r.storeIDs.contains($0.key) && $0.value >= size
                && ctx.legality.placementAllows(region: r, store: $0.key, as: .peer, learner: learner) }
                .max { ($0.value, $1.key) < ($1.value, $0.key) }
            guard let best else { continue }
            room[best.key] = best.value - size
            moves.append(BalanceMove(regionID: r.id, from: store, to: best.key))
            toFree -= size
            freed += size
        }
        let advice = "Advice: add capacity or remove data; PD moves no regions to a store below its low-space ratio (\(ctx.snapshot.settings.lowSpaceRatio))."
        guard !moves.isEmpty else {
            return PlannerOutcome(concern: concern, decision: .vanished(
                reason: "NoRoom", message: "store \(store) is low on space but no store has room for its regions. \(advice)"), regionScope: scope)
        }
        let batchSize = max(1, min(ctx.snapshot.settings.regionScheduleLimit, ctx.spec.limits.maxInFlightSteps))
        let steps = moves.enumerated().map { i, m in
            PlanStep(name: "move-peer-\(m.regionID)", action: .transferPeer(region: m.regionID, from: m.from, to: m.to),
                     expectedEffect: "region \(m.regionID) has a peer on store \(m.to) and none on store \(m.from)",
                     timeout: ctx.spec.execution.slowStepTimeout, batch: i / batchSize + 1)
        }
        let available = String(format: "%.1f", s.availablePercent ?? 0)
        return desired(ctx, concern: concern,
                       reason: "Store \(store) has \(available)% space available, below \(String(format: "%.0f", linePercent))% (\(ticket.spec.summary)). Moving \(moves.count) regions (\(freed / mib) MiB) to stores with room frees space towards \(String(format: "%.0f", goalPercent))%. \(advice)",
                       ticket: ticket, steps: steps, scope: scope)
    }

    // MARK: leftover scheduler → remove it

    static func removeScheduler(_ ticket: Ticket, _ ctx: PlanningContext) -> [PlannerOutcome] {
        let subject = ticket.spec.subject
        var stores: [UInt64] = []
        if let store = storeID(subject) {
            stores = [store]
        } else if subject.hasPrefix("scheduler/") {
            let name = String(subject.dropFirst("scheduler/".count))
            if name == "evict-leader-scheduler" {
                stores = ctx.snapshot.schedulers.evictLeaderStores
            } else if name.hasPrefix("evict-leader-scheduler-"), let store = UInt64(name.dropFirst("evict-leader-scheduler-".count)) {
                stores = [store]
            } else {
                guard ctx.snapshot.schedulers.names.contains(name) else { return [] }
                let step = PlanStep(name: "remove-scheduler", action: Action(kind: .removeScheduler, scheduler: name),
                                    expectedEffect: "PD no longer runs \(name)", timeout: ctx.spec.execution.fastStepTimeout)
                return [desired(ctx, concern: "remove-scheduler-\(name)",
                                reason: "Scheduler \(name) is left over (\(ticket.spec.summary)). Removing it restores PD's normal scheduling.",
                                ticket: ticket, steps: [step], satisfies: false)]
            }
        }
        let cleanedUp = Set(MaintenancePlanner.cleanupStores(ctx))
        let mitigated = Set(ctx.openTickets.filter { ["highLatency", "storeFlapping"].contains($0.spec.invariant) }.compactMap { storeID($0.spec.subject) })
        // Keep evictions that maintenance owns, that its cleanup plan removes, or that still mitigate a slow or flapping store.
        return stores.sorted().filter {
            ctx.evictedStores.contains($0) && !ctx.maintainedStores.contains($0) && !cleanedUp.contains($0) && !mitigated.contains($0)
        }.map { store in
            var step = PlanStep(name: "remove-evict-leader", action: .store(.removeEvictLeaderScheduler, store),
                                expectedEffect: "store \(store) is not in the evict-leader scheduler", timeout: ctx.spec.execution.fastStepTimeout)
            // Removing the eviction hands the store leaders again (PD's balancer): low risk only for a store nothing
            // else argues against.
            if let why = ctx.caution(onto: store, besides: ticket.name) {
                step.risk = max(step.risk, .medium)
                step.preconditions.append("store \(store) needs a person's look before it takes leaders again: \(why)")
            }
            return desired(ctx, concern: "remove-evict-leader-store-\(store)",
                           reason: "An evict-leader scheduler holds store \(store), which is under no maintenance (\(ticket.spec.summary)). Removing it lets the store take leaders again.",
                           ticket: ticket, steps: [step], satisfies: false)
        }
    }
}
