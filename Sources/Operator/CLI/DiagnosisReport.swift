import Foundation
import Reconcilers

/// A stored diagnosis as a report a person reads top to bottom: the conclusion first, then the
/// evidence, what else was considered, what to do, and what could go wrong.
enum DiagnosisReport {
    static func render(_ d: Diagnosis, now: Date) -> String {
        var out = ""
        func section(_ title: String, _ lines: [String]) {
            guard !lines.isEmpty else { return }
            out += "\(title):\n" + lines.map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        func ev(_ e: Evidence) -> String { "- \(e.statement)  [\(e.kind.rawValue): \(e.ref)]" }
        out += "Diagnosis:            \(d.primary.title)\n"
        out += "Cause:                \(d.primary.cause.rawValue) (\(d.primary.confidence.rawValue) confidence)\n"
        out += "By:                   \(d.provider) \(d.model), \(humanAge(from: d.createdAt, now: now)) ago (context \(d.contextDigest))\n"
        section("Evidence", d.primary.evidence.map(ev))
        section("Timeline", d.timeline.map { "\($0.at)  \($0.event)" })
        section("Affected", d.affectedComponents)
        section("Readings", d.readings.map { r in
            "\(r.subject) \(r.name) = \(r.value.map { RulesEngine.num($0) } ?? "unknown") \(r.unit)  (\(r.source))"
        })
        section("Alternatives considered", d.alternatives.flatMap { a in
            ["\(a.cause.rawValue): \(a.title)", "  ruled out: \(a.whyRuledOut)"]
                + a.supporting.map { "  for " + ev($0) } + a.contradicting.map { "  against " + ev($0) }
        })
        section("Recommended action", [d.recommendedAction])
        section("pd-ctl", d.pdCtlEquivalents)
        section("Risks", d.risks.map { "- \($0)" })
        // A model's suggestions also become an `ai` plan (the ticket's `Plans:`); nothing runs without a person's approval.
        section("Suggested actions (for a person to approve; never executed by the diagnosis)", d.suggestedActions.enumerated().map { i, a in
            "- \(a.summary)" + (d.rationale(ofAction: i).map { ": \($0)" } ?? "")
        })
        section("Notes", d.notes.map { "- \($0)" })
        return out
    }
}
