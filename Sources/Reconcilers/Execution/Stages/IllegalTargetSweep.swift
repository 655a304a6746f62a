import Foundation

/// Every move of a started plan still waiting for its turn whose target is no longer legal is dropped now, not only
/// when its window comes: a balance plan of a hundred moves towards a store that died otherwise kept them pending
/// (visible as work aimed at a dead store) for as many passes as windows before it, and the planners could not
/// answer what is left. Same rule and text as the gates' drop (`GateStage`); nothing is sent, and running steps are
/// left to their effect or timeout. Only on a complete, fresh observation: a failed store list must never read as
/// "every target is gone".
enum IllegalTargetSweep {
    static func run(_ pass: inout PlanPass, _ input: ExecutionInput) -> StageResult {
        let spec = input.cluster.spec
        let now = input.now
        guard pass.plan.status.phase == .executing, spec.mode == .execute, !spec.paused, input.snapshot.isComplete,
              input.snapshot.isFresh(at: now, maxAge: input.maxSnapshotAge) else { return .next }
        let legality = TargetLegality(snapshot: input.snapshot, now: now)
        for i in pass.plan.spec.steps.indices where pass.plan.status.steps[i].phase == .pending {
            let action = pass.plan.spec.steps[i].action
            // The region only when this pass read it; the placement rules are then judged on it too.
            guard PlanExecution.isRegionLevel(action.kind), let to = action.toStoreID,
                  let refusal = legality.targetRefusal(action, region: action.regionID.flatMap { input.regions[$0] }) else { continue }
            pass.plan.status.steps[i].phase = .skipped
            pass.plan.status.steps[i].observedEffect = dropped(to: to, refusal)
            pass.plan.status.steps[i].finishedAt = now
            pass.plan.status.steps[i].nextRetry = nil
            pass.decide("Step dropped", step: pass.plan.spec.steps[i].name, ["reason": pass.plan.status.steps[i].observedEffect ?? "dropped"])
        }
        return .next
    }

    /// What a dropped move's step shows.
    static func dropped(to store: UInt64, _ refusal: (rule: String, text: String)) -> String {
        "dropped before any call: target store \(store) is no longer legal (\(refusal.rule): \(refusal.text))"
    }
}
