import ControllerRuntime
import Foundation
import Logging
import ModelDiagnosis
import OperatorStore
import PDClient
import Reconcilers
import SignedApprovals
import Synchronization

/// The reconciler of TiKVCluster objects: one pass brings one cluster towards its spec. The manager
/// (`ControllerManager`) decides when a pass runs; this type decides nothing itself either — the pure
/// `ClusterReconciler` does — it reads, writes and sends, in this order:
///
/// 1. observe the stores (no region list): a few small requests at any cluster size;
/// 2. health: `assessHealth` (pure), its tickets and the cluster's conditions written at once;
/// 3. regions: what the planners asked for in the previous pass, then what steps in progress need;
/// 4. decide: `decide` (pure) from the cluster and tickets as written;
/// 5. apply: what changed, each step's intent included, written before PD hears of it;
/// 6. execute: the PD calls the gates let through, each answer recorded (`StepExecutor`);
/// 7. diagnose: the open tickets submitted to the diagnosis runner, off the loop.
///
/// A region download (tens of seconds at 1M regions) therefore never delays a ticket.
///
/// Every upstream request of a pass runs under one `PassBudget`: a PD or Prometheus that timed out is not asked
/// again in the pass, and the store-level reads end by deadlines derived from the cluster's timeouts
/// (`PassStageBounds`). A cancelled pass (the controller is stopping) writes nothing it observed after the stop
/// and starts no PD call (`StepExecutor`).
package final class TiKVClusterReconciler: Reconciler {
    static let name = "tikvcluster"
    package var name: String { Self.name }
    package var logKey: String { "cluster" }

    /// What one pass did: both halves' events and decisions, and how many store writes it made.
    struct Pass: Sendable {
        var result: ClusterReconcileResult
        var writes: Int

        var outcome: ReconcileOutcome {
            ReconcileOutcome(requeueAfter: .milliseconds(Int64(result.requeueAfter * 1000)), requeue: result.observationIncomplete)
        }
    }

    let store: StatusStore
    let resources: ResourceStore
    let connections: ClusterConnections
    let actor: String
    /// Where observations, passes and actions are counted for `/metrics`; nil records nothing.
    let metrics: OperatorMetrics?
    let clock: @Sendable () -> Date
    let diagnoses: DiagnosisRunner
    /// Per cluster, the regions the planners asked for in its last pass. Nothing here is needed after a
    /// restart: the first pass downloads none, and its planners ask again.
    private let regionScopes = Mutex<[String: RegionScope]>([:])
    /// The kill switch and the votes as the last pass saw them, so each change is logged once.
    private let people = PeopleActionLog()

    package init(store: StatusStore, connections: ClusterConnections? = nil, actor: String = "controller", metrics: OperatorMetrics? = nil,
         diagnoses: DiagnosisRunner? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        // Each provider call is counted for `/metrics` (`operator_diagnosis_calls_total`); a test's own runner counts its own.
        self.diagnoses = diagnoses ?? DiagnosisRunner(onCall: { provider, outcome in metrics?.diagnosisCall(provider: provider, outcome: outcome) })
        self.resources = ResourceStore(store: store)
        self.connections = connections ?? ClusterConnections(clock: clock)
        self.actor = actor
        self.metrics = metrics
        self.clock = clock
    }

    package func keys() throws -> [String] { try resources.list(TiKVClusterKind.self).map(\.name) }

    package func reconcile(_ key: String, logger: Logger) async throws -> ReconcileOutcome? {
        try await reconcileCluster(key, logger: logger)?.outcome
    }

    /// One pass over the cluster named `name`, health first; nil when the cluster is gone.
    func reconcileCluster(_ name: String, logger log: Logger) async throws -> Pass? {
        guard let cluster = try resources.get(TiKVClusterKind.self, name) else {
            log.info("TiKVCluster is gone; nothing to reconcile")
            _ = regionScopes.withLock { $0.removeValue(forKey: name) }
            people.forget(cluster: name)
            await connections.forget(name)
            return nil
        }
        // 1. Observe the stores.
        let observer = await connections.observer(for: cluster)
        let budget = PassBudget()
        let bounds = PassStageBounds(spec: cluster.spec)
        let started = clock()
        let timer = ContinuousClock.now
        var snapshot = await budget.run(within: bounds.observation) { await observer.observe(cluster: name, now: started) }
        let observedIn = ContinuousClock.now - timer
        // Stopping: an observation cut short by the stop is not judged, nor written.
        try Task.checkCancellation()
        metrics?.observed(snapshot, in: observedIn)
        // The pass judges the cluster as of the end of the store-level observation.
        let now = clock()
        let maintenances = try resources.list(StoreMaintenanceKind.self).filter { $0.spec.cluster == name }
        let plans = try resources.list(RemediationPlanKind.self).filter { $0.spec.cluster == name }
        let applier = ReconcileApplier(resources: resources, actor: actor)

        // 2. Health: decided and written before any region is downloaded.
        let healthInput = ClusterReconcileInput(
            cluster: cluster, snapshot: snapshot, maintenances: maintenances,
            tickets: try resources.list(TicketKind.self).filter { $0.spec.cluster == name }, plans: plans, now: now)
        var health = ClusterReconciler.assessHealth(healthInput)
        let written = try applier.apply(health, to: healthInput, now: now)
        for decision in health.decisions { log.log(decision) }
        health.cluster = written.cluster
        health.tickets = written.tickets

        // 3. Regions: what the planners asked for, then what steps in progress need.
        let scope = regionScopes.withLock { $0[name] ?? .none }
        let keepKeys = snapshot.placement.needsRegionKeys
        if scope != .none {
            let hot = snapshot.hotRegionIDs
            let regions = await budget.run(within: nil) { await observer.observeRegions(scope, keepKeys: keepKeys, keysOf: hot) }
            snapshot.attachRegions(regions.regions, state: regions.state, scope: scope)
        }
        let steps = await budget.run(within: bounds.stepReads) {
            await StepRegionReads.regions(plans, cluster: cluster, observer: observer)
        }
        let stepStoreRegions = await budget.run(within: nil) { await StepRegionReads.storesToTakeOffline(plans, observer: observer) }
        // Stopping: nothing is decided on reads the stop may have cut short.
        try Task.checkCancellation()

        // 4. Decide: planning, gates and execution, from the cluster and tickets as health left them in the store.
        let input = ClusterReconcileInput(
            cluster: written.cluster, snapshot: snapshot, maintenances: maintenances, tickets: written.tickets,
            plans: plans, votes: try votes(cluster: written.cluster, plans: plans, now: now, log: log), killSwitch: killSwitch(log),
            stepRegions: steps.regions, stepOperators: steps.operators,
            stepStoreRegions: stepStoreRegions, actionsLastHour: try actionsLastHour(plans: plans, now: now), now: now)
        var result = ClusterReconciler.decide(input, after: health)
        regionScopes.withLock { $0[name] = result.regionScope }

        // 5. Apply: intents first, so a step's Running status and request are durable before PD hears of it.
        var writes = written.writes.total + (try applier.apply(result, to: input, now: now).total)
        for decision in result.decisions { log.log(decision) }

        // 6. Execute.
        if !result.calls.isEmpty || !result.cancelOperators.isEmpty {
            let executor = StepExecutor(sender: StepSender(pd: observer.pd), resources: resources, actor: actor, metrics: metrics, clock: clock)
            writes += try await budget.run(within: nil) { try await executor.execute(result, cluster: cluster, log: log) }
        }
        if !budget.timedOutServers.isEmpty {
            log.warning("Upstreams timed out in this pass; not asked again until the next", metadata: ["servers": "\(budget.timedOutServers)"])
        }

        // 7. Diagnose, off the loop (outside the pass's budget: a diagnosis outlives the pass), unless stopping.
        if !Task.isCancelled { await diagnoses.submit(cluster: result.cluster, snapshot: snapshot, observer: observer, resources: resources, now: now) }
        log.debug("Pass done", metadata: [
            "writes": "\(writes)", "observedIn": "\(observedIn)", "passIn": "\(ContinuousClock.now - timer)",
        ])
        result.events = health.events + result.events
        result.decisions = health.decisions + result.decisions
        metrics?.passed(result, killSwitch: input.killSwitch)
        return Pass(result: result, writes: writes)
    }

    /// The decisions on this cluster's plans that count, each signed one proven again on this pass against the
    /// allowed signers as they are now; why each refused one does not count is recorded (`describe plan`, `audit`).
    private func votes(cluster: TiKVCluster, plans: [RemediationPlan], now: Date, log: Logger) throws -> [ApprovalVote] {
        // Only plans that can still move need votes: history is never re-verified, so a pass costs what is active.
        let active = plans.filter { !$0.status.phase.isTerminal }
        guard !active.isEmpty else {
            _ = people.counted([], cluster: cluster.name)
            return []
        }
        let verifier = ApprovalVerifier(policy: cluster.spec.approval)
        let planClusters = Dictionary(active.map { ($0.name, $0.spec.cluster) }, uniquingKeysWith: { a, _ in a })
        let records = try active.flatMap { try store.approvals(plan: $0.name) }
        let (votes, refusals) = verifier.votes(records, plans: planClusters, now: now)
        for (id, refusal) in refusals { try store.recordRefusal(approval: id, refusal, at: now) }
        // Logged as counted: the votes on each plan's current revision (one on an older revision approves nothing).
        let current = Set(active.map { "\($0.name)/\($0.spec.revision)" })
        for decision in people.counted(votes.filter { current.contains("\($0.plan)/\($0.revision)") }, cluster: cluster.name) {
            log.log(decision)
        }
        return votes
    }

    /// Fails closed: a kill switch that cannot be read is on.
    private func killSwitch(_ log: Logger) -> Bool {
        let on: Bool
        do { on = try store.killSwitchIsOn() } catch {
            log.error("Cannot read the kill switch; treating it as on", metadata: ["error": "\(error)"])
            on = true
        }
        for decision in people.killSwitch(on) { log.log(decision) }
        return on
    }

    /// PD mutations sent for this cluster's plans in the last hour, counted by the store.
    private func actionsLastHour(plans: [RemediationPlan], now: Date) throws -> Int {
        let counts = try store.auditCounts(action: "PDMutation", kind: RemediationPlanKind.kind, since: now.addingTimeInterval(-3600))
        return plans.reduce(0) { $0 + (counts[$1.name] ?? 0) }
    }
}
