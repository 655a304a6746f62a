import Foundation
import Logging
import PDWire
import Reconcilers

/// The controller's manager, after controller-runtime's: it keeps the spec files in force in the
/// store, turns triggers into work-queue adds, and runs one reconcile pass per cluster at a time.
///
/// Triggers only decide *when* a pass runs (level-triggered): a resync timer per cluster, a spec
/// change, a client write to the store (an approval from the CLI, picked up within a poll), and the
/// requeue-after a pass asks for. A pass that fails, or whose observation was incomplete, is retried
/// with the queue's per-cluster exponential backoff.
final class Manager: Sendable {
    struct Configuration: Sendable {
        var specsPath: String
        var specPollInterval: Duration = .seconds(1)
        /// How often to look for client writes (approvals, kill switch); well under a second.
        var storePollInterval: Duration = .milliseconds(250)
        var leaseTTL: Duration = .seconds(15)
        var backoffBase: Duration = .seconds(1)
        var backoffCap: Duration = .seconds(300)
        /// Passes for different clusters may run concurrently; one cluster never has two at once.
        var workers = 2
        var actor = "controller"
        /// Where passes, observations and actions are counted for `/metrics`; nil records nothing.
        var metrics: OperatorMetrics?
    }

    let config: Configuration
    let store: StatusStore
    let resources: ResourceStore
    let queue: WorkQueue<String>
    let connections: ClusterConnections
    let logger: Logger
    let clock: @Sendable () -> Date
    private let state = ManagerState()
    let diagnoses = DiagnosisRunner()

    init(config: Configuration, store: StatusStore, connections: ClusterConnections? = nil, logger: Logger,
         clock: @escaping @Sendable () -> Date = { Date() }) {
        self.config = config
        self.store = store
        self.resources = ResourceStore(store: store)
        self.queue = WorkQueue(backoffBase: config.backoffBase, backoffCap: config.backoffCap)
        self.connections = connections ?? ClusterConnections(clock: clock)
        self.logger = logger
        self.clock = clock
    }

    /// Runs until `stop` returns true or the lease is lost (then it throws `StoreError.leaseLost`).
    func run(until stop: @escaping @Sendable () -> Bool) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.specLoop(until: stop) }
            group.addTask { await self.storeWatchLoop(until: stop) }
            for _ in 0..<max(1, config.workers) {
                group.addTask { await self.worker() }
            }
            defer { group.cancelAll() }
            // The first task to finish (the spec loop on stop or on a lost lease) ends the manager.
            do {
                try await group.next()
            } catch {
                await queue.shutDown()
                throw error
            }
            await queue.shutDown()
            try await group.waitForAll()
        }
    }

    // MARK: - Triggers

    /// Renews the lease, keeps the spec files in force, and enqueues every cluster when they change.
    private func specLoop(until stop: @escaping @Sendable () -> Bool) async throws {
        let sync = SpecSync(store: store, actor: config.actor)
        var set = SpecSet()
        var lastFingerprint: UInt64?
        while !stop() {
            do {
                _ = try store.renewLease()
                let fp = SpecDirectory.fingerprint(path: config.specsPath)
                if fp != lastFingerprint {
                    let parsed = try SpecDirectory.parse(paths: [config.specsPath])
                    for e in set.apply(parsed) { logger.error("Rejected spec file: \(e)") }
                    let outcome = try sync.sync(set, now: clock())
                    if !outcome.isEmpty {
                        logger.info("Synced spec files", metadata: [
                            "created": "\(outcome.created)", "updated": "\(outcome.updated)", "deleted": "\(outcome.deleted)",
                            "approvals": "\(outcome.approvalsRecorded)",
                        ])
                    }
                    lastFingerprint = fp
                    config.metrics?.specsSynced()
                    await enqueueAllClusters(reason: outcome.isEmpty ? "start" : "spec change")
                }
            } catch let e as StoreError {
                if case .leaseLost = e {
                    logger.critical("Lost the store lease; stopping so two controllers never write one store: \(e)")
                    throw e
                }
                logger.error("Store write failed, will retry: \(e)")
            } catch {
                logger.error("Spec sync failed, will retry: \(error)")
            }
            try? await Task.sleep(for: config.specPollInterval)
        }
    }

    /// Wakes every cluster when another process (the CLI) wrote to the store: an approval, a
    /// rejection, the kill switch. The controller's own writes do not move this counter.
    private func storeWatchLoop(until stop: @escaping @Sendable () -> Bool) async {
        var last = (try? store.clientChangeCounter()) ?? 0
        while !stop() {
            try? await Task.sleep(for: config.storePollInterval)
            guard let now = try? store.clientChangeCounter(), now != last else { continue }
            last = now
            await enqueueAllClusters(reason: "store change")
        }
    }

    private func enqueueAllClusters(reason: String) async {
        guard let clusters = try? resources.list(TiKVClusterKind.self) else { return }
        for c in clusters {
            logger.debug("Enqueue", metadata: ["cluster": "\(c.name)", "trigger": "\(reason)"])
            await queue.add(c.name)
        }
    }

    // MARK: - Passes

    private func worker() async {
        while let key = await queue.get() {
            await process(key)
            await queue.done(key)
        }
    }

    private func process(_ name: String) async {
        var log = logger
        log[metadataKey: "cluster"] = "\(name)"
        let started = ContinuousClock.now
        do {
            guard let outcome = try await reconcile(name, logger: log) else {
                await queue.forget(name)
                config.metrics?.reconciled(.success, in: ContinuousClock.now - started, retried: false)
                return
            }
            if outcome.observationIncomplete {
                let delay = await queue.addRateLimited(name)
                log.warning("Observation incomplete; retrying with backoff", metadata: ["retryIn": "\(delay)"])
                config.metrics?.reconciled(.requeue, in: ContinuousClock.now - started, retried: true)
            } else {
                await queue.forget(name)
                await queue.addAfter(name, .milliseconds(Int64(outcome.requeueAfter * 1000)))
                config.metrics?.reconciled(.requeueAfter, in: ContinuousClock.now - started, retried: false)
            }
        } catch {
            let delay = await queue.addRateLimited(name)
            log.error("Pass failed; retrying with backoff", metadata: ["error": "\(error)", "retryIn": "\(delay)"])
            config.metrics?.reconciled(.error, in: ContinuousClock.now - started, retried: true)
        }
    }

    /// One pass, health first: observe the stores (no region list), decide health (pure) and write its tickets
    /// and the cluster's conditions; only then download the regions the planners asked for in the previous
    /// pass and the regions of steps in progress, decide plans and execution (pure), write what changed — each
    /// step's intent included —, then send the PD calls the gates let through and record what PD answered.
    /// A region download (tens of seconds at 1M regions) therefore never delays a ticket. Returns the whole
    /// pass's result (both halves' events and decisions), nil when the cluster is gone.
    func reconcile(_ name: String, logger log: Logger) async throws -> ClusterReconcileResult? {
        guard let cluster = try resources.get(TiKVClusterKind.self, name) else {
            log.info("TiKVCluster is gone; nothing to reconcile")
            state.forget(name)
            await connections.forget(name)
            return nil
        }
        let observer = await connections.observer(for: cluster)
        let started = clock()
        let timer = ContinuousClock.now
        var snapshot = await observer.observe(cluster: name, now: started)
        let observedIn = ContinuousClock.now - timer
        config.metrics?.observed(snapshot, in: observedIn)
        // The pass judges the cluster as of the end of the store-level observation.
        let now = clock()
        let maintenances = try resources.list(StoreMaintenanceKind.self).filter { $0.spec.cluster == name }
        let plans = try resources.list(RemediationPlanKind.self).filter { $0.spec.cluster == name }
        let applier = ReconcileApplier(resources: resources, actor: config.actor)

        // Health: decided and written before any region is downloaded.
        let healthInput = ClusterReconcileInput(
            cluster: cluster, snapshot: snapshot, maintenances: maintenances,
            tickets: try resources.list(TicketKind.self).filter { $0.spec.cluster == name }, plans: plans, now: now)
        var health = ClusterReconciler.assessHealth(healthInput)
        let written = try applier.apply(health, to: healthInput, now: now)
        for line in health.decisions { log.info("\(line)") }
        health.cluster = written.cluster
        health.tickets = written.tickets

        // Regions: what the planners asked for, then what steps in progress need.
        let scope = state.regionScope(name)
        if scope != .none {
            let regions = await observer.observeRegions(scope, keepKeys: snapshot.placement.needsRegionKeys)
            snapshot.attachRegions(regions.regions, state: regions.state, scope: scope)
        }
        let (stepRegions, stepOperators) = await observeStepRegions(plans, cluster: cluster, observer: observer,
                                                                    keepKeys: snapshot.placement.needsRegionKeys)
        let stepStoreRegions = await observeStoresToTakeOffline(plans, observer: observer)

        // Planning, gates and execution, from the cluster and tickets as health left them in the store.
        let input = ClusterReconcileInput(
            cluster: written.cluster, snapshot: snapshot, maintenances: maintenances, tickets: written.tickets,
            plans: plans, votes: try votes(), killSwitch: killSwitch(log), stepRegions: stepRegions, stepOperators: stepOperators,
            stepStoreRegions: stepStoreRegions, actionsLastHour: try actionsLastHour(plans: plans, now: now), now: now)
        var result = ClusterReconciler.decide(input, after: health)
        state.setRegionScope(name, result.regionScope)
        // Intents first: a step's Running status and request are durable before PD hears of it.
        var writes = written.writes.total + (try applier.apply(result, to: input, now: now).total)
        for line in result.decisions { log.info("\(line)") }
        if !result.calls.isEmpty || !result.cancelOperators.isEmpty {
            writes += try await execute(result, cluster: cluster, sender: StepSender(pd: observer.pd), log: log)
        }
        await diagnoses.submit(cluster: result.cluster, snapshot: snapshot, observer: observer, resources: resources, now: now)
        log.debug("Pass done", metadata: [
            "writes": "\(writes)", "observedIn": "\(observedIn)", "passIn": "\(ContinuousClock.now - timer)",
        ])
        state.recordPass(name, writes: writes, at: clock())
        result.events = health.events + result.events
        result.decisions = health.decisions + result.decisions
        config.metrics?.passed(result, killSwitch: input.killSwitch)
        return result
    }

    /// Sends the calls of a pass and records each answer: the audit log keeps request and response; a
    /// refusal fails the attempt at once (it provably did nothing); an unknown outcome leaves the step
    /// Running, to be settled by its observed effect or its timeout.
    private func execute(_ result: ClusterReconcileResult, cluster: TiKVCluster, sender: StepSender, log: Logger) async throws -> Int {
        var writes = 0
        for call in result.calls {
            let outcome = await sender.send(call.call)
            let now = clock()
            let text: String
            switch outcome {
            case .accepted(let body): text = "accepted: \(body)"
            case .refused(let why): text = "refused: \(why)"
            case .unknown(let why): text = "outcome unknown: \(why)"
            }
            config.metrics?.actionSent(call.action.kind, outcome: outcome)
            try store.appendAudit(AuditEntry(timestamp: now, actor: config.actor, source: "executor", action: "PDMutation",
                                             kind: RemediationPlanKind.kind, name: call.plan,
                                             message: (call.step >= 0 ? "step \(call.step + 1) attempt \(call.attempt)" : "cleanup") + ": \(call.call) → \(text)"))
            writes += 1
            log.info("PD call", metadata: ["plan": "\(call.plan)", "step": "\(call.step + 1)", "request": "\(call.call)", "outcome": "\(text)"])
            let refused: String? = if case .refused(let w) = outcome { w } else { nil }
            let unknown: String? = if case .unknown(let w) = outcome { w } else { nil }
            // Cleanup calls (step -1) belong to no step: the next observation shows whether they took effect.
            guard call.step >= 0, refused != nil || unknown != nil, let plan = try resources.get(RemediationPlanKind.self, call.plan) else { continue }
            let (updated, _) = PlanExecution.recordOutcome(plan, step: call.step, refused: refused, unknownOutcome: unknown,
                                                           policy: cluster.spec.execution, now: now)
            if updated.status != plan.status {
                try resources.update(updated, specChanged: false, statusChanged: true)
                writes += 1
            }
        }
        for region in result.cancelOperators {
            let outcome = await sender.send(PDCall.cancelOperator(region: region))
            try store.appendAudit(AuditEntry(timestamp: clock(), actor: config.actor, source: "executor", action: "PDMutation",
                                             kind: TiKVClusterKind.kind, name: cluster.name,
                                             message: "kill switch: \(PDCall.cancelOperator(region: region)) → \(outcome)"))
            writes += 1
        }
        return writes
    }

    /// Fresh placements of the regions that steps in progress name, and PD's latest operator on each:
    /// a few single-region reads. A region whose operator cannot be read is left out, so its step keeps
    /// waiting rather than being judged on a failed read.
    private func observeStepRegions(_ plans: [RemediationPlan], cluster: TiKVCluster, observer: ClusterObserver, keepKeys: Bool) async
        -> ([UInt64: RegionPlacement], [UInt64: RegionOperatorObservation])
    {
        let ids = PlanExecution.regionsToObserve(plans, limits: cluster.spec.limits)
        guard !ids.isEmpty else { return ([:], [:]) }
        let pd = observer.pd
        // A few regions at a time: a batch of 32 leader moves is 64 small reads.
        let answers = await withTaskGroup(of: (UInt64, RegionPlacement?, RegionOperatorObservation?).self) { group in
            var next = ids.makeIterator()
            func addNext() {
                guard let id = next.next() else { return }
                group.addTask {
                    // The operator first: once PD reports it done, the region read after it shows its effect.
                    let op: OperatorWithStatus?
                    do { op = try await pd.operatorStatus(regionID: id) } catch { return (id, nil, nil) }
                    guard let info = try? await pd.region(id: id) else { return (id, nil, nil) }
                    let observed = op.map {
                        RegionOperatorObservation(createdAt: $0.op.createdAt?.date, ended: $0.status.isTerminal, status: "\($0.status)",
                                                  description: $0.op.desc, isAdmin: $0.op.isAdmin, steps: $0.op.steps)
                    }
                    return (id, SnapshotMapping.placement(info, keepKeys: keepKeys), observed)
                }
            }
            for _ in 0..<8 { addNext() }
            var all: [(UInt64, RegionPlacement?, RegionOperatorObservation?)] = []
            for await answer in group {
                all.append(answer)
                addNext()
            }
            return all
        }
        var regions: [UInt64: RegionPlacement] = [:]
        var operators: [UInt64: RegionOperatorObservation] = [:]
        for (id, placement, op) in answers {
            regions[id] = placement
            operators[id] = op
        }
        return (regions, operators)
    }

    /// The regions of each store an offline step may take down this pass, read now so its quorum gate is
    /// judged on them and not on an older planning read. A store whose list cannot be read in full is left
    /// out, and its gate blocks (unknown is never passed).
    private func observeStoresToTakeOffline(_ plans: [RemediationPlan], observer: ClusterObserver) async -> [UInt64: [RegionPlacement]] {
        var out: [UInt64: [RegionPlacement]] = [:]
        for id in PlanExecution.storesToObserve(plans) {
            var placements: [RegionPlacement] = []
            do {
                for try await info in observer.pd.regions(onStore: id) { placements.append(SnapshotMapping.placement(info)) }
                out[id] = placements
            } catch {
                continue
            }
        }
        return out
    }

    private func votes() throws -> [ApprovalVote] {
        try store.allApprovals().map {
            ApprovalVote(plan: $0.plan, revision: $0.revision, approve: $0.decision == .approve, approver: $0.approver,
                         source: $0.source, createdAt: $0.createdAt, expiresAt: $0.expiresAt)
        }
    }

    /// Fails closed: a kill switch that cannot be read is on.
    private func killSwitch(_ log: Logger) -> Bool {
        do { return try store.killSwitchIsOn() } catch {
            log.error("Cannot read the kill switch; treating it as on", metadata: ["error": "\(error)"])
            return true
        }
    }

    /// PD mutations sent for this cluster's plans in the last hour, counted by the store.
    private func actionsLastHour(plans: [RemediationPlan], now: Date) throws -> Int {
        let counts = try store.auditCounts(action: "PDMutation", kind: RemediationPlanKind.kind, since: now.addingTimeInterval(-3600))
        return plans.reduce(0) { $0 + (counts[$1.name] ?? 0) }
    }

    /// When the last pass of each cluster finished, and how many writes it made (probes, tests).
    func lastPasses() -> [String: (at: Date, writes: Int)] { state.lastPasses() }
}

/// The manager's in-memory bookkeeping. Nothing here is needed for correctness after a restart:
/// region scopes are re-asked by the planners, pass times only feed health checks and logs.
private final class ManagerState: @unchecked Sendable {
    private let lock = NSLock()
    private var scopes: [String: RegionScope] = [:]
    private var passes: [String: (at: Date, writes: Int)] = [:]

    func regionScope(_ name: String) -> RegionScope { lock.withLock { scopes[name] ?? .none } }
    func setRegionScope(_ name: String, _ scope: RegionScope) { lock.withLock { scopes[name] = scope } }
    func recordPass(_ name: String, writes: Int, at: Date) { lock.withLock { passes[name] = (at, writes) } }
    func lastPasses() -> [String: (at: Date, writes: Int)] { lock.withLock { passes } }
    func forget(_ name: String) { lock.withLock { scopes[name] = nil; passes[name] = nil } }
}
