/// What one planner concluded about one concern in this pass.
struct PlannerOutcome: Sendable {
    enum Decision: Sendable {
        /// The plan that should exist.
        case desired(DesiredPlan)
        /// The planner cannot decide yet (e.g. it lacks regions): an existing plan stays exactly as it is.
        case undecided
        /// The drift is gone: a plan not yet executed becomes Superseded with this reason.
        case vanished(reason: String, message: String)
    }

    var concern: String
    var decision: Decision
    /// Whose concern it is: a planner's plans and a model's never share one, even under the same name.
    var origin: PlanOrigin = .reconciler
    /// Regions the next observation must fetch for this concern.
    var regionScope: RegionScope = .none
}

/// A plan a planner wants to exist, before identity (name, phase, revision history) is applied.
struct DesiredPlan: Sendable {
    var spec: RemediationPlanSpec
    /// A failed (or not yet checkable) precondition: the plan is shown with `Blocked=True`.
    var blocked: (reason: String, message: String)?
    /// Whether a Succeeded plan at the same revision already did the work. False when the effect can
    /// be undone outside the plan (an evict-leader scheduler removed by hand), so the concern is re-planned.
    var succeededPlanSatisfies = true
    /// Whether other steps revise the live plan in place (a new revision of the same plan) or supersede it with a new
    /// generation. A model's plan is the second kind: other steps are another proposal from another diagnosis.
    var revisesInPlace = true
}
