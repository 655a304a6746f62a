import Foundation

/// A wait step (one that sends nothing) starts by itself once the steps before it are done; it still needs the plan
/// approved, `execute` mode and the cluster not paused. When it may not, the gates say why, and the rest of its
/// window waits with it.
enum WaitStepStart {
    static func run(_ pass: inout PlanPass, _ at: WindowStep, _ input: ExecutionInput) -> StepFlow {
        guard !at.step.action.kind.mutates else { return .next }
        let spec = input.cluster.spec
        guard pass.approval.isApproved, spec.mode == .execute, !spec.paused else {
            pass.blocker = gateBlock(pass, at, input)
            return .endWindow
        }
        let i = at.index
        pass.plan.status.steps[i].phase = .running
        pass.plan.status.steps[i].startedAt = input.now
        pass.plan.status.steps[i].attempts += 1
        pass.plan.status.phase = .executing
        pass.moving = true
        pass.decide("plan \(pass.plan.name) step \(at.step.name): waiting — \(at.step.action.summary)")
        return .nextStep
    }

    /// The gate that holds the wait step, if any (a wait takes no store offline: no store's regions are read for it).
    static func gateBlock(_ pass: PlanPass, _ at: WindowStep, _ input: ExecutionInput) -> Blocker? {
        let g = GateInput(killSwitch: false, spec: input.cluster.spec, snapshot: input.snapshot, maxSnapshotAge: input.maxSnapshotAge,
                          approval: pass.approval, inFlightSteps: pass.inFlight, actionsLastHour: pass.actions, step: at.step,
                          region: at.region, now: input.now)
        if case .blocked(let gate, let why) = Gates.evaluate(g) { return Blocker(gate, why) }
        return nil
    }
}
