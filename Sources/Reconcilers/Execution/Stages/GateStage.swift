import Foundation

/// A mutating step passes the safety gates (`Gates`) right before its call, on this pass's snapshot, region and
/// store reads. Past them the send stage may send; otherwise, by what held it:
/// - its effect already holds: skipped, nothing sent;
/// - `Mode` in dryRun: every mutating step records the exact request it would send;
/// - `Preconditions` because the move's target is no longer legal: dropped (`IllegalTargetSweep`'s rule and text);
/// - `Preconditions` held a started plan for a whole step timeout: the plan no longer fits the cluster and fails;
/// - `StoreLimit`: the step waits for PD's tokens and the window's other steps go on;
/// - any other gate: the plan waits at it, and no later step is looked at in this pass.
enum GateStage {
    static func run(_ pass: inout PlanPass, _ at: WindowStep, _ input: ExecutionInput) -> StepFlow {
        let gates = gateInput(pass, at, input)
        switch Gates.evaluate(gates) {
        case .pass:
            return .next
        case .alreadyDone(let why):
            pass.plan.status.steps[at.index].skipAlreadyDone(why, now: input.now)
            pass.decide("plan \(pass.plan.name) step \(at.step.name): skipped, \(why)")
            return .nextStep
        case .blocked(let gate, let why):
            return blocked(&pass, at, input, gate: gate, why: why, gates: gates)
        }
    }

    static func gateInput(_ pass: PlanPass, _ at: WindowStep, _ input: ExecutionInput) -> GateInput {
        let action = at.step.action
        let storeRegions = action.kind == .offlineStore ? action.storeID.flatMap { input.storeRegions[$0] } : nil
        return GateInput(killSwitch: false, spec: input.cluster.spec, snapshot: input.snapshot, maxSnapshotAge: input.maxSnapshotAge,
                         approval: pass.approval, inFlightSteps: pass.inFlight, actionsLastHour: pass.actions, step: at.step,
                         region: at.region, storeRegions: storeRegions, now: input.now)
    }

    static func blocked(_ pass: inout PlanPass, _ at: WindowStep, _ input: ExecutionInput, gate: Gate, why: String, gates: GateInput) -> StepFlow {
        let i = at.index, step = at.step, now = input.now, spec = input.cluster.spec
        if gate == .mode, spec.mode == .dryRun {
            recordDryRun(&pass.plan)
        }
        // A leader or peer move whose target is no longer legal is dropped at once, not retried
        // into PD's refusal: the rest of the plan goes on, and the planners answer what is left.
        if gate == .preconditions, PlanExecution.isRegionLevel(step.action.kind), let to = step.action.toStoreID,
           let refusal = TargetLegality(snapshot: input.snapshot, now: now).targetRefusal(step.action, region: at.region) {
            pass.plan.status.steps[i].phase = .skipped
            pass.plan.status.steps[i].observedEffect = IllegalTargetSweep.dropped(to: to, refusal)
            pass.plan.status.steps[i].finishedAt = now
            pass.decide("plan \(pass.plan.name) step \(step.name): \(pass.plan.status.steps[i].observedEffect ?? "dropped")")
            return .nextStep
        }
        // A started plan whose next step's precondition has not held for a whole step
        // timeout no longer fits the cluster (e.g. its target store is gone): it fails, and
        // the planners propose a fresh plan from what is observed now.
        let limit = PlanExecution.timeout(step, spec.execution)
        if gate == .preconditions, pass.plan.status.phase == .executing, let since = preconditionsBlockedSince(pass.plan),
           now.timeIntervalSince(since) > limit {
            let error = "precondition did not hold for \(Int(limit))s: \(why)"
            pass.plan.fail(step: i, error: error, reason: .preconditionNeverHeld, failedMessage: error, progressingMessage: why, now: now)
            pass.decide("plan \(pass.plan.name): failed, \(error)")
            return .stopPlan
        }
        // A target at its store limit waits for PD's tokens; the window's other steps go on.
        if gate == .storeLimit {
            pass.blocker = Blocker(gate, why)
            if let wait = Gates.storeLimitWait(gates) {
                pass.requeue(after: max(1, wait.seconds))
            }
            return .nextStep
        }
        pass.blocker = Blocker(gate, why)
        return .stopPlan
    }

    /// Since when the plan has been `Blocked` at the preconditions gate, if it is now.
    static func preconditionsBlockedSince(_ plan: RemediationPlan) -> Date? {
        guard let b = plan.status.conditions[type: .blocked], b.status == .true, b.reason == Gate.preconditions.rawValue else { return nil }
        return b.lastTransitionTime
    }

    /// dryRun: every mutating step shows the exact request it would send; nothing is sent.
    static func recordDryRun(_ plan: inout RemediationPlan) {
        for (i, step) in plan.spec.steps.enumerated() {
            if let call = PDCall.forAction(step.action) { plan.status.steps[i].pdRequest = "dry run, not sent: \(call)" }
        }
    }
}
