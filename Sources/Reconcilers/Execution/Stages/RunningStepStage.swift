import Foundation

/// A running step is settled by what is observed, in this order: its effect holds (done); the subject's own ends
/// (TiKV: a wait whose premise broke fails the plan at once; PD's latest operator on its region shows how this
/// attempt ended, to resume after a crash or a call lost on the way); it ran past its timeout. Otherwise it keeps
/// running. Nothing is ever sent again here.
enum RunningStepStage {
    static func run<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ at: SubjectWindowStep<S>, _ input: SubjectExecutionInput<S>) -> StepFlow {
        let i = at.index, step = at.step, now = input.now
        guard pass.plan.status.steps[i].phase == .running else { return .next }
        let effect = S.effect(of: step.action, on: input.snapshot, reads: at.reads)
        if case .holds(let why) = effect {
            pass.plan.status.steps[i].recordEffect(why, now: now)
            pass.inFlight -= S.mutates(step.action) ? 1 : 0
            pass.decide("Step done", step: step.name, ["observed": why])
            return .nextStep
        }
        let started = pass.plan.status.steps[i].startedAt ?? now
        // The subject's own ends of a running step (TiKV: a wait nothing drives any more, PD's operator for the attempt).
        if let flow = S.whileRunning(&pass, at, input, startedAt: started) { return flow }
        let limit = PlanExecution.timeout(step, input.settings.execution)
        if now.timeIntervalSince(started) > limit {
            pass.inFlight -= S.mutates(step.action) ? 1 : 0
            return retryOrFail(&pass, i, "no effect observed within \(Int(limit))s (\(effectText(effect)))", input)
        }
        pass.plan.status.steps[i].observedEffect = effectText(effect)
        pass.moving = true
        return .nextStep
    }

    /// A wait that nothing drives any more fails at once: retrying it cannot help, and the planners
    /// answer from what is observed (a drain that leaned on PD's eviction gets its own scheduler).
    static func brokenWait(_ pass: inout PlanPass, _ at: WindowStep, _ input: ExecutionInput) -> StepFlow? {
        let i = at.index, step = at.step, now = input.now
        guard let why = WaitPremise.broken(step.action, snapshot: input.snapshot, now: now, maxSnapshotAge: input.maxSnapshotAge) else { return nil }
        pass.plan.status.steps[i].nextRetry = nil
        pass.plan.fail(step: i, error: why, reason: .nothingEvicts, failedMessage: "step \(step.name): \(why)", progressingMessage: why, now: now)
        pass.decide("Plan failed", step: step.name, ["error": why])
        return .stopPlan
    }

    /// For a region move: PD's latest operator on the region says whether this attempt reached PD and how it ended
    /// (`PlanExecution.attemptVerdict`); nil while the attempt may still take effect, or the region was not read.
    static func resumeByOperator(_ pass: inout PlanPass, _ at: WindowStep, _ input: ExecutionInput, startedAt: Date) -> StepFlow? {
        let i = at.index, action = at.step.action
        guard PlanExecution.isRegionLevel(action.kind), let id = action.regionID, let region = at.region,
              let verdict = PlanExecution.attemptVerdict(input.regionOperators[id], action: action, startedAt: startedAt, now: input.now,
                                                         pdClockOffset: input.snapshot.pdClockOffset, region: region) else { return nil }
        pass.inFlight -= 1
        var s = pass.plan.status.steps[i]
        guard verdict.neverArrived, (s.lostCalls ?? 0) < PlanExecution.maxLostCalls else {
            return retryOrFail(&pass, i, verdict.reason, input)
        }
        // Not PD's failure: retry at once, without spending one of the step's attempts.
        s.lostCalls = (s.lostCalls ?? 0) + 1
        s.attempts = max(0, s.attempts - 1)
        s.phase = .pending
        s.lastError = verdict.reason
        s.nextRetry = nil
        pass.plan.status.steps[i] = s
        pass.decide("Sending step again", step: at.step.name, ["reason": verdict.reason])
        pass.requeue(after: 0.5)
        return .nextStep
    }

    /// The attempt failed: a retry is scheduled, or the plan has failed for good and stops.
    static func retryOrFail<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ i: Int, _ reason: String, _ input: SubjectExecutionInput<S>) -> StepFlow {
        let final = PlanExecution.failAttempt(&pass.plan, i, reason, policy: input.settings.execution.retry, now: input.now, result: &pass.result)
        return final ? .stopPlan : .nextStep
    }

    static func effectText(_ v: StepEffect.Verdict) -> String {
        switch v {
        case .holds(let s), .notYet(let s), .unknown(let s): s
        }
    }
}
