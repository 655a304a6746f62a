import Foundation

/// A suggested action as a provider wrote it: the kind is text, so one unknown kind is dropped with a
/// note instead of failing the whole answer.
public struct SuggestedActionDraft: Codable, Sendable, Equatable {
    public var kind: String
    public var regionID: UInt64?
    public var storeID: UInt64?
    public var fromStoreID: UInt64?
    public var toStoreID: UInt64?
    public var scheduler: String?
    /// Why the model suggests this step, in its words: shown beside the step of the plan made from it. Optional so
    /// an answer without it still decodes (the step then has no rationale to show).
    public var rationale: String?

    public init(kind: String, regionID: UInt64? = nil, storeID: UInt64? = nil, fromStoreID: UInt64? = nil, toStoreID: UInt64? = nil,
                scheduler: String? = nil, rationale: String? = nil) {
        self.kind = kind
        self.regionID = regionID
        self.storeID = storeID
        self.fromStoreID = fromStoreID
        self.toStoreID = toStoreID
        self.scheduler = scheduler
        self.rationale = rationale
    }

    public init(_ a: Action, rationale: String? = nil) {
        self.init(kind: a.kind.rawValue, regionID: a.regionID, storeID: a.storeID, fromStoreID: a.fromStoreID, toStoreID: a.toStoreID,
                  scheduler: a.scheduler, rationale: rationale)
    }
}

/// The part of a `Diagnosis` a provider writes; `DiagnosisValidation.finalize` checks it against the
/// context and the action registry and adds provider, model, time and digest. Its JSON shape is the
/// output schema (`DiagnosisSchema`) sent to models.
public struct DiagnosisDraft: Codable, Sendable, Equatable {
    public var timeline: [TimelineEntry]
    public var affectedComponents: [String]
    public var readings: [DiagnosisReading]
    public var primary: Hypothesis
    public var alternatives: [Alternative]
    public var recommendedAction: String
    public var pdCtlEquivalents: [String]
    public var risks: [String]
    public var suggestedActions: [SuggestedActionDraft]

    public init(timeline: [TimelineEntry], affectedComponents: [String], readings: [DiagnosisReading], primary: Hypothesis,
                alternatives: [Alternative], recommendedAction: String, pdCtlEquivalents: [String], risks: [String],
                suggestedActions: [SuggestedActionDraft]) {
        self.timeline = timeline
        self.affectedComponents = affectedComponents
        self.readings = readings
        self.primary = primary
        self.alternatives = alternatives
        self.recommendedAction = recommendedAction
        self.pdCtlEquivalents = pdCtlEquivalents
        self.risks = risks
        self.suggestedActions = suggestedActions
    }
}
