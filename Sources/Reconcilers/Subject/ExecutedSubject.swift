import Foundation

/// What the executor's pipeline needs of a subject beyond `Subject`: the order of its stages, made of the core's
/// generic stages and its own, and its say at the points where the core's stages leave room for it.
protocol ExecutedSubject: Subject {
    /// What happens to a plan in one pass, in order (`PlanExecution.run`).
    static var planStages: [PlanExecution.PlanStage<Self>] { get }
    /// What happens to a step of the current window, in order (`StepWindows`).
    static var stepStages: [PlanExecution.StepStage<Self>] { get }
    /// Planner `Blocked` reasons that keep a plan from starting (`DependencyStage`).
    static var plannerBlockReasons: Set<String> { get }
    /// An ended plan as this pass leaves it: what it created in the subject is removed (`EndedPlanCleanup`).
    static func cleanUpEnded(_ plan: SubjectPlan<Self>, input: SubjectExecutionInput<Self>,
                             result: inout SubjectExecutionResult<Self>) -> SubjectPlan<Self>
    /// A running step whose effect does not hold yet, before its timeout is judged: how it ends now, if it does
    /// (`RunningStepStage`).
    static func whileRunning(_ pass: inout SubjectPlanPass<Self>, _ at: SubjectWindowStep<Self>, _ input: SubjectExecutionInput<Self>,
                             startedAt: Date) -> StepFlow?
    /// A step a gate holds: how the subject settles it, if it does, before the core's rule (`GateStage`).
    static func whenHeld(_ pass: inout SubjectPlanPass<Self>, _ at: SubjectWindowStep<Self>, _ input: SubjectExecutionInput<Self>,
                         gate: Gate, why: String) -> StepFlow?
}
