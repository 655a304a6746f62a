import Foundation

/// What the plan's conditions say after its steps were looked at, first that applies: failed (an escalation ticket
/// is opened); every step done (succeeded); held with nothing moving (`Blocked` by the last gate or backoff that
/// held a step); otherwise not blocked, and progressing while steps run (looked at again within 2 s).
enum OutcomeStage {
    static func run<S: ExecutedSubject>(_ pass: inout SubjectPlanPass<S>, _ input: SubjectExecutionInput<S>) -> StageResult {
        let now = input.now
        if pass.plan.status.phase == .failed {
            pass.result.tickets.append(escalation(pass.plan, now: now))
        } else if pass.plan.status.steps.allSatisfy({ $0.phase.isDone }) {
            pass.plan.status.phase = .succeeded
            pass.plan.setCondition(.succeeded, .true, reason: .effectsObserved, message: "every step's effect was observed", now: now)
            pass.plan.setCondition(.progressing, .false, reason: .succeeded, message: "done", now: now)
            pass.plan.setCondition(.blocked, .false, reason: .notBlocked, message: "", now: now)
            pass.decide("Plan succeeded: every effect observed")
        } else if let blocker = pass.blocker, !pass.moving {
            pass.plan.block(blocker, now: now)
        } else {
            pass.plan.setCondition(.blocked, .false, reason: .notBlocked, message: "", now: now)
            if pass.moving {
                let done = pass.plan.status.steps.filter { $0.phase.isDone }.count
                pass.plan.setCondition(.progressing, .true, reason: .stepsRunning, message: "\(done)/\(pass.plan.spec.steps.count) step(s) done", now: now)
                pass.requeue(after: 2)
            }
        }
        return .next
    }

    /// The ticket a failed plan opens: someone (or the diagnosis) looks at why.
    static func escalation<S>(_ plan: SubjectPlan<S>, now: Date) -> Ticket {
        let message = plan.status.conditions[type: .failed]?.message ?? "the plan failed"
        var t = Ticket(metadata: ObjectMeta(name: "\(plan.spec.cluster)-planfailed-\(plan.name)".prefix(253).description),
                       spec: TicketSpec(cluster: plan.spec.cluster, invariant: "planFailed", subject: "plan/\(plan.name)",
                                        severity: .warning, summary: "plan \(plan.name) failed: \(message)"))
        t.status.state = .open
        t.status.firstSeen = now
        t.status.lastSeen = now
        t.status.plan = plan.name
        t.status.conditions.set("Open", .true, reason: "PlanFailed", message: message, observedGeneration: 0, now: now)
        return t
    }
}
