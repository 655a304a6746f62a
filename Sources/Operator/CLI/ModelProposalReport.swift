import Foundation
import Reconcilers

/// What `describe plan` shows of a plan a model proposed: who proposed it, the diagnosis behind it with its evidence,
/// each step's rationale as the model gave it, and the suggestions left out with why. Model text is data: the command
/// prints everything through `TerminalText`.
enum ModelProposalReport {
    static func render(_ plan: RemediationPlan, now: Date) -> String {
        guard plan.spec.origin == .ai else { return "" }
        var out = ""
        func line(_ label: String, _ value: String) { out += (label + ":").padding(toLength: 22, withPad: " ", startingAt: 0) + value + "\n" }
        func section(_ title: String, _ lines: [String]) {
            out += "\(title):\n" + (lines.isEmpty ? "  <none>" : lines.map { "  " + $0 }.joined(separator: "\n")) + "\n"
        }
        line("Approval", "suggested by AI: never approved by policy, whatever its risk; it needs a person's signed approval (operator approve plan/\(plan.name) --revision \(plan.spec.revision) --key ~/.ssh/id_ed25519)")
        guard let p = plan.spec.proposal else {
            line("Proposed by", "a model (the plan carries no record of its diagnosis)")
            return out
        }
        line("Proposed by", "\(p.provider) \(p.model.isEmpty ? "(default model)" : p.model), from its diagnosis of ticket/\(p.ticket) \(humanAge(from: p.diagnosedAt, now: now)) ago (context \(p.contextDigest))")
        line("Model's diagnosis", p.title)
        line("Primary cause", "\(p.cause.rawValue) (\(p.confidence.rawValue) confidence)")
        section("Evidence", p.evidence.map { "- \($0.statement)  [\($0.kind.rawValue): \($0.ref)]" })
        line("Recommended", p.recommendedAction)
        section("Steps as the model argued them", plan.spec.steps.enumerated().map { i, step in
            "\(i + 1). \(step.name) — \(step.action.summary): \(p.rationale(of: step.name) ?? "(no rationale given)")"
        })
        section("Suggestions left out", p.dropped.map { "- \($0)" })
        return out
    }
}
