import Foundation

/// Takes the steps of the plan's current window (`PlanExecution.window`) through the step stages
/// (`ExecutedSubject.stepStages`), in step order. When every step of the window is observed done, the next window
/// may start in the same pass; at most once per step, however the statuses read.
enum StepWindows {
    static func run<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ input: SubjectExecutionInput<S>) -> StageResult {
        for _ in 0...pass.plan.spec.steps.count {
            let current = PlanExecution.window(pass.plan, pass.plan.status.steps)
            guard !current.isEmpty, !runWindow(current, &pass, input) else { break }
            guard current.allSatisfy({ pass.plan.status.steps[$0].phase.isDone }) else { break }
        }
        return .next
    }

    /// Runs one window's steps; true when a stage stopped the plan for this pass.
    static func runWindow<S: ExecutedSubject>(_ window: [Int], _ pass: inout SubjectPlanPass<S>, _ input: SubjectExecutionInput<S>) -> Bool {
        for i in window {
            switch runStep(SubjectWindowStep(i, of: pass.plan, input: input), &pass, input) {
            case .next, .nextStep: continue
            case .endWindow: return false
            case .stopPlan: return true
            }
        }
        return false
    }

    /// One step through the step stages, until one settles it.
    static func runStep<S: ExecutedSubject>(_ at: SubjectWindowStep<S>, _ pass: inout SubjectPlanPass<S>, _ input: SubjectExecutionInput<S>) -> StepFlow {
        for stage in S.stepStages {
            let flow = stage(&pass, at, input)
            if flow != .next { return flow }
        }
        return .next
    }
}
