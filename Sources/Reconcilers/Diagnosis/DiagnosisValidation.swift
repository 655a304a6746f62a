import Foundation

/// Turns a provider's draft into a stored `Diagnosis`: every suggested action must be a registry
/// action with its parameters, on stores PD lists and regions the context shows, and must make sense
/// against the snapshot (`ActionPlausibility`); every evidence item must point at something the
/// context holds. What fails is dropped and said in `notes`; a primary left without evidence is
/// downgraded to low confidence. Sizes are capped so a runaway answer cannot bloat the store.
public enum DiagnosisValidation {
    public static let maxActions = 10
    public static let maxItems = 20
    public static let maxText = 2_000
    public static let maxRationale = 600

    public static func finalize(_ draft: DiagnosisDraft, context c: DiagnosisContext, provider: String, model: String, now: Date) -> Diagnosis {
        var notes: [String] = []
        var actions: [Action] = []
        var rationales: [String] = []
        for (i, a) in draft.suggestedActions.enumerated() {
            guard i < maxActions else {
                notes.append("suggested actions past the first \(maxActions) dropped")
                break
            }
            switch validate(a, context: c) {
            case .success(let action):
                guard !actions.contains(action) else { continue }
                actions.append(action)
                // Cluster text may have steered it: control characters out, length capped, like the context's own text.
                rationales.append(DiagnosisContextBuilder.quote(a.rationale ?? "", limit: maxRationale))
            case .failure(let why): notes.append("suggested action \(i + 1) dropped: \(why)")
            }
        }
        func checked(_ items: [Evidence], _ place: String) -> [Evidence] {
            items.prefix(maxItems).compactMap { e in
                guard c.knows(e.ref) else {
                    notes.append("\(place): evidence \"\(cut(e.ref, 80))\" dropped: it points at nothing in the context")
                    return nil
                }
                return Evidence(e.kind, e.ref, cut(e.statement))
            }
        }
        var primary = draft.primary
        primary.title = cut(primary.title)
        primary.evidence = checked(primary.evidence, "primary")
        if primary.evidence.isEmpty, primary.confidence != .low {
            notes.append("primary diagnosis has no evidence in the context: confidence lowered to low")
            primary.confidence = .low
        }
        let alternatives = draft.alternatives.prefix(maxItems).enumerated().map { i, alt in
            Alternative(cause: alt.cause, title: cut(alt.title), supporting: checked(alt.supporting, "alternative \(i + 1)"),
                        contradicting: checked(alt.contradicting, "alternative \(i + 1)"), whyRuledOut: cut(alt.whyRuledOut))
        }
        return Diagnosis(
            ticket: c.ticket.name,
            timeline: draft.timeline.prefix(maxItems).map { TimelineEntry(at: cut($0.at, 64), event: cut($0.event)) },
            affectedComponents: draft.affectedComponents.prefix(maxItems).map { cut($0, 200) },
            readings: Array(draft.readings.prefix(maxItems * 2)),
            primary: primary, alternatives: alternatives, recommendedAction: cut(draft.recommendedAction),
            pdCtlEquivalents: draft.pdCtlEquivalents.prefix(maxItems).map { cut($0, 300) },
            risks: draft.risks.prefix(maxItems).map { cut($0) }, suggestedActions: actions,
            actionRationales: rationales.contains { !$0.isEmpty } ? rationales : nil, notes: notes,
            provider: provider, model: cut(model, 100), createdAt: now, contextDigest: DiagnosisContextBuilder.digest(c))
    }

    /// A draft action as a registry action, or why it is not one.
    public static func validate(_ a: SuggestedActionDraft, context c: DiagnosisContext) -> Result<Action, ValidationFailure> {
        guard let kind = ActionKind(rawValue: a.kind) else {
            return .failure(ValidationFailure("\"\(cut(a.kind, 60))\" is not an action of the registry (\(ActionKind.allCases.map(\.rawValue).joined(separator: ", ")))"))
        }
        let action = Action(kind: kind, regionID: a.regionID, storeID: a.storeID, fromStoreID: a.fromStoreID, toStoreID: a.toStoreID,
                            scheduler: a.scheduler.map { cut($0, 120) })
        let missing = action.missingParameters
        guard missing.isEmpty else { return .failure(ValidationFailure("\(kind.rawValue) needs \(missing.joined(separator: ", "))")) }
        for id in [action.storeID, action.fromStoreID, action.toStoreID].compactMap({ $0 }) where !c.allStoreIDs.contains(id) {
            return .failure(ValidationFailure("\(kind.rawValue) names store \(id), which PD does not list"))
        }
        if kind == .removeScheduler, let name = action.scheduler, !c.schedulers.contains(name) {
            return .failure(ValidationFailure("removeScheduler names \"\(name)\", which PD does not run"))
        }
        if let why = ActionPlausibility.objection(to: action, context: c) { return .failure(ValidationFailure(why)) }
        return .success(action)
    }

    public struct ValidationFailure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ d: String) { description = d }
    }

    static func cut(_ s: String, _ limit: Int = maxText) -> String { s.count > limit ? String(s.prefix(limit)) + "…" : s }
}
