import Foundation

/// A mutating step that passed every gate is sent: the intent (the step Running, its attempt counted, the exact
/// request recorded) goes into the plan status, which the controller writes before it makes the call. A step whose
/// action lacks a parameter can never be sent: it fails the plan instead of stalling it.
enum SendStage {
    static func run<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ at: SubjectWindowStep<S>, _ input: SubjectExecutionInput<S>) -> StepFlow {
        let i = at.index, step = at.step, now = input.now
        guard let call = S.request(for: step.action) else {
            let reason = S.unsendable(step.action)
            pass.plan.fail(step: i, error: reason, reason: .stepInvalid, failedMessage: "step \(step.name): \(reason)", progressingMessage: reason, now: now)
            pass.decide("Plan failed", step: step.name, ["error": reason])
            return .stopPlan
        }
        var s = pass.plan.status.steps[i]
        s.recordIntent(request: call.description, now: now)
        pass.plan.status.steps[i] = s
        pass.plan.status.phase = .executing
        pass.inFlight += 1
        pass.actions += 1
        pass.moving = true
        pass.result.calls.append(SubjectStepCall(plan: pass.plan.name, step: i, action: step.action, call: call, attempt: s.attempts))
        pass.decide("Sending step", step: step.name, S.logFields(of: step.action).merging(["request": "\(call)", "attempt": "\(s.attempts)"]) { a, _ in a })
        return .nextStep
    }
}
