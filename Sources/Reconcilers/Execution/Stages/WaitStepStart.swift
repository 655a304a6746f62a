import Foundation

/// A wait step (one that sends nothing) starts by itself once the steps before it are done; it still needs the plan
/// approved, `execute` mode and the cluster not paused. When it may not, the gates say why, and the rest of its
/// window waits with it.
enum WaitStepStart {
    static func run<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ at: SubjectWindowStep<S>, _ input: SubjectExecutionInput<S>) -> StepFlow {
        guard !S.mutates(at.step.action) else { return .next }
        let settings = input.settings
        guard pass.approval.isApproved, settings.mode == .execute, !settings.paused else {
            pass.blocker = gateBlock(pass, at, input)
            return .endWindow
        }
        let i = at.index
        pass.plan.status.steps[i].phase = .running
        pass.plan.status.steps[i].startedAt = input.now
        pass.plan.status.steps[i].attempts += 1
        pass.plan.status.phase = .executing
        pass.moving = true
        pass.decide("Step waiting", step: at.step.name, S.logFields(of: at.step.action).merging(["action": S.summary(of: at.step.action)]) { a, _ in a })
        return .nextStep
    }

    /// The gate that holds the wait step, if any.
    static func gateBlock<S: ExecutedSubject>(_ pass: SubjectPlanPass<S>, _ at: SubjectWindowStep<S>, _ input: SubjectExecutionInput<S>) -> Blocker? {
        if case .blocked(let gate, let why) = GateOrder.evaluate(GateStage.gateInput(pass, at, input)) { return Blocker(gate, why) }
        return nil
    }
}
