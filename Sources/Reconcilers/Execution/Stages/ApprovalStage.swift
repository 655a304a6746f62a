import Foundation

/// Applies the approval verdict on the plan's revision: the `Approved` condition always says where it stands; a
/// rejection ends the plan; an approved `Pending` plan becomes `Approved`. Waiting for approval is not a stop here:
/// wait steps and the approval gate hold the steps, so the plan still shows which gate it waits at.
enum ApprovalStage {
    static func run<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ input: SubjectExecutionInput<S>) -> StageResult {
        let verdict = pass.approval
        pass.plan.setCondition(.approved, verdict.isApproved ? .true : .false, reason: verdict.reason, message: verdict.message, now: input.now)
        if case .rejected = verdict.outcome {
            if pass.original.status.phase != .rejected { pass.decide("Plan rejected", ["reason": verdict.message]) }
            pass.plan.status.phase = .rejected
            pass.plan.setCondition(.progressing, .false, reason: .rejected, message: verdict.message, now: input.now)
            return .stop
        }
        if verdict.isApproved && pass.plan.status.phase == .pending {
            pass.plan.status.phase = .approved
            pass.decide("Plan approved", ["reason": verdict.message])
        }
        return .next
    }
}
