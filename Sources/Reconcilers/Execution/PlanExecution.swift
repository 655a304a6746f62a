import Foundation
import PDWire

/// What the executor reads in one pass over one cluster.
public struct ExecutionInput: Sendable {
    public var cluster: TiKVCluster
    public var snapshot: ClusterSnapshot
    /// Every plan of the cluster after this pass's planning.
    public var plans: [RemediationPlan]
    public var votes: [ApprovalVote]
    public var killSwitch: Bool
    /// Fresh placements of the regions named by the steps in progress (see `regionsToObserve`).
    public var regions: [UInt64: RegionPlacement]
    /// PD's latest operator on each of those regions (`GET /operators/{region}`); absent when PD has none.
    public var regionOperators: [UInt64: RegionOperatorObservation]
    /// The regions of each store a step about to start would take offline (see `storesToObserve`), read
    /// for this pass: the quorum gate judges them right before the call.
    public var storeRegions: [UInt64: [RegionPlacement]]
    public var actionsLastHour: Int
    public var now: Date
    public var maxSnapshotAge: TimeInterval

    public init(cluster: TiKVCluster, snapshot: ClusterSnapshot, plans: [RemediationPlan], votes: [ApprovalVote], killSwitch: Bool,
                regions: [UInt64: RegionPlacement] = [:], regionOperators: [UInt64: RegionOperatorObservation] = [:],
                storeRegions: [UInt64: [RegionPlacement]] = [:], actionsLastHour: Int = 0, now: Date, maxSnapshotAge: TimeInterval = 60) {
        self.cluster = cluster
        self.snapshot = snapshot
        self.plans = plans
        self.votes = votes
        self.killSwitch = killSwitch
        self.regions = regions
        self.regionOperators = regionOperators
        self.storeRegions = storeRegions
        self.actionsLastHour = actionsLastHour
        self.now = now
        self.maxSnapshotAge = maxSnapshotAge
    }
}

/// PD's latest operator on a region, as `GET /operators/{region}` reports it. PD answers with whatever ran
/// last there, from any producer (its balancers and checkers, a rejected admin POST, an operator it cancelled
/// as stale), so the executor recognises its own by what it is, not by when it appeared.
public struct RegionOperatorObservation: Sendable, Equatable {
    /// On PD's clock.
    public var createdAt: Date?
    /// SUCCESS, TIMEOUT, CANCEL, REPLACE: the operator is over.
    public var ended: Bool
    public var status: String
    /// PD's `desc`, e.g. `admin-transfer-leader`, `balance-leader-scheduler`.
    public var description: String
    /// The operator's kind includes `admin`: it came from the HTTP API, as the controller's do.
    public var isAdmin: Bool
    public var steps: [OperatorStep]

    public init(createdAt: Date?, ended: Bool, status: String, description: String = "", isAdmin: Bool = false,
                steps: [OperatorStep] = []) {
        self.createdAt = createdAt
        self.ended = ended
        self.status = status
        self.description = description
        self.isAdmin = isAdmin
        self.steps = steps
    }
}

/// A PD mutation to send now. Its intent (the step Running, attempt counted, request recorded) is in
/// the plan status of the same result, which the controller writes durably **before** sending.
public struct StepCall: Sendable, Equatable {
    public var plan: String
    public var step: Int
    public var action: Action
    public var call: PDCall
    public var attempt: Int
}

public struct ExecutionResult: Sendable, Equatable {
    public var plans: [RemediationPlan]
    public var calls: [StepCall]
    /// Regions whose PD operator must be cancelled (the kill switch stopped the plan that started it).
    public var cancelOperators: [UInt64]
    /// Tickets opened because a plan failed (escalation, queued for diagnosis).
    public var tickets: [Ticket]
    public var events: [Event]
    public var decisions: [String]
    /// How soon to look again while steps are in progress; nil when nothing is moving.
    public var requeueAfter: TimeInterval?
}

/// Moves plans forward one observation at a time: approval → gates → intent → (the controller sends)
/// → effect observed → next step. Done means observed; a gate that cannot decide blocks.
public enum PlanExecution {
    static func isRegionLevel(_ kind: ActionKind) -> Bool { kind == .transferLeader || kind == .transferPeer }

    /// The steps that may run now: the first step not done and, when it has a batch, every other
    /// not-done step of that batch (`PlanStep.batch`: batch n + 1 starts once batch n is observed done).
    /// The gates still cap how many are in flight.
    static func window(_ plan: RemediationPlan, _ steps: [StepStatus]) -> [Int] {
        let undone = plan.spec.steps.indices.filter { steps[$0].phase != .succeeded && steps[$0].phase != .skipped }
        guard let first = undone.first else { return [] }
        guard let batch = plan.spec.steps[first].batch else { return [first] }
        return undone.filter { plan.spec.steps[$0].batch == batch }
    }

    /// Regions whose placement the next pass must observe: those of steps running or about to start.
    public static func regionsToObserve(_ plans: [RemediationPlan], limits: Limits) -> [UInt64] {
        var ids: [UInt64] = []
        for plan in plans where !plan.status.phase.isTerminal {
            let steps = statuses(plan)
            // Running steps first (their effect must be checked), then the next ones up to the limit.
            let w = window(plan, steps)
            let running = w.filter { steps[$0].phase == .running }
            let next = w.filter { steps[$0].phase != .running }.prefix(max(0, limits.maxInFlightSteps - running.count))
            ids += (running + next).compactMap { plan.spec.steps[$0].action.regionID }
        }
        return Array(Set(ids)).sorted()
    }

    /// Stores whose regions the next pass must read because a step that takes the store offline may start:
    /// its quorum gate is judged on them right before the call, never on an older planning read.
    public static func storesToObserve(_ plans: [RemediationPlan]) -> [UInt64] {
        var ids: [UInt64] = []
        for plan in plans where !plan.status.phase.isTerminal {
            let steps = statuses(plan)
            ids += window(plan, steps).filter { steps[$0].phase != .running && plan.spec.steps[$0].action.kind == .offlineStore }
                .compactMap { plan.spec.steps[$0].action.storeID }
        }
        return Array(Set(ids)).sorted()
    }

    /// The planner's own `Blocked` condition (not enough stores, quorum at risk, a precondition not yet
    /// checkable…): while it stands, the plan starts nothing.
    static func plannerBlock(_ plan: RemediationPlan) -> Condition? {
        guard let b = plan.status.conditions[type: "Blocked"], b.status == .true, PlanIdentity.plannerBlockReasons.contains(b.reason) else {
            return nil
        }
        return b
    }

    public static func advance(_ input: ExecutionInput) -> ExecutionResult {
        var result = ExecutionResult(plans: [], calls: [], cancelOperators: [], tickets: [], events: [], decisions: [], requeueAfter: nil)
        let spec = input.cluster.spec
        var inFlight = input.plans.reduce(0) { n, p in
            n + statuses(p).enumerated().filter { i, s in
                s.phase == .running && i < p.spec.steps.count && p.spec.steps[i].action.kind.mutates
            }.count
        }
        var actions = input.actionsLastHour
        let byName = Dictionary(input.plans.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

        for original in input.plans.sorted(by: { $0.name < $1.name }) {
            guard !original.status.phase.isTerminal else {
                result.plans.append(cleanUp(original, input: input, plans: input.plans, result: &result))
                continue
            }
            var plan = original
            plan.status.steps = statuses(plan)
            let gen = plan.metadata.generation
            let now = input.now

            // The kill switch cancels every plan that has not ended, and what it started in PD.
            if input.killSwitch {
                for (i, s) in plan.status.steps.enumerated() where s.phase == .running {
                    let a = plan.spec.steps[i].action
                    if isRegionLevel(a.kind), let r = a.regionID { result.cancelOperators.append(r) }
                    plan.status.steps[i].phase = .failed
                    plan.status.steps[i].lastError = "cancelled by the kill switch"
                    plan.status.steps[i].finishedAt = now
                }
                plan.status.phase = .cancelled
                plan.status.conditions.set("Progressing", .false, reason: "Cancelled", message: "cancelled by the kill switch; it does not resume by itself",
                                           observedGeneration: gen, now: now)
                plan.status.conditions.set("Blocked", .true, reason: Gate.killSwitch.rawValue, message: "the kill switch is on",
                                           observedGeneration: gen, now: now)
                result.decisions.append("plan \(plan.name): cancelled by the kill switch")
                result.plans.append(plan)
                continue
            }

            let verdict = ApprovalEvaluator.evaluate(plan: plan, policy: spec.approval, votes: input.votes, now: now)
            plan.status.conditions.set("Approved", verdict.isApproved ? .true : .false, reason: verdict.reason, message: verdict.message,
                                       observedGeneration: gen, now: now)
            if case .rejected = verdict.outcome {
                plan.status.phase = .rejected
                plan.status.conditions.set("Progressing", .false, reason: "Rejected", message: verdict.message, observedGeneration: gen, now: now)
                result.plans.append(plan)
                continue
            }
            if verdict.isApproved && plan.status.phase == .pending { plan.status.phase = .approved }

            // Waits that are not gates: other plans first, and a start time.
            if let waiting = plan.spec.after.first(where: { byName[$0]?.status.phase != .succeeded }) {
                let phase = byName[waiting]?.status.phase.rawValue ?? "missing"
                block(&plan, "WaitingForPlan", "waits for plan \(waiting) to succeed (it is \(phase))", now: now)
                result.plans.append(plan)
                continue
            }
            if let notBefore = plan.spec.notBefore, notBefore > now {
                block(&plan, "NotBefore", "does not start before \(notBefore)", now: now)
                result.requeueAfter = min(result.requeueAfter ?? .infinity, notBefore.timeIntervalSince(now))
                result.plans.append(plan)
                continue
            }

            // A plan its planner marked blocked does not start, even once approved: its blocker is the reason to wait.
            // (Planners never rewrite an Executing plan, so its gates, re-checked before every call, take over.)
            if plan.status.phase != .executing, let b = plannerBlock(plan) {
                result.decisions.append("plan \(plan.name): blocked by its planner (\(b.reason)): \(b.message)")
                result.plans.append(plan)
                continue
            }

            // Every move of a started plan still waiting for its turn whose target is no longer legal is dropped
            // now, not only when its window comes: a balance plan of a hundred moves towards a store that died
            // otherwise kept them pending (visible as work aimed at a dead store) for as many passes as windows
            // before it, and the planners could not answer what is left. Same rule and reason as the gate's drop
            // below; nothing is sent, and running steps are left to their effect or timeout.
            // Only on a complete, fresh observation: a failed store list must never read as "every target is gone".
            if plan.status.phase == .executing, spec.mode == .execute, !spec.paused, input.snapshot.isComplete,
               input.snapshot.isFresh(at: now, maxAge: input.maxSnapshotAge) {
                let legality = TargetLegality(snapshot: input.snapshot, now: now)
                for i in plan.spec.steps.indices where plan.status.steps[i].phase == .pending {
                    let action = plan.spec.steps[i].action
                    // The region only when this pass read it; the placement rules are then judged on it too.
                    guard isRegionLevel(action.kind), let to = action.toStoreID,
                          let refusal = legality.targetRefusal(action, region: action.regionID.flatMap { input.regions[$0] }) else { continue }
                    plan.status.steps[i].phase = .skipped
                    plan.status.steps[i].observedEffect = "dropped before any call: target store \(to) is no longer legal (\(refusal.rule): \(refusal.text))"
                    plan.status.steps[i].finishedAt = now
                    plan.status.steps[i].nextRetry = nil
                    result.decisions.append("plan \(plan.name) step \(plan.spec.steps[i].name): \(plan.status.steps[i].observedEffect ?? "dropped")")
                }
            }

            var blocked: (String, String)?
            var moving = false
            // When every step of the window is observed done, the next window may start in the same pass.
            var rounds = 0
            windows: while rounds <= plan.spec.steps.count {
                rounds += 1
                let current = window(plan, plan.status.steps)
                if current.isEmpty { break }
                stepLoop: for i in current {
                    let step = plan.spec.steps[i]
                    var s = plan.status.steps[i]
                    let region = step.action.regionID.flatMap { input.regions[$0] }

                    if s.phase == .running {
                        let effect = StepEffect.check(step.action, snapshot: input.snapshot, region: region)
                        if case .holds(let why) = effect {
                            s.phase = .succeeded
                            s.observedEffect = why
                            s.finishedAt = now
                            s.nextRetry = nil
                            plan.status.steps[i] = s
                            inFlight -= step.action.kind.mutates ? 1 : 0
                            result.decisions.append("plan \(plan.name) step \(step.name): done, observed: \(why)")
                            continue
                        }
                        // A wait that nothing drives any more fails at once: retrying it cannot help, and the planners
                        // answer from what is observed (a drain that leaned on PD's eviction gets its own scheduler).
                        if let why = WaitPremise.broken(step.action, snapshot: input.snapshot, now: now, maxSnapshotAge: input.maxSnapshotAge) {
                            s.phase = .failed
                            s.lastError = why
                            s.finishedAt = now
                            s.nextRetry = nil
                            plan.status.steps[i] = s
                            plan.status.phase = .failed
                            plan.status.conditions.set("Failed", .true, reason: "NothingEvicts", message: "step \(step.name): \(why)",
                                                       observedGeneration: gen, now: now)
                            plan.status.conditions.set("Progressing", .false, reason: "Failed", message: why, observedGeneration: gen, now: now)
                            result.decisions.append("plan \(plan.name): failed at step \(step.name): \(why)")
                            break windows
                        }
                        let started = s.startedAt ?? now
                        let limit = timeout(step, spec.execution)
                        // Resume by observation (after a crash, or a call lost on the way): PD's latest
                        // operator on the region says whether this attempt reached PD and how it ended.
                        if isRegionLevel(step.action.kind), let id = step.action.regionID, let region,
                           let verdict = attemptVerdict(input.regionOperators[id], action: step.action, startedAt: started, now: now,
                                                        pdClockOffset: input.snapshot.pdClockOffset, region: region) {
                            inFlight -= 1
                            if verdict.neverArrived, (s.lostCalls ?? 0) < maxLostCalls {
                                // Not PD's failure: retry at once, without spending one of the step's attempts.
                                s.lostCalls = (s.lostCalls ?? 0) + 1
                                s.attempts = max(0, s.attempts - 1)
                                s.phase = .pending
                                s.lastError = verdict.reason
                                s.nextRetry = nil
                                plan.status.steps[i] = s
                                result.decisions.append("plan \(plan.name) step \(step.name): \(verdict.reason); sending it again")
                                result.requeueAfter = min(result.requeueAfter ?? .infinity, 0.5)
                                continue
                            }
                            if failAttempt(&plan, i, verdict.reason, policy: spec.execution.retry, now: now, result: &result) { break windows }
                            continue
                        }
                        if now.timeIntervalSince(started) > limit {
                            let reason = "no effect observed within \(Int(limit))s (\(effectText(effect)))"
                            inFlight -= step.action.kind.mutates ? 1 : 0
                            if failAttempt(&plan, i, reason, policy: spec.execution.retry, now: now, result: &result) { break windows }
                            continue
                        }
                        s.observedEffect = effectText(effect)
                        plan.status.steps[i] = s
                        moving = true
                        continue
                    }

                    // Pending (or Failed earlier but retried): wait out the backoff first.
                    if let retryAt = s.nextRetry, retryAt > now {
                        result.requeueAfter = min(result.requeueAfter ?? .infinity, retryAt.timeIntervalSince(now))
                        blocked = ("RetryBackoff", "step \(step.name) retries at \(retryAt) after: \(s.lastError ?? "a failure")")
                        continue
                    }
                    if !step.action.kind.mutates {
                        // A wait step starts by itself once the steps before it are done; it still needs the plan approved.
                        guard verdict.isApproved, spec.mode == .execute, !spec.paused else {
                            blocked = gateBlock(input, plan: plan, step: step, verdict: verdict, inFlight: inFlight, actions: actions, region: region)
                            break
                        }
                        s.phase = .running
                        s.startedAt = now
                        s.attempts += 1
                        plan.status.steps[i] = s
                        plan.status.phase = .executing
                        moving = true
                        result.decisions.append("plan \(plan.name) step \(step.name): waiting — \(step.action.summary)")
                        continue
                    }

                    let storeRegions = step.action.kind == .offlineStore ? step.action.storeID.flatMap { input.storeRegions[$0] } : nil
                    let gates = GateInput(killSwitch: false, spec: spec, snapshot: input.snapshot, maxSnapshotAge: input.maxSnapshotAge,
                                          approval: verdict, inFlightSteps: inFlight, actionsLastHour: actions, step: step,
                                          region: region, storeRegions: storeRegions, now: now)
                    switch Gates.evaluate(gates) {
                    case .alreadyDone(let why):
                        s.phase = .skipped
                        s.observedEffect = "already held before any call: \(why)"
                        s.finishedAt = now
                        plan.status.steps[i] = s
                        result.decisions.append("plan \(plan.name) step \(step.name): skipped, \(why)")
                        continue
                    case .blocked(let gate, let why):
                        if gate == .mode, spec.mode == .dryRun {
                            recordDryRun(&plan)
                        }
                        // A leader or peer move whose target is no longer legal is dropped at once, not retried
                        // into PD's refusal: the rest of the plan goes on, and the planners answer what is left.
                        if gate == .preconditions, isRegionLevel(step.action.kind), let to = step.action.toStoreID,
                           let refusal = TargetLegality(snapshot: input.snapshot, now: now).targetRefusal(step.action, region: region) {
                            s.phase = .skipped
                            s.observedEffect = "dropped before any call: target store \(to) is no longer legal (\(refusal.rule): \(refusal.text))"
                            s.finishedAt = now
                            plan.status.steps[i] = s
                            result.decisions.append("plan \(plan.name) step \(step.name): \(s.observedEffect ?? "dropped")")
                            continue
                        }
                        // A started plan whose next step's precondition has not held for a whole step
                        // timeout no longer fits the cluster (e.g. its target store is gone): it fails, and
                        // the planners propose a fresh plan from what is observed now.
                        if gate == .preconditions, plan.status.phase == .executing,
                           let since = plan.status.conditions[type: "Blocked"].flatMap({ $0.status == .true && $0.reason == Gate.preconditions.rawValue ? $0.lastTransitionTime : nil }),
                           now.timeIntervalSince(since) > timeout(step, spec.execution) {
                            s.phase = .failed
                            s.lastError = "precondition did not hold for \(Int(timeout(step, spec.execution)))s: \(why)"
                            s.finishedAt = now
                            plan.status.steps[i] = s
                            plan.status.phase = .failed
                            plan.status.conditions.set("Failed", .true, reason: "PreconditionNeverHeld", message: s.lastError ?? why,
                                                       observedGeneration: gen, now: now)
                            plan.status.conditions.set("Progressing", .false, reason: "Failed", message: why, observedGeneration: gen, now: now)
                            result.decisions.append("plan \(plan.name): failed, \(s.lastError ?? why)")
                            break windows
                        }
                        // A target at its store limit waits for PD's tokens; the window's other steps go on.
                        if gate == .storeLimit {
                            blocked = (gate.rawValue, why)
                            if let wait = Gates.storeLimitWait(gates) {
                                result.requeueAfter = min(result.requeueAfter ?? .infinity, max(1, wait.seconds))
                            }
                            continue
                        }
                        blocked = (gate.rawValue, why)
                        break windows
                    case .pass:
                        guard let call = PDCall.forAction(step.action) else {
                            // A mutating step without its parameters can never be sent: it fails, instead of stalling.
                            let reason = "the step's action lacks \(step.action.missingParameters.joined(separator: ", ")): it can never be sent"
                            s.phase = .failed
                            s.lastError = reason
                            s.finishedAt = now
                            plan.status.steps[i] = s
                            plan.status.phase = .failed
                            plan.status.conditions.set("Failed", .true, reason: "StepInvalid", message: "step \(step.name): \(reason)",
                                                       observedGeneration: gen, now: now)
                            plan.status.conditions.set("Progressing", .false, reason: "Failed", message: reason, observedGeneration: gen, now: now)
                            result.decisions.append("plan \(plan.name) step \(step.name): failed, \(reason)")
                            break windows
                        }
                        s.phase = .running
                        s.startedAt = now
                        s.attempts += 1
                        s.nextRetry = nil
                        s.pdRequest = call.description
                        s.observedEffect = nil
                        plan.status.steps[i] = s
                        plan.status.phase = .executing
                        inFlight += 1
                        actions += 1
                        moving = true
                        result.calls.append(StepCall(plan: plan.name, step: i, action: step.action, call: call, attempt: s.attempts))
                        result.decisions.append("plan \(plan.name) step \(step.name): sending \(call) (attempt \(s.attempts))")
                    }
                }
                if !current.allSatisfy({ plan.status.steps[$0].phase == .succeeded || plan.status.steps[$0].phase == .skipped }) { break }
            }

            if plan.status.phase == .failed {
                result.tickets.append(escalation(plan, input: input))
            } else if plan.status.steps.allSatisfy({ $0.phase == .succeeded || $0.phase == .skipped }) {
                plan.status.phase = .succeeded
                plan.status.conditions.set("Succeeded", .true, reason: "EffectsObserved", message: "every step's effect was observed",
                                           observedGeneration: gen, now: now)
                plan.status.conditions.set("Progressing", .false, reason: "Succeeded", message: "done", observedGeneration: gen, now: now)
                plan.status.conditions.set("Blocked", .false, reason: "NotBlocked", message: "", observedGeneration: gen, now: now)
                result.decisions.append("plan \(plan.name): succeeded, every effect observed")
            } else if let (reason, message) = blocked, !moving {
                block(&plan, reason, message, now: now)
            } else {
                plan.status.conditions.set("Blocked", .false, reason: "NotBlocked", message: "", observedGeneration: gen, now: now)
                if moving {
                    let done = plan.status.steps.filter { $0.phase == .succeeded || $0.phase == .skipped }.count
                    plan.status.conditions.set("Progressing", .true, reason: "StepsRunning",
                                               message: "\(done)/\(plan.spec.steps.count) step(s) done", observedGeneration: gen, now: now)
                    result.requeueAfter = min(result.requeueAfter ?? .infinity, 2)
                }
            }
            result.plans.append(plan)
        }
        return result
    }

    /// Nothing left behind: a plan that ended without success (failed, cancelled, rejected, superseded)
    /// and had started adding a store to the evict-leader scheduler removes it again, unless another
    /// plan that ran or runs still wants that store evicted. Only in `execute` mode, with the kill
    /// switch off and a complete observation; repeated each pass while PD still shows the store evicted.
    static func cleanUp(_ plan: RemediationPlan, input: ExecutionInput, plans: [RemediationPlan], result: inout ExecutionResult) -> RemediationPlan {
        guard plan.status.phase != .succeeded else { return plan }
        let spec = input.cluster.spec
        let statuses = statuses(plan)
        let owned = plan.spec.steps.indices.filter { i in
            plan.spec.steps[i].action.kind == .addEvictLeaderScheduler && statuses[i].attempts > 0
        }.compactMap { plan.spec.steps[$0].action.storeID }
        guard !owned.isEmpty, input.snapshot.isComplete else { return plan }
        var updated = plan
        for store in owned where input.snapshot.schedulers.evictLeaderStores.contains(store) {
            let wanted = plans.contains { other in
                other.name != plan.name && (other.status.phase == .succeeded || !other.status.phase.isTerminal)
                    && other.spec.steps.contains { $0.action.kind == .addEvictLeaderScheduler && $0.action.storeID == store }
            }
            guard !wanted else { continue }
            guard !input.killSwitch, spec.mode == .execute else { continue }
            let action = Action.store(.removeEvictLeaderScheduler, store)
            guard let call = PDCall.forAction(action) else { continue }
            result.calls.append(StepCall(plan: plan.name, step: -1, action: action, call: call, attempt: 0))
            updated.status.cleanup = "removing evict-leader-scheduler-\(store) created by this plan, which ended \(plan.status.phase.rawValue)"
            result.decisions.append("plan \(plan.name): \(updated.status.cleanup ?? "")")
        }
        if let note = updated.status.cleanup, note.hasPrefix("removing"),
           !owned.contains(where: { input.snapshot.schedulers.evictLeaderStores.contains($0) }) {
            updated.status.cleanup = "removed the evict-leader scheduler entries this plan created (observed)"
        }
        return updated
    }

    /// Records what PD answered to a call. A refusal (PD answered with an error) provably did nothing,
    /// so the attempt fails at once; a transport error may have reached PD, so the step stays Running
    /// and the effect (or the step's timeout) decides.
    public static func recordOutcome(_ plan: RemediationPlan, step i: Int, refused: String?, unknownOutcome: String?,
                                     policy: ExecutionPolicy, now: Date) -> (RemediationPlan, failedFinally: Bool) {
        var plan = plan
        guard i < plan.status.steps.count else { return (plan, false) }
        if let refused {
            var scratch = ExecutionResult(plans: [], calls: [], cancelOperators: [], tickets: [], events: [], decisions: [], requeueAfter: nil)
            let final = failAttempt(&plan, i, "PD refused: \(refused)", policy: policy.retry, now: now, result: &scratch)
            return (plan, final)
        }
        if let unknownOutcome { plan.status.steps[i].lastError = "outcome unknown (\(unknownOutcome)); watching for the effect" }
        return (plan, false)
    }

    /// Fails one attempt; returns true when the step (and so the plan) has failed for good.
    @discardableResult
    static func failAttempt(_ plan: inout RemediationPlan, _ i: Int, _ reason: String, policy: RetryPolicy, now: Date,
                            result: inout ExecutionResult) -> Bool {
        var s = plan.status.steps[i]
        s.lastError = reason
        s.finishedAt = now
        let gen = plan.metadata.generation
        if s.attempts >= policy.maxAttempts {
            s.phase = .failed
            s.nextRetry = nil
            plan.status.steps[i] = s
            plan.status.phase = .failed
            plan.status.conditions.set("Failed", .true, reason: "StepFailed",
                                       message: "step \(plan.spec.steps[i].name) failed after \(s.attempts) attempt(s): \(reason)",
                                       observedGeneration: gen, now: now)
            plan.status.conditions.set("Progressing", .false, reason: "Failed", message: reason, observedGeneration: gen, now: now)
            result.decisions.append("plan \(plan.name): failed at step \(plan.spec.steps[i].name): \(reason)")
            return true
        }
        s.phase = .pending
        s.nextRetry = now.addingTimeInterval(retryDelay(attempt: s.attempts, policy: policy, plan: plan.name, step: i))
        plan.status.steps[i] = s
        result.decisions.append("plan \(plan.name) step \(plan.spec.steps[i].name): attempt \(s.attempts) failed (\(reason)); retry at \(s.nextRetry.map { "\($0)" } ?? "?")")
        return false
    }

    /// base · factor^(attempt−1), capped, with ±25 % jitter drawn deterministically from the plan and
    /// step, so a restart computes the same retry time and many plans do not retry in lockstep.
    static func retryDelay(attempt: Int, policy: RetryPolicy, plan: String, step: Int) -> TimeInterval {
        let base = Double(policy.baseDelay.nanoseconds) / 1e9
        let cap = Double(policy.maxDelay.nanoseconds) / 1e9
        let raw = min(cap, base * pow(policy.factor, Double(max(0, attempt - 1))))
        let seed = ContentHash.hex(of: Data("\(plan)/\(step)/\(attempt)".utf8))
        let unit = Double(UInt64(seed.prefix(8), radix: 16) ?? 0) / Double(UInt32.max)
        return raw * (0.75 + 0.5 * unit)
    }

    /// How long after its intent a region step's operator must be visible in PD before the attempt
    /// counts as never sent (the controller died between the intent and the call, or the call was lost).
    public static let operatorVisibleWithin: TimeInterval = 10
    /// Allowed skew between PD's clock and the controller's when comparing an operator's creation time.
    static let clockSlack: TimeInterval = 2

    /// Calls lost between intent and PD before the step fails anyway (a controller that keeps dying).
    public static let maxLostCalls = 20

    /// nil while the attempt may still take effect; otherwise why it provably ended without effect, and
    /// whether it never reached PD at all. A successful operator always waits for its effect (PD marks
    /// success once the region reports it, so the effect shows in the next read); only this attempt's operator
    /// ending otherwise, or no trace of the attempt at all well after the intent, ends the attempt.
    static func attemptVerdict(_ op: RegionOperatorObservation?, action: Action, startedAt: Date, now: Date,
                               pdClockOffset: TimeInterval?, region: RegionPlacement) -> (reason: String, neverArrived: Bool)? {
        if let op, isThisAttempt(op, action: action, startedAt: startedAt, pdClockOffset: pdClockOffset) {
            guard op.ended, op.status.uppercased() != "SUCCESS" else { return nil }
            return ("PD's operator for this attempt ended \(op.status) without the expected effect", false)
        }
        guard now.timeIntervalSince(startedAt) > operatorVisibleWithin else { return nil }
        // No operator of this attempt: PD never got the call, or forgot it (a PD leader change drops operators and
        // their records). What PD may have started shows in the region itself: then nothing is sent again, and the
        // effect or the step's timeout decides.
        if partialTrace(action, region) != nil { return nil }
        return op == nil
            ? ("PD shows no operator on the region \(Int(operatorVisibleWithin))s after the intent and the region shows no trace of it: the call never took effect", true)
            : ("PD's latest operator on the region is not this attempt's (\(op.map(\.description) ?? "")) and the region shows no trace of it: the call never took effect", true)
    }

    /// The controller's own operator for this attempt: an admin operator whose steps name the step's target, created
    /// (on PD's clock, brought to ours) no earlier than the attempt. A PD checker's or balancer's operator, or an
    /// older admin one, is someone else's.
    static func isThisAttempt(_ op: RegionOperatorObservation, action: Action, startedAt: Date, pdClockOffset: TimeInterval?) -> Bool {
        guard op.isAdmin, let to = action.toStoreID else { return false }
        let namesTarget = op.steps.contains { step in
            switch (action.kind, step) {
            case (.transferLeader, .transferLeader(_, let target)): target == to
            case (.transferPeer, .addLearner(_, let store)), (.transferPeer, .addPeer(_, let store)): store == to
            default: false
            }
        }
        guard namesTarget, let created = op.createdAt else { return false }
        return created.addingTimeInterval(-(pdClockOffset ?? 0)) >= startedAt.addingTimeInterval(-clockSlack)
    }

    /// What a move leaves in its region before it completes: a learner (or voter) already on the target, or a
    /// membership change in progress. A leader transfer leaves nothing partial.
    static func partialTrace(_ action: Action, _ region: RegionPlacement) -> String? {
        guard action.kind == .transferPeer, let to = action.toStoreID else { return nil }
        if region.inJointState { return "region \(region.id) is in a joint state" }
        if region.storeIDs.contains(to) { return "region \(region.id) already has a peer on store \(to)" }
        return nil
    }

    static func timeout(_ step: PlanStep, _ policy: ExecutionPolicy) -> TimeInterval {
        let own = Double(step.timeout.nanoseconds) / 1e9
        guard step.action.kind.mutates else { return own > 0 ? own : Double(policy.slowStepTimeout.nanoseconds) / 1e9 }
        let floor = Double((step.action.kind.isSlow ? policy.slowStepTimeout : policy.fastStepTimeout).nanoseconds) / 1e9
        return max(own, floor)
    }

    static func statuses(_ plan: RemediationPlan) -> [StepStatus] {
        let names = plan.spec.steps.map(\.name)
        if plan.status.steps.map(\.name) == names { return plan.status.steps }
        return names.map { StepStatus(name: $0) }
    }

    static func effectText(_ v: StepEffect.Verdict) -> String {
        switch v {
        case .holds(let s), .notYet(let s), .unknown(let s): s
        }
    }

    static func block(_ plan: inout RemediationPlan, _ reason: String, _ message: String, now: Date) {
        let gen = plan.metadata.generation
        plan.status.conditions.set("Blocked", .true, reason: reason, message: message, observedGeneration: gen, now: now)
        plan.status.conditions.set("Progressing", .false, reason: reason, message: message, observedGeneration: gen, now: now)
    }

    private static func gateBlock(_ input: ExecutionInput, plan: RemediationPlan, step: PlanStep, verdict: ApprovalVerdict,
                                  inFlight: Int, actions: Int, region: RegionPlacement?) -> (String, String)? {
        let g = GateInput(killSwitch: false, spec: input.cluster.spec, snapshot: input.snapshot, maxSnapshotAge: input.maxSnapshotAge,
                          approval: verdict, inFlightSteps: inFlight, actionsLastHour: actions, step: step, region: region, now: input.now)
        if case .blocked(let gate, let why) = Gates.evaluate(g) { return (gate.rawValue, why) }
        return nil
    }

    /// dryRun: every mutating step shows the exact request it would send; nothing is sent.
    static func recordDryRun(_ plan: inout RemediationPlan) {
        for (i, step) in plan.spec.steps.enumerated() {
            if let call = PDCall.forAction(step.action) { plan.status.steps[i].pdRequest = "dry run, not sent: \(call)" }
        }
    }

    static func escalation(_ plan: RemediationPlan, input: ExecutionInput) -> Ticket {
        let message = plan.status.conditions[type: "Failed"]?.message ?? "the plan failed"
        var t = Ticket(metadata: ObjectMeta(name: "\(plan.spec.cluster)-planfailed-\(plan.name)".prefix(253).description),
                       spec: TicketSpec(cluster: plan.spec.cluster, invariant: "planFailed", subject: "plan/\(plan.name)",
                                        severity: .warning, summary: "plan \(plan.name) failed: \(message)"))
        t.status.state = .open
        t.status.firstSeen = input.now
        t.status.lastSeen = input.now
        t.status.plan = plan.name
        t.status.conditions.set("Open", .true, reason: "PlanFailed", message: message, observedGeneration: 0, now: input.now)
        return t
    }
}
