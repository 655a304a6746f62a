import Foundation

/// Moves plans forward one observation at a time: approval → gates → intent → (the controller sends)
/// → effect observed → next step. Done means observed; a gate that cannot decide blocks.
///
/// Each plan, in name order, goes through its subject's `planStages` top to bottom until one stops it; the steps of
/// its current window go through the subject's `stepStages`. Each stage is a small pure function of the pass's input
/// and the plan's `SubjectPlanPass`, in its own file under `Stages/`; those the core owns are generic over the
/// subject, and TiKV's list (`TiKVSubject+Execution.swift`) adds its own.
public enum PlanExecution {
    typealias PlanStage<S: ExecutedSubject> = @Sendable (inout SubjectPlanPass<S>, SubjectExecutionInput<S>) -> StageResult
    typealias StepStage<S: ExecutedSubject> = @Sendable (inout SubjectPlanPass<S>, SubjectWindowStep<S>, SubjectExecutionInput<S>) -> StepFlow

    public static func advance(_ input: ExecutionInput) -> ExecutionResult {
        run(input)
    }

    /// One pass over the plans of any subject.
    static func run<S: ExecutedSubject>(_ input: SubjectExecutionInput<S>) -> SubjectExecutionResult<S> {
        var result = SubjectExecutionResult<S>.empty
        var inFlight = mutationsInFlight(input.plans)
        var actions = input.actionsLastHour
        for plan in input.plans.sorted(by: { $0.name < $1.name }) {
            var pass = SubjectPlanPass(plan, input: input, inFlight: inFlight, actions: actions, result: consume result)
            for stage in S.planStages {
                if stage(&pass, input) == .stop { break }
            }
            inFlight = pass.inFlight
            actions = pass.actions
            result = pass.result
            result.plans.append(pass.plan)
        }
        return result
    }

    /// Running mutating steps of every plan: what the in-flight limit counts before this pass sends anything.
    static func mutationsInFlight<S>(_ plans: [SubjectPlan<S>]) -> Int {
        plans.reduce(0) { n, p in
            n + statuses(p).enumerated().filter { i, s in
                s.phase == .running && i < p.spec.steps.count && S.mutates(p.spec.steps[i].action)
            }.count
        }
    }

    /// An action PD runs as an operator on one region: its region is read fresh while it runs, the kill switch cancels
    /// its operator, and PD's operator says how an attempt ended.
    static func isRegionLevel(_ kind: ActionKind) -> Bool { kind == .transferLeader || kind == .transferPeer || kind == .splitRegion }

    /// The steps that may run now: the first step not done and, when it has a batch, every other
    /// not-done step of that batch (`PlanStep.batch`: batch n + 1 starts once batch n is observed done).
    /// The gates still cap how many are in flight.
    static func window<S>(_ plan: SubjectPlan<S>, _ steps: [StepStatus]) -> [Int] {
        let undone = plan.spec.steps.indices.filter { !steps[$0].phase.isDone }
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

    /// Records what the subject answered to a call (`Executor`). A refusal (PD answered with an error) provably did
    /// nothing, so the attempt fails at once; a transport error may have reached PD, so the step stays Running
    /// and the effect (or the step's timeout) decides.
    public static func recordOutcome<S: Subject>(_ plan: SubjectPlan<S>, step i: Int, outcome: StepOutcome, policy: ExecutionPolicy,
                                                 now: Date) -> (SubjectPlan<S>, failedFinally: Bool) {
        switch outcome {
        case .accepted: (plan, false)
        case .refused(let why): recordOutcome(plan, step: i, refused: why, unknownOutcome: nil, policy: policy, now: now)
        case .unknown(let why): recordOutcome(plan, step: i, refused: nil, unknownOutcome: why, policy: policy, now: now)
        }
    }

    public static func recordOutcome<S: Subject>(_ plan: SubjectPlan<S>, step i: Int, refused: String?, unknownOutcome: String?,
                                                 policy: ExecutionPolicy, now: Date) -> (SubjectPlan<S>, failedFinally: Bool) {
        var plan = plan
        guard i < plan.status.steps.count else { return (plan, false) }
        if let refused {
            var scratch = SubjectExecutionResult<S>.empty
            let final = failAttempt(&plan, i, "\(S.service) refused: \(refused)", policy: policy.retry, now: now, result: &scratch)
            return (plan, final)
        }
        if let unknownOutcome { plan.status.steps[i].lastError = "outcome unknown (\(unknownOutcome)); watching for the effect" }
        return (plan, false)
    }

    /// The controller stopped (SIGTERM) between a step's intent and its call, so the call was never sent: the step goes
    /// back to pending without spending an attempt, as a call lost in a crash does (`lostCalls`, up to `maxLostCalls`;
    /// past that it stays Running and its timeout settles it). The next pass, in this process or the next, sends it.
    public static func recordNotSent<S: Subject>(_ plan: SubjectPlan<S>, step i: Int, reason: String) -> SubjectPlan<S> {
        var plan = plan
        guard i < plan.status.steps.count, plan.status.steps[i].phase == .running else { return plan }
        var s = plan.status.steps[i]
        guard (s.lostCalls ?? 0) < maxLostCalls else { return plan }
        s.lostCalls = (s.lostCalls ?? 0) + 1
        s.attempts = max(0, s.attempts - 1)
        s.phase = .pending
        s.lastError = reason
        s.nextRetry = nil
        plan.status.steps[i] = s
        return plan
    }

    static func timeout<S>(_ step: SubjectPlanStep<S>, _ policy: ExecutionPolicy) -> TimeInterval {
        let own = Double(step.timeout.nanoseconds) / 1e9
        guard S.mutates(step.action) else { return own > 0 ? own : Double(policy.slowStepTimeout.nanoseconds) / 1e9 }
        let floor = Double((S.isSlow(step.action) ? policy.slowStepTimeout : policy.fastStepTimeout).nanoseconds) / 1e9
        return max(own, floor)
    }

    /// The plan's step statuses, one per step in step order; fresh ones when they no longer line up with the steps.
    static func statuses<S>(_ plan: SubjectPlan<S>) -> [StepStatus] {
        let names = plan.spec.steps.map(\.name)
        if plan.status.steps.map(\.name) == names { return plan.status.steps }
        return names.map { StepStatus(name: $0) }
    }
}
