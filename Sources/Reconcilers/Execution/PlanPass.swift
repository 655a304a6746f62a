import Foundation

/// One TiKV plan's pass.
typealias PlanPass = SubjectPlanPass<TiKVSubject>

/// One plan on its way through the execution stages (`ExecutedSubject.planStages`) in one pass over a subject. A stage
/// reads the pass's input and changes only this value; the cluster's totals (mutations in flight, sent this hour)
/// and what the pass decided so far travel on from plan to plan, so the gates of a later plan see what an earlier
/// one sent.
struct SubjectPlanPass<S: ExecutedSubject> {
    // This plan's own.
    /// The plan as it came in.
    let original: SubjectPlan<S>
    /// The plan as the stages leave it; its step statuses line up with its steps.
    var plan: SubjectPlan<S>
    /// The approval verdict on the plan's current revision: the approval stage writes it as the `Approved` condition, wait
    /// steps and gates read it.
    let approval: ApprovalVerdict
    /// Why the plan waits, when none of its steps moves: the last gate or backoff that held one of them.
    var blocker: Blocker?
    /// A step of the plan runs, or started in this pass.
    var moving = false

    // Carried from plan to plan.
    /// Requests to the subject in flight: the running mutating steps of every plan, less those this pass saw
    /// end, plus those it sent.
    var inFlight: Int
    /// Requests sent in the last hour, plus those this pass sent.
    var actions: Int
    /// What the pass decided so far, for the plans before this one too (the runner adds each plan to `plans`).
    var result: SubjectExecutionResult<S>

    init(_ plan: SubjectPlan<S>, input: SubjectExecutionInput<S>, inFlight: Int, actions: Int, result: SubjectExecutionResult<S>) {
        original = plan
        var aligned = plan
        aligned.status.steps = PlanExecution.statuses(plan)
        self.plan = aligned
        approval = ApprovalEvaluator.evaluate(plan: plan, policy: input.settings.approval, votes: input.votes, now: input.now)
        self.inFlight = inFlight
        self.actions = actions
        self.result = result
    }

    /// Look again within `seconds` at the latest: the soonest any stage asks for wins.
    mutating func requeue(after seconds: TimeInterval) {
        result.requeueAfter = min(result.requeueAfter ?? .infinity, seconds)
    }

    /// A line of what the pass decided about this plan (and `step`, when it is about one), for the log.
    mutating func decide(_ message: String, step: String? = nil, _ fields: [String: String] = [:]) {
        var named = fields
        named["plan"] = plan.name
        if let step { named["step"] = step }
        result.decisions.append(PassDecision(.info, message, named))
    }
}

/// Why a plan waits: the reason (a gate's name or a `PlanConditionReason`) and message of its `Blocked` condition.
struct Blocker: Equatable {
    var reason: String
    var message: String

    init(_ reason: String, _ message: String) {
        self.reason = reason
        self.message = message
    }

    init(_ gate: Gate, _ message: String) { self.init(gate.rawValue, message) }

    init(_ reason: PlanConditionReason, _ message: String) { self.init(reason.rawValue, message) }
}

/// What a plan stage tells the pipeline.
enum StageResult: Equatable {
    /// The next stage looks at the plan.
    case next
    /// The plan is done with for this pass (cancelled, rejected, waiting, or an ended plan).
    case stop
}

/// A step of a TiKV plan's current window.
typealias WindowStep = SubjectWindowStep<TiKVSubject>

/// The step of the current window a step stage looks at: its index, its spec, and what its gates and effect read
/// of this pass (TiKV: its region).
struct SubjectWindowStep<S: ExecutedSubject> {
    let index: Int
    let step: SubjectPlanStep<S>
    let reads: S.StepReads

    init(_ index: Int, of plan: SubjectPlan<S>, input: SubjectExecutionInput<S>) {
        self.index = index
        step = plan.spec.steps[index]
        reads = S.stepReads(for: step.action, in: input.reads)
    }
}

extension SubjectWindowStep where S == TiKVSubject {
    /// The region the step names, as read for this pass.
    var region: RegionPlacement? { reads.region }
}

/// What a step stage tells the window it runs in.
enum StepFlow: Equatable {
    /// The next stage looks at the step.
    case next
    /// The step is settled for this pass: the window's next step.
    case nextStep
    /// The rest of this window waits (a wait step the gates hold).
    case endWindow
    /// No more steps of the plan in this pass: it failed, or a gate holds everything after this step.
    case stopPlan
}
