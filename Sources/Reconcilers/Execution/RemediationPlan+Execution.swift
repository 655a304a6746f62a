import Foundation

/// The plan status writes several stages share, so each reads the same everywhere, for the plans of any subject.
extension Resource where K.Status == RemediationPlanStatus {
    /// Sets one of the plan's conditions at its current generation.
    mutating func setCondition(_ type: PlanConditionType, _ status: Condition.Status, reason: PlanConditionReason, message: String, now: Date) {
        self.status.conditions.set(type, status, reason: reason, message: message, observedGeneration: metadata.generation, now: now)
    }

    mutating func setCondition(_ type: PlanConditionType, _ status: Condition.Status, reason: String, message: String, now: Date) {
        self.status.conditions.set(type, status, reason: reason, message: message, observedGeneration: metadata.generation, now: now)
    }

    /// `Blocked=True` and `Progressing=False`, both for the same reason.
    mutating func block(_ blocker: Blocker, now: Date) {
        setCondition(.blocked, .true, reason: blocker.reason, message: blocker.message, now: now)
        setCondition(.progressing, .false, reason: blocker.reason, message: blocker.message, now: now)
    }

    /// Fails the plan at step `i`: the step `Failed` with `error`, then `Failed=True` for `reason` and
    /// `Progressing=False, Failed`. The caller says what it decided.
    mutating func fail(step i: Int, error: String, reason: PlanConditionReason, failedMessage: String, progressingMessage: String, now: Date) {
        self.status.steps[i].phase = .failed
        self.status.steps[i].lastError = error
        self.status.steps[i].finishedAt = now
        self.status.phase = .failed
        setCondition(.failed, .true, reason: reason, message: failedMessage, now: now)
        setCondition(.progressing, .false, reason: .failed, message: progressingMessage, now: now)
    }
}
