import Foundation

/// A mutating step passes the safety gates (`GateOrder`, then its subject's own) right before its call, on this
/// pass's snapshot and reads. Past them the send stage may send; otherwise, by what held it:
/// - its effect already holds: skipped, nothing sent;
/// - `Mode` in dryRun: every mutating step records the exact request it would send;
/// - (TiKV, `TiKVSubject.whenHeld`) `Preconditions` because the move's target is no longer legal: dropped
///   (`IllegalTargetSweep`'s rule and text);
/// - `Preconditions` held a started plan for a whole step timeout: the plan no longer fits the cluster and fails;
/// - (TiKV) `StoreLimit`: the step waits for PD's tokens and the window's other steps go on;
/// - any other gate: the plan waits at it, and no later step is looked at in this pass.
enum GateStage {
    static func run<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ at: SubjectWindowStep<S>, _ input: SubjectExecutionInput<S>) -> StepFlow {
        switch GateOrder.evaluate(gateInput(pass, at, input)) {
        case .pass:
            return .next
        case .alreadyDone(let why):
            pass.plan.status.steps[at.index].skipAlreadyDone(why, now: input.now)
            pass.decide("Step skipped", step: at.step.name, ["reason": why])
            return .nextStep
        case .blocked(let gate, let why):
            return blocked(&pass, at, input, gate: gate, why: why)
        }
    }

    /// What the gates read for the step; `killSwitch` is off here, as the kill switch stage already cancelled the plan.
    static func gateInput<S: ExecutedSubject>(_ pass: SubjectPlanPass<S>, _ at: SubjectWindowStep<S>, _ input: SubjectExecutionInput<S>) -> SubjectGateInput<S> {
        let settings = input.settings
        return SubjectGateInput(killSwitch: false, mode: settings.mode, paused: settings.paused, maintenanceWindows: settings.maintenanceWindows,
                                limits: settings.limits, snapshot: input.snapshot, maxSnapshotAge: input.maxSnapshotAge, approval: pass.approval,
                                inFlightSteps: pass.inFlight, actionsLastHour: pass.actions, action: at.step.action, reads: at.reads, now: input.now)
    }

    static func blocked<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ at: SubjectWindowStep<S>, _ input: SubjectExecutionInput<S>,
                                            gate: Gate, why: String) -> StepFlow {
        let i = at.index, step = at.step, now = input.now, settings = input.settings
        if gate == .mode, settings.mode == .dryRun {
            recordDryRun(&pass.plan)
        }
        // The subject's own answers first (TiKV: a move whose target is no longer legal is dropped; a target at its
        // store limit waits for PD's tokens while the window's other steps go on).
        if let flow = S.whenHeld(&pass, at, input, gate: gate, why: why) { return flow }
        // A started plan whose next step's precondition has not held for a whole step
        // timeout no longer fits the cluster (e.g. its target store is gone): it fails, and
        // the planners propose a fresh plan from what is observed now.
        let limit = PlanExecution.timeout(step, settings.execution)
        if gate == .preconditions, pass.plan.status.phase == .executing, let since = preconditionsBlockedSince(pass.plan),
           now.timeIntervalSince(since) > limit {
            let error = "precondition did not hold for \(Int(limit))s: \(why)"
            pass.plan.fail(step: i, error: error, reason: .preconditionNeverHeld, failedMessage: error, progressingMessage: why, now: now)
            pass.decide("Plan failed", step: pass.plan.spec.steps[i].name, ["error": error])
            return .stopPlan
        }
        pass.blocker = Blocker(gate, why)
        return .stopPlan
    }

    /// Since when the plan has been `Blocked` at the preconditions gate, if it is now.
    static func preconditionsBlockedSince<S>(_ plan: SubjectPlan<S>) -> Date? {
        guard let b = plan.status.conditions[type: .blocked], b.status == .true, b.reason == Gate.preconditions.rawValue else { return nil }
        return b.lastTransitionTime
    }

    /// dryRun: every mutating step shows the exact request it would send; nothing is sent.
    static func recordDryRun<S: Subject>(_ plan: inout SubjectPlan<S>) {
        for (i, step) in plan.spec.steps.enumerated() {
            if let call = S.request(for: step.action) { plan.status.steps[i].pdRequest = "dry run, not sent: \(call)" }
        }
    }
}
