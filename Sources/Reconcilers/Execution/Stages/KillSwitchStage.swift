import Foundation

/// The kill switch cancels every plan that has not ended, and what it started in the subject: its running steps
/// fail, and what they started is cancelled (`Subject.cancellation`: TiKV cancels the PD operators of its running
/// region moves). A cancelled plan does not resume by itself.
enum KillSwitchStage {
    static func run<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ input: SubjectExecutionInput<S>) -> StageResult {
        guard input.killSwitch else { return .next }
        let now = input.now
        for (i, s) in pass.plan.status.steps.enumerated() where s.phase == .running {
            let a = pass.plan.spec.steps[i].action
            if let c = S.cancellation(for: a) { pass.result.cancelOperators.append(c) }
            pass.plan.status.steps[i].phase = .failed
            pass.plan.status.steps[i].lastError = "cancelled by the kill switch"
            pass.plan.status.steps[i].finishedAt = now
        }
        pass.plan.status.phase = .cancelled
        pass.plan.setCondition(.progressing, .false, reason: .cancelled, message: "cancelled by the kill switch; it does not resume by itself", now: now)
        pass.plan.setCondition(.blocked, .true, reason: Gate.killSwitch.rawValue, message: "the kill switch is on", now: now)
        pass.decide("Plan cancelled by the kill switch")
        return .stop
    }
}
