import Foundation

/// Waits that are not gates, in this order: the plans named in `spec.after` must have succeeded, `spec.notBefore`
/// must have passed, and a plan its planner marked `Blocked` does not start, even once approved.
enum DependencyStage {
    static func run<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ input: SubjectExecutionInput<S>) -> StageResult {
        let now = input.now
        if let (waiting, phase) = unfinishedPrerequisite(pass.plan, among: input.plans) {
            pass.plan.block(Blocker(.waitingForPlan, "waits for plan \(waiting) to succeed (it is \(phase))"), now: now)
            return .stop
        }
        if let notBefore = pass.plan.spec.notBefore, notBefore > now {
            pass.plan.block(Blocker(.notBefore, "does not start before \(notBefore)"), now: now)
            pass.requeue(after: notBefore.timeIntervalSince(now))
            return .stop
        }
        // The planner's blocker is the reason to wait. (Planners never rewrite an Executing plan, so its gates,
        // re-checked before every call, take over.)
        if pass.plan.status.phase != .executing, let b = plannerBlock(pass.plan) {
            pass.decide("Plan blocked by its planner", ["reason": b.reason, "detail": b.message])
            return .stop
        }
        return .next
    }

    /// The first plan of `spec.after` that has not succeeded, with its phase (`missing` when there is no such plan).
    static func unfinishedPrerequisite<S>(_ plan: SubjectPlan<S>, among plans: [SubjectPlan<S>]) -> (name: String, phase: String)? {
        guard !plan.spec.after.isEmpty else { return nil }
        // The first plan of a name counts, as the store never holds two.
        func phase(of name: String) -> PlanPhase? { plans.first { $0.name == name }?.status.phase }
        guard let waiting = plan.spec.after.first(where: { phase(of: $0) != .succeeded }) else { return nil }
        return (waiting, phase(of: waiting)?.rawValue ?? "missing")
    }

    /// The planner's own `Blocked` condition (not enough stores, quorum at risk, a precondition not yet
    /// checkable…): while it stands, the plan starts nothing.
    static func plannerBlock<S: ExecutedSubject>(_ plan: SubjectPlan<S>) -> Condition? {
        guard let b = plan.status.conditions[type: .blocked], b.status == .true, S.plannerBlockReasons.contains(b.reason) else {
            return nil
        }
        return b
    }
}
