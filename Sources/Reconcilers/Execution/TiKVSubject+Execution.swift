import Foundation

/// TiKV's stages, in order, and its answers where the core's stages leave room for the subject.
extension TiKVSubject: ExecutedSubject {
    static let planStages: [PlanExecution.PlanStage<TiKVSubject>] = [
        EndedPlanCleanup.run,     // an ended plan only removes the evict-leader scheduler it added
        KillSwitchStage.run,      // cancel on the kill switch
        ApprovalStage.run,        // apply the approvals; a rejection ends the plan
        DependencyStage.run,      // wait for other plans, the start time, the planner's blocker
        IllegalTargetSweep.run,   // (TiKV) drop waiting moves whose target is no longer legal
        StepWindows.run,          // the current window's steps through `stepStages`, window after window
        OutcomeStage.run,         // failed, succeeded, blocked or progressing
    ]

    static let stepStages: [PlanExecution.StepStage<TiKVSubject>] = [
        RunningStepStage.run,     // effect observed, (TiKV) wait premise, resume by PD's operator; timeout
        RetryBackoff.run,         // wait out the retry delay
        WaitStepStart.run,        // a wait step starts by itself
        GateStage.run,            // pass the safety gates
        SendStage.run,            // the intent and the call
    ]

    static var plannerBlockReasons: Set<String> { PlanIdentity.plannerBlockReasons }

    static func cleanUpEnded(_ plan: RemediationPlan, input: ExecutionInput, result: inout ExecutionResult) -> RemediationPlan {
        EndedPlanCleanup.cleanUp(plan, input: input, result: &result)
    }

    static func whileRunning(_ pass: inout PlanPass, _ at: WindowStep, _ input: ExecutionInput, startedAt: Date) -> StepFlow? {
        RunningStepStage.brokenWait(&pass, at, input) ?? RunningStepStage.resumeByOperator(&pass, at, input, startedAt: startedAt)
    }

    static func whenHeld(_ pass: inout PlanPass, _ at: WindowStep, _ input: ExecutionInput, gate: Gate, why: String) -> StepFlow? {
        let i = at.index, step = at.step, now = input.now
        // A leader or peer move whose target is no longer legal is dropped at once, not retried
        // into PD's refusal: the rest of the plan goes on, and the planners answer what is left.
        if gate == .preconditions, PlanExecution.isRegionLevel(step.action.kind), let to = step.action.toStoreID,
           let refusal = TargetLegality(snapshot: input.snapshot, now: now).targetRefusal(step.action, region: at.region) {
            pass.plan.status.steps[i].phase = .skipped
            pass.plan.status.steps[i].observedEffect = IllegalTargetSweep.dropped(to: to, refusal)
            pass.plan.status.steps[i].finishedAt = now
            pass.decide("Step dropped", step: step.name, ["reason": pass.plan.status.steps[i].observedEffect ?? "dropped"])
            return .nextStep
        }
        // A target at its store limit waits for PD's tokens; the window's other steps go on.
        if gate == .storeLimit {
            pass.blocker = Blocker(gate, why)
            if let wait = storeLimitWait(step.action, snapshot: input.snapshot, region: at.region, now: now) {
                pass.requeue(after: max(1, wait.seconds))
            }
            return .nextStep
        }
        return nil
    }
}
