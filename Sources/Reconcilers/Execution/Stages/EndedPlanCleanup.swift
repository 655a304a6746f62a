import Foundation

/// An ended plan leaves nothing behind: its subject removes what it created (`ExecutedSubject.cleanUpEnded`), and
/// nothing else happens to an ended plan. TiKV's (`cleanUp`): a plan that ended without success (failed, cancelled,
/// rejected, superseded) and had started adding a store to the evict-leader scheduler removes it again, unless
/// another plan that ran or runs still wants that store evicted. Only in `execute` mode, with the kill switch off and
/// a complete observation; repeated each pass while PD still shows the store evicted.
enum EndedPlanCleanup {
    static func run<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ input: SubjectExecutionInput<S>) -> StageResult {
        guard pass.original.status.phase.isTerminal else { return .next }
        // As it came in (its step statuses not realigned): an ended plan changes only by its clean-up note.
        pass.plan = S.cleanUpEnded(pass.original, input: input, result: &pass.result)
        return .stop
    }

    static func cleanUp(_ plan: RemediationPlan, input: ExecutionInput, result: inout ExecutionResult) -> RemediationPlan {
        guard plan.status.phase != .succeeded else { return plan }
        let spec = input.cluster.spec
        let statuses = PlanExecution.statuses(plan)
        let owned = plan.spec.steps.indices.filter { i in
            plan.spec.steps[i].action.kind == .addEvictLeaderScheduler && statuses[i].attempts > 0
        }.compactMap { plan.spec.steps[$0].action.storeID }
        guard !owned.isEmpty, input.snapshot.isComplete else { return plan }
        var updated = plan
        for store in owned where input.snapshot.schedulers.evictLeaderStores.contains(store) {
            let wanted = input.plans.contains { other in
                other.name != plan.name && (other.status.phase == .succeeded || !other.status.phase.isTerminal)
                    && other.spec.steps.contains { $0.action.kind == .addEvictLeaderScheduler && $0.action.storeID == store }
            }
            guard !wanted else { continue }
            guard !input.killSwitch, spec.mode == .execute else { continue }
            let action = Action.store(.removeEvictLeaderScheduler, store)
            guard let call = PDCall.forAction(action) else { continue }
            result.calls.append(StepCall(plan: plan.name, step: -1, action: action, call: call, attempt: 0))
            updated.status.cleanup = "removing evict-leader-scheduler-\(store) created by this plan, which ended \(plan.status.phase.rawValue)"
            result.decisions.append(PassDecision(.info, "Ended plan cleaned up", ["plan": plan.name, "store": "\(store)", "cleanup": updated.status.cleanup ?? ""]))
        }
        if let note = updated.status.cleanup, note.hasPrefix("removing"),
           !owned.contains(where: { input.snapshot.schedulers.evictLeaderStores.contains($0) }) {
            updated.status.cleanup = "removed the evict-leader scheduler entries this plan created (observed)"
        }
        return updated
    }
}
