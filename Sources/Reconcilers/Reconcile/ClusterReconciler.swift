import Foundation

/// Everything one pass over one cluster reads: the desired state, the stored status objects and a
/// fresh snapshot. Pure input; the controller's `TiKVClusterReconciler` loads it.
public struct ClusterReconcileInput: Sendable {
    public var cluster: TiKVCluster
    public var snapshot: ClusterSnapshot
    public var maintenances: [StoreMaintenance]
    public var tickets: [Ticket]
    public var plans: [RemediationPlan]
    /// People's decisions (the store's approval records, from the CLI or Approval objects).
    public var votes: [ApprovalVote]
    public var killSwitch: Bool
    /// Fresh placements of the regions that steps in progress name (`PlanExecution.regionsToObserve`).
    public var stepRegions: [UInt64: RegionPlacement]
    /// PD's latest operator on each of those regions.
    public var stepOperators: [UInt64: RegionOperatorObservation]
    /// The regions of the stores an offline step may take down this pass (`PlanExecution.storesToObserve`).
    public var stepStoreRegions: [UInt64: [RegionPlacement]]
    /// PD mutations this cluster sent in the last hour (the rate limit).
    public var actionsLastHour: Int
    public var now: Date

    public init(cluster: TiKVCluster, snapshot: ClusterSnapshot, maintenances: [StoreMaintenance], tickets: [Ticket],
                plans: [RemediationPlan], votes: [ApprovalVote] = [], killSwitch: Bool = false,
                stepRegions: [UInt64: RegionPlacement] = [:], stepOperators: [UInt64: RegionOperatorObservation] = [:],
                stepStoreRegions: [UInt64: [RegionPlacement]] = [:], actionsLastHour: Int = 0, now: Date) {
        self.cluster = cluster
        self.snapshot = snapshot
        self.maintenances = maintenances
        self.tickets = tickets
        self.plans = plans
        self.votes = votes
        self.killSwitch = killSwitch
        self.stepRegions = stepRegions
        self.stepOperators = stepOperators
        self.stepStoreRegions = stepStoreRegions
        self.actionsLastHour = actionsLastHour
        self.now = now
    }
}

/// What should exist after the pass. Objects equal to their input mean "no change": the controller
/// writes only what differs, so an idle pass writes nothing.
public struct ClusterReconcileResult: Sendable, Equatable {
    public var cluster: TiKVCluster
    public var tickets: [Ticket]
    public var plans: [RemediationPlan]
    public var maintenances: [StoreMaintenance]
    public var events: [Event]
    /// PD mutations to send once the result (with each step's intent) is durably written.
    public var calls: [StepCall]
    /// Regions whose PD operator must be cancelled (kill switch).
    public var cancelOperators: [UInt64]
    /// Regions the next observation must fetch for a planner.
    public var regionScope: RegionScope
    /// When the next pass should run at the latest.
    public var requeueAfter: TimeInterval
    /// The observation failed or was incomplete: the manager retries with its per-cluster backoff.
    public var observationIncomplete: Bool
    /// What the pass decided, and why nothing happened when nothing did — for the log.
    public var decisions: [PassDecision]
}

/// One pass over one cluster: health invariants → tickets, desired balance and maintenance →
/// plans, and the cluster's own status (`Observed`, `Healthy`, `Degraded`, `Paused`). Two halves, so health
/// never waits for planning: `assessHealth` (store-level facts only) and `decide` (planning and execution,
/// which may need regions fetched in between).
public enum ClusterReconciler {
    /// How often a steady status refreshes `lastObservedTime`: often enough to show the controller is
    /// alive in `get`, rarely enough that an idle pass writes nothing.
    public static let observedTimeRefresh: TimeInterval = 300

    /// One whole pass: `assessHealth`, then `decide` on the same input. The controller runs the two halves
    /// apart, writing the first before it fetches the regions the second needs.
    public static func reconcile(_ input: ClusterReconcileInput) -> ClusterReconcileResult {
        let health = assessHealth(input)
        var result = decide(input, after: health)
        result.events = health.events + result.events
        result.decisions = health.decisions + result.decisions
        return result
    }

    /// The first half of a pass: health invariants → tickets, the liveness history, and the cluster's
    /// conditions as those tickets set them. It reads only the store-level observation (no region list), so
    /// the controller can write it before any planner's region download.
    public static func assessHealth(_ input: ClusterReconcileInput) -> ClusterHealthResult {
        let snapshot = input.snapshot
        let health = HealthReconciler.reconcile(HealthInput(
            cluster: input.cluster, snapshot: snapshot, maintenances: input.maintenances, tickets: input.tickets, now: input.now))
        var cluster = input.cluster
        if health.storeHistory != (cluster.status.storeHistory ?? []) { cluster.status.storeHistory = health.storeHistory }
        if health.pdLeaderHistory != cluster.status.pdLeaderHistory { cluster.status.pdLeaderHistory = health.pdLeaderHistory }
        var decisions = describeTicketChanges(before: input.tickets, after: health.tickets)
        decisions += health.notes.map { PassDecision(.info, $0) }
        if !snapshot.isComplete {
            decisions.append(PassDecision(.info, "Observation incomplete: tickets kept as they are, no planning",
                                          ["reason": snapshot.incompleteReasons.joined(separator: "; ")]))
        }
        cluster.status = clusterStatus(cluster, snapshot: snapshot, tickets: health.tickets, plans: input.plans,
                                       unknown: health.unknown, now: input.now)
        return ClusterHealthResult(cluster: cluster, tickets: health.tickets, events: health.events, decisions: decisions,
                                   unknown: health.unknown)
    }

    /// The second half: planning (only on a complete snapshot) → plans, execution → intents, and the cluster's
    /// status again with the plans and any escalation ticket. It starts from `health`'s cluster and tickets
    /// (the caller passes them as written); `input.snapshot` may now hold the regions a planner asked for.
    /// Events and decision lines are this half's only; `reconcile` joins both halves'.
    public static func decide(_ input: ClusterReconcileInput, after health: ClusterHealthResult) -> ClusterReconcileResult {
        let snapshot = input.snapshot
        let spec = input.cluster.spec
        var decisions: [PassDecision] = []
        var cluster = health.cluster

        // Plans are computed only from a complete observation: a partial one could make drift look
        // gone (superseding a plan) or invent drift (a store that merely failed to answer).
        var plans = input.plans
        var maintenances = input.maintenances
        var events: [Event] = []
        var scope = RegionScope.none
        if snapshot.isComplete {
            let planningInput = PlanningInput(cluster: cluster, snapshot: snapshot, maintenances: input.maintenances, tickets: health.tickets,
                                              plans: input.plans, now: input.now)
            let standings = PlanningContext(planningInput).legality.standings
            if standings != cluster.status.targets { cluster.status.targets = standings }
            let balance = BalanceStrategyChoice.standings(cluster.spec.balance, schedulers: snapshot.schedulers)
            if balance != (cluster.status.balance ?? []) { cluster.status.balance = balance.isEmpty ? nil : balance }
            let planning = PlanningReconciler.reconcile(planningInput)
            plans = planning.plans
            maintenances = merge(input.maintenances, planning.maintenances)
            events += planning.events
            scope = planning.regionScope
            decisions += describePlanChanges(before: input.plans, after: plans)
            if scope != .none, !snapshot.regionScope.covers(scope) {
                decisions.append(PassDecision(.info, "A planner needs regions: observing them next", fields(of: scope)))
            }
        }

        // Execution: approvals, gates, intents, observed effects. It runs on an incomplete snapshot too,
        // because the kill switch must cancel whatever PD says; every gate re-checks completeness.
        let execution = PlanExecution.advance(ExecutionInput(
            cluster: cluster, snapshot: snapshot, plans: plans, votes: input.votes, killSwitch: input.killSwitch,
            regions: input.stepRegions, regionOperators: input.stepOperators, storeRegions: input.stepStoreRegions,
            actionsLastHour: input.actionsLastHour, now: input.now,
            maxSnapshotAge: max(60, 2 * Double(spec.resyncPeriod.nanoseconds) / 1e9)))
        plans = execution.plans
        events += execution.events
        decisions += execution.decisions
        var tickets = health.tickets
        for t in execution.tickets where !tickets.contains(where: { $0.name == t.name }) { tickets.append(t) }

        cluster.status = clusterStatus(cluster, snapshot: snapshot, tickets: tickets, plans: plans, unknown: health.unknown, now: input.now)
        if health.decisions.isEmpty && decisions.isEmpty {
            decisions += idle(tickets: tickets, plans: plans)
        }

        // A planner or a step needs regions this pass did not have: look again at once.
        // Only regions this pass could not have asked for (new plans) count, so a region PD no longer
        // knows cannot spin the loop.
        let asked = Set(PlanExecution.regionsToObserve(input.plans, limits: spec.limits))
        let askedStores = Set(PlanExecution.storesToObserve(input.plans))
        let stepRegionsMissing = spec.mode == .execute && !spec.paused && !input.killSwitch
            && (PlanExecution.regionsToObserve(plans, limits: spec.limits).contains { !asked.contains($0) }
                || PlanExecution.storesToObserve(plans).contains { !askedStores.contains($0) })
        let needsRegionsNow = (scope != .none && !snapshot.regionScope.covers(scope)) || stepRegionsMissing
        let resync = Double(spec.resyncPeriod.nanoseconds) / 1e9
        return ClusterReconcileResult(
            cluster: cluster, tickets: tickets, plans: plans, maintenances: maintenances, events: events,
            calls: execution.calls, cancelOperators: execution.cancelOperators, regionScope: scope,
            requeueAfter: needsRegionsNow ? 0 : min(resync, max(0.5, execution.requeueAfter ?? resync)),
            observationIncomplete: !snapshot.isComplete, decisions: decisions)
    }

    /// The cluster's conditions and counts. Messages carry no per-pass values, so a steady cluster
    /// keeps an identical status.
    static func clusterStatus(_ cluster: TiKVCluster, snapshot: ClusterSnapshot, tickets: [Ticket],
                              plans: [RemediationPlan], unknown: [InvariantUnknown], now: Date) -> TiKVClusterStatus {
        var status = cluster.status
        let gen = cluster.metadata.generation
        let open = tickets.filter { $0.status.state == .open }
        let critical = open.filter { $0.spec.severity == .critical }

        if snapshot.isComplete {
            status.conditions.set("Observed", .true, reason: "ObservationComplete", message: "every PD source answered",
                                  observedGeneration: gen, now: now)
        } else if snapshot.hasStores {
            status.conditions.set("Observed", .false, reason: "ObservationIncomplete",
                                  message: snapshot.incompleteReasons.joined(separator: "; "), observedGeneration: gen, now: now)
        } else {
            status.conditions.set("Observed", .false, reason: "ObservationFailed",
                                  message: snapshot.state(of: .stores).reason ?? "the store list could not be read",
                                  observedGeneration: gen, now: now)
        }

        if !snapshot.hasStores && open.isEmpty {
            status.conditions.set("Healthy", .unknown, reason: "NotObserved", message: "the cluster could not be observed",
                                  observedGeneration: gen, now: now)
        } else if open.isEmpty && !unknown.isEmpty {
            // Nothing broken that could be seen is not "every invariant holds": say which could not be judged.
            status.conditions.set("Healthy", .unknown, reason: "InvariantsUnknown", message: InvariantUnknown.summary(unknown),
                                  observedGeneration: gen, now: now)
        } else if open.isEmpty {
            status.conditions.set("Healthy", .true, reason: "NoOpenTickets", message: "every invariant holds",
                                  observedGeneration: gen, now: now)
        } else {
            let names = open.map(\.name).sorted()
            let listed = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? ", …" : "")
            status.conditions.set("Healthy", .false, reason: "OpenTickets", message: "\(open.count) open ticket(s): \(listed)",
                                  observedGeneration: gen, now: now)
        }

        if critical.isEmpty {
            status.conditions.set("Degraded", .false, reason: "NoCriticalTickets", message: "no critical invariant is broken",
                                  observedGeneration: gen, now: now)
        } else {
            let names = critical.map(\.name).sorted()
            status.conditions.set("Degraded", .true, reason: "CriticalTickets",
                                  message: "critical: " + names.prefix(3).joined(separator: ", ") + (names.count > 3 ? ", …" : ""),
                                  observedGeneration: gen, now: now)
        }

        if cluster.spec.paused {
            status.conditions.set("Paused", .true, reason: "PausedBySpec", message: "spec.paused is set: no step is executed",
                                  observedGeneration: gen, now: now)
        } else {
            status.conditions.set("Paused", .false, reason: "Active", message: "mode \(cluster.spec.mode.rawValue)",
                                  observedGeneration: gen, now: now)
        }

        if snapshot.hasStores {
            let live = snapshot.stores.filter { !$0.isTombstone }
            status.stores = live.count
            status.storesUp = live.filter(\.isUpAndAlive).count
        }
        if let regions = snapshot.regionCount { status.regions = regions }
        status.openTickets = open.count
        status.activePlans = plans.filter { !$0.status.phase.isTerminal }.count
        status.observedGeneration = gen

        // Refresh the observation time only alongside another change, or when it is getting old.
        var withoutTime = status
        withoutTime.lastObservedTime = cluster.status.lastObservedTime
        let stale = cluster.status.lastObservedTime.map { now.timeIntervalSince($0) >= observedTimeRefresh } ?? true
        if (withoutTime != cluster.status || stale) && snapshot.hasStores {
            status.lastObservedTime = snapshot.observedAt
        }
        return status
    }

    private static func merge(_ all: [StoreMaintenance], _ changed: [StoreMaintenance]) -> [StoreMaintenance] {
        let byName = Dictionary(changed.map { ($0.name, $0) }, uniquingKeysWith: { _, b in b })
        return all.map { byName[$0.name] ?? $0 }
    }

    /// A pass that decided nothing: while a plan executes, which plan and step (info, so the log shows it is
    /// moving); otherwise "nothing to do" at debug only, since an idle controller says it every resync.
    static func idle(tickets: [Ticket], plans: [RemediationPlan]) -> [PassDecision] {
        let executing = plans.filter { $0.status.phase == .executing }.sorted { $0.name < $1.name }
        guard executing.isEmpty else {
            return executing.map { plan in
                var fields = ["plan": plan.name]
                let statuses = PlanExecution.statuses(plan)
                if let i = statuses.firstIndex(where: { $0.phase == .running }) ?? statuses.firstIndex(where: { !$0.phase.isDone }),
                   i < plan.spec.steps.count {
                    fields["step"] = plan.spec.steps[i].name
                    fields["stepPhase"] = statuses[i].phase.rawValue
                }
                return PassDecision(.info, "Plan executing", fields)
            }
        }
        return [PassDecision(.debug, "Nothing to do: no drift beyond the desired balance", [
            "openTickets": "\(tickets.filter { $0.status.state == .open }.count)",
            "activePlans": "\(plans.filter { !$0.status.phase.isTerminal }.count)",
        ])]
    }

    static func describeTicketChanges(before: [Ticket], after: [Ticket]) -> [PassDecision] {
        let old = Dictionary(before.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var lines: [PassDecision] = []
        for t in after.sorted(by: { $0.name < $1.name }) {
            let was = old[t.name]?.status.state
            guard was != t.status.state else { continue }
            let message = switch (was, t.status.state) {
            case (.resolved, .open): "Ticket reopened"
            case (_, .open): "Ticket opened"
            case (_, .resolved): "Ticket resolved"
            case (_, .pending): "Ticket pending its grace period"
            }
            var fields = subjectFields(t.spec.subject)
            fields["ticket"] = t.name
            fields["invariant"] = t.spec.invariant
            fields["severity"] = t.spec.severity.rawValue
            fields["from"] = was?.rawValue ?? "new"
            fields["summary"] = t.spec.summary
            lines.append(PassDecision(.info, message, fields))
        }
        return lines
    }

    /// A ticket's subject as log fields: `store/4` → `store=4`, `region/24` → `region=24`, anything else as itself.
    static func subjectFields(_ subject: String) -> [String: String] {
        for kind in ["store", "region"] where subject.hasPrefix(kind + "/") {
            return [kind: String(subject.dropFirst(kind.count + 1))]
        }
        return ["subject": subject]
    }

    static func describePlanChanges(before: [RemediationPlan], after: [RemediationPlan]) -> [PassDecision] {
        let old = Dictionary(before.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var lines: [PassDecision] = []
        for p in after.sorted(by: { $0.name < $1.name }) {
            guard let was = old[p.name] else {
                lines.append(PassDecision(.info, "Plan created", [
                    "plan": p.name, "steps": "\(p.spec.steps.count)", "risk": p.spec.risk.rawValue, "revision": p.spec.revision,
                    "reason": p.spec.reason,
                ]))
                continue
            }
            if was.spec.revision != p.spec.revision {
                lines.append(PassDecision(.info, "Plan revised", [
                    "plan": p.name, "from": was.spec.revision, "revision": p.spec.revision, "steps": "\(p.spec.steps.count)",
                ]))
            }
            if was.status.phase != p.status.phase {
                // One phrase per phase ("Plan superseded", "Plan failed"), so each is a query of its own.
                lines.append(PassDecision(.info, "Plan \(p.status.phase.rawValue.lowercased())", [
                    "plan": p.name, "from": was.status.phase.rawValue,
                ]))
            }
        }
        return lines
    }

    /// The regions a planner asked for, as log fields: `regions=all`, or `store=1,4` for the regions on those stores.
    static func fields(of scope: RegionScope) -> [String: String] {
        switch scope {
        case .none: ["regions": "none"]
        case .all: ["regions": "all"]
        case .stores(let ids): ["store": ids.map(String.init).joined(separator: ",")]
        }
    }
}
