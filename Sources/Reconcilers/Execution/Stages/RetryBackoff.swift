import Foundation

/// A step whose last attempt failed waits out its retry delay before the gates see it again; the plan shows
/// `Blocked=True, RetryBackoff` while nothing else moves, and the pass is looked at again when the delay ends.
enum RetryBackoff {
    static func run<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ at: SubjectWindowStep<S>, _ input: SubjectExecutionInput<S>) -> StepFlow {
        let s = pass.plan.status.steps[at.index]
        guard let retryAt = s.nextRetry, retryAt > input.now else { return .next }
        pass.requeue(after: retryAt.timeIntervalSince(input.now))
        pass.blocker = Blocker(.retryBackoff, "step \(at.step.name) retries at \(retryAt) after: \(s.lastError ?? "a failure")")
        return .nextStep
    }
}

extension PlanExecution {
    /// Fails one attempt of step `i`: a retry after `retryDelay`, or, once the step's attempts are used up, the step
    /// and the plan fail for good (then returns true).
    @discardableResult
    static func failAttempt<S>(_ plan: inout SubjectPlan<S>, _ i: Int, _ reason: String, policy: RetryPolicy, now: Date,
                            result: inout SubjectExecutionResult<S>) -> Bool {
        let attempts = plan.status.steps[i].attempts
        if attempts >= policy.maxAttempts {
            plan.status.steps[i].nextRetry = nil
            plan.fail(step: i, error: reason, reason: .stepFailed,
                      failedMessage: "step \(plan.spec.steps[i].name) failed after \(attempts) attempt(s): \(reason)", progressingMessage: reason, now: now)
            result.decisions.append(PassDecision(.info, "Plan failed", ["plan": plan.name, "step": plan.spec.steps[i].name, "error": reason]))
            return true
        }
        var s = plan.status.steps[i]
        s.lastError = reason
        s.finishedAt = now
        s.phase = .pending
        s.nextRetry = now.addingTimeInterval(retryDelay(attempt: s.attempts, policy: policy, plan: plan.name, step: i))
        plan.status.steps[i] = s
        result.decisions.append(PassDecision(.info, "Step attempt failed; retrying", [
            "plan": plan.name, "step": plan.spec.steps[i].name, "attempt": "\(s.attempts)", "error": reason,
            "retryAt": s.nextRetry.map { "\($0)" } ?? "?",
        ]))
        return false
    }

    /// base · factor^(attempt−1), capped, with ±25 % jitter drawn deterministically from the plan and
    /// step, so a restart computes the same retry time and many plans do not retry in lockstep.
    static func retryDelay(attempt: Int, policy: RetryPolicy, plan: String, step: Int) -> TimeInterval {
        let base = Double(policy.baseDelay.nanoseconds) / 1e9
        let cap = Double(policy.maxDelay.nanoseconds) / 1e9
        let raw = min(cap, base * pow(policy.factor, Double(max(0, attempt - 1))))
        let seed = ContentHash.hex(of: Data("\(plan)/\(step)/\(attempt)".utf8))
        let unit = Double(UInt64(seed.prefix(8), radix: 16) ?? 0) / Double(UInt32.max)
        return raw * (0.75 + 0.5 * unit)
    }
}
