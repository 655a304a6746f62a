import Foundation

/// The kill switch cancels every plan that has not ended, and what it started in PD: its running steps fail, and
/// the PD operators of its running region moves are cancelled. A cancelled plan does not resume by itself.
enum KillSwitchStage {
    static func run(_ pass: inout PlanPass, _ input: ExecutionInput) -> StageResult {
        guard input.killSwitch else { return .next }
        let now = input.now
        for (i, s) in pass.plan.status.steps.enumerated() where s.phase == .running {
            let a = pass.plan.spec.steps[i].action
            if PlanExecution.isRegionLevel(a.kind), let r = a.regionID { pass.result.cancelOperators.append(r) }
            pass.plan.status.steps[i].phase = .failed
            pass.plan.status.steps[i].lastError = "cancelled by the kill switch"
            pass.plan.status.steps[i].finishedAt = now
        }
        pass.plan.status.phase = .cancelled
        pass.plan.setCondition(.progressing, .false, reason: .cancelled, message: "cancelled by the kill switch; it does not resume by itself", now: now)
        pass.plan.setCondition(.blocked, .true, reason: Gate.killSwitch.rawValue, message: "the kill switch is on", now: now)
        pass.decide("plan \(pass.plan.name): cancelled by the kill switch")
        return .stop
    }
}
