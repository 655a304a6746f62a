import Foundation

/// Everything one planning pass reads for one cluster.
public struct PlanningInput: Sendable {
    public var cluster: TiKVCluster
    public var snapshot: ClusterSnapshot
    public var maintenances: [StoreMaintenance]
    /// This cluster's tickets after this pass's health reconcile; Open ones drive playbooks.
    public var tickets: [Ticket]
    /// Every stored plan of this cluster, any phase.
    public var plans: [RemediationPlan]
    public var now: Date

    public init(cluster: TiKVCluster, snapshot: ClusterSnapshot, maintenances: [StoreMaintenance] = [], tickets: [Ticket] = [],
                plans: [RemediationPlan] = [], now: Date) {
        self.cluster = cluster
        self.snapshot = snapshot
        self.maintenances = maintenances
        self.tickets = tickets
        self.plans = plans
        self.now = now
    }
}

public struct PlanningResult: Sendable, Equatable {
    /// Every plan after this pass: new, updated (new revision), superseded, and unchanged ones equal to
    /// their input (the caller writes only those that differ, so an idle pass writes nothing). Sorted by name.
    public var plans: [RemediationPlan]
    /// Maintenance objects whose status changed; unchanged ones are omitted.
    public var maintenances: [StoreMaintenance]
    /// Regions the next observation must fetch because a planner needs them to decide.
    public var regionScope: RegionScope
    public var events: [Event]

    public init(plans: [RemediationPlan], maintenances: [StoreMaintenance], regionScope: RegionScope, events: [Event]) {
        self.plans = plans
        self.maintenances = maintenances
        self.regionScope = regionScope
        self.events = events
    }
}

/// The planning pass: balance (moves or store weights), maintenance and playbook planners, a model's proposals, the
/// alternative a person approved, then plan identity. Pure: `now`
/// comes from the input, nothing is read or written.
public enum PlanningReconciler {
    public static func reconcile(_ input: PlanningInput) -> PlanningResult {
        let plans = input.plans.sorted { $0.name < $1.name }
        // A partial observation could make drift seem to vanish (a failed scheduler list hides an
        // eviction): decide nothing, keep what exists, and keep asking for the same regions.
        guard input.snapshot.isComplete else {
            return PlanningResult(plans: plans, maintenances: [], regionScope: input.snapshot.regionScope, events: [])
        }
        let ctx = PlanningContext(input)
        var outcomes: [PlannerOutcome] = []
        for kind in BalanceKind.allCases {
            if let o = BalancePlanner.plan(ctx, kind) { outcomes.append(o) }
        }
        if let o = WeightPlanner.plan(ctx) { outcomes.append(o) }
        outcomes += MaintenancePlanner.plan(ctx)
        outcomes += Playbooks.plan(ctx)
        outcomes += ModelProposalPlanner.plan(ctx)
        outcomes = ApprovedAlternative.apply(outcomes, ctx)

        let applied = PlanIdentity.apply(outcomes, to: plans, cluster: ctx.clusterName, now: input.now)
        let maintenance = MaintenancePlanner.statuses(ctx, plans: applied.plans)
        let scope = outcomes.reduce(RegionScope.none) { $0.union($1.regionScope) }
        return PlanningResult(plans: applied.plans, maintenances: maintenance.maintenances, regionScope: scope,
                              events: applied.events + maintenance.events)
    }
}
