import Foundation

/// A ticket answered both by a model's plan (origin `ai`) and by a planner's: both are offered side by side and
/// neither supersedes the other (their concerns differ), until a person approves one. From then on (Approved or
/// Executing) the other origin's plans for that ticket are withdrawn, so two remedies never run for one ticket.
enum ApprovedAlternative {
    static func apply(_ outcomes: [PlannerOutcome], _ ctx: PlanningContext) -> [PlannerOutcome] {
        var chosen: [String: RemediationPlan] = [:]
        for plan in ctx.plans where plan.status.phase == .approved || plan.status.phase == .executing {
            guard let ticket = plan.spec.ticket else { continue }
            if let other = chosen[ticket], !precedes(plan, other) { continue }
            chosen[ticket] = plan
        }
        guard !chosen.isEmpty else { return outcomes }
        return outcomes.map { outcome in
            guard case .desired(let desired) = outcome.decision, let ticket = desired.spec.ticket, let plan = chosen[ticket],
                  plan.spec.origin != desired.spec.origin else { return outcome }
            var withdrawn = outcome
            let by = plan.spec.origin == .ai ? "the model's plan" : "the playbook's plan"
            withdrawn.decision = .vanished(reason: "AlternativeApproved", message: "\(by) \(plan.name) was approved for ticket \(ticket) instead")
            return withdrawn
        }
    }

    /// Which of two approved plans for one ticket stands when both were approved: the one executing, else the one
    /// approved first, else by name (both in one pass).
    static func precedes(_ a: RemediationPlan, _ b: RemediationPlan) -> Bool {
        if (a.status.phase == .executing) != (b.status.phase == .executing) { return a.status.phase == .executing }
        let at = { (p: RemediationPlan) in p.status.conditions[type: .approved]?.lastTransitionTime ?? .distantFuture }
        return (at(a), a.name) < (at(b), b.name)
    }
}
