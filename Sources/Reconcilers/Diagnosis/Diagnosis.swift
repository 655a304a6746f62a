import Foundation

/// The causes a diagnosis can name. Closed, so a model's answer is checked against it and the rules
/// engine and a model speak the same vocabulary.
public enum DiagnosisCause: String, Codable, Sendable, CaseIterable {
    case storeProcessDown
    case networkPartition
    case diskFull
    case slowDisk
    case hotRegion
    case leaderImbalance
    case regionImbalance
    case leftoverScheduler
    case flappingStore
    case unhealthyRegions
    /// Regions lost their Raft quorum: a majority of their voters is on stores that are not alive.
    case quorumLoss
    case pdUnhealthy
    /// Replicas share a `location-labels` level (two in one zone) that PD's checkers should separate.
    case replicasNotIsolated
    /// The data at hand cannot tell the candidates apart; the diagnosis says which data would.
    case insufficientData
    case other
}

public enum Confidence: String, Codable, Sendable, CaseIterable, Comparable {
    case low, medium, high

    public static func < (a: Confidence, b: Confidence) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One piece of evidence, pointing at a metric or a fact of the context (`ref`), so a reader can check it.
public struct Evidence: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case metric, fact }
    public var kind: Kind
    /// A reference the context defines, e.g. `store/3.liveness`, `store/3.metrics.up`, `ticket.readings.heartbeatAge`.
    public var ref: String
    public var statement: String

    public init(_ kind: Kind, _ ref: String, _ statement: String) {
        self.kind = kind
        self.ref = ref
        self.statement = statement
    }
}

public struct Hypothesis: Codable, Sendable, Equatable {
    public var cause: DiagnosisCause
    /// One line for people: "store 3's process is down".
    public var title: String
    public var confidence: Confidence
    public var evidence: [Evidence]

    public init(cause: DiagnosisCause, title: String, confidence: Confidence, evidence: [Evidence]) {
        self.cause = cause
        self.title = title
        self.confidence = confidence
        self.evidence = evidence
    }
}

/// A cause considered and not chosen, with what speaks for and against it.
public struct Alternative: Codable, Sendable, Equatable {
    public var cause: DiagnosisCause
    public var title: String
    public var supporting: [Evidence]
    public var contradicting: [Evidence]
    public var whyRuledOut: String

    public init(cause: DiagnosisCause, title: String, supporting: [Evidence] = [], contradicting: [Evidence] = [], whyRuledOut: String) {
        self.cause = cause
        self.title = title
        self.supporting = supporting
        self.contradicting = contradicting
        self.whyRuledOut = whyRuledOut
    }
}

public struct TimelineEntry: Codable, Sendable, Equatable {
    /// ISO 8601 when known; free text ("before observation") otherwise.
    public var at: String
    public var event: String

    public init(at: String, event: String) {
        self.at = at
        self.event = event
    }
}

public struct DiagnosisReading: Codable, Sendable, Equatable {
    public var name: String
    public var subject: String
    /// nil: unknown (no series, no Prometheus); never read as zero.
    public var value: Double?
    public var unit: String
    public var source: String

    public init(name: String, subject: String, value: Double?, unit: String, source: String) {
        self.name = name
        self.subject = subject
        self.value = value
        self.unit = unit
        self.source = source
    }
}

/// What a provider concluded about one ticket: stored on the ticket's status, rendered by
/// `operator describe`. It annotates; it never approves or executes anything.
public struct Diagnosis: Codable, Sendable, Equatable {
    public var ticket: String
    public var timeline: [TimelineEntry]
    public var affectedComponents: [String]
    public var readings: [DiagnosisReading]
    public var primary: Hypothesis
    public var alternatives: [Alternative]
    public var recommendedAction: String
    /// The same steps as a person would type them, e.g. `pd-ctl store 3`.
    public var pdCtlEquivalents: [String]
    public var risks: [String]
    /// Machine-readable suggestions, each valid against the action registry. At most they become an
    /// AI-origin plan suggestion that a person must approve.
    public var suggestedActions: [Action]
    /// Why each suggested action, as the model gave it, in the same order; nil when none were given (the rules engine,
    /// diagnoses stored before rationales). Control characters removed and capped when validated.
    public var actionRationales: [String]?
    /// What was dropped or corrected while validating the answer (invalid actions, unknown evidence refs).
    public var notes: [String]
    /// `rules`, `anthropic`, `openai`.
    public var provider: String
    public var model: String
    public var createdAt: Date
    /// The digest of the context it was made from; the same ticket with the same digest is not diagnosed again.
    public var contextDigest: String

    public init(ticket: String, timeline: [TimelineEntry] = [], affectedComponents: [String] = [], readings: [DiagnosisReading] = [],
                primary: Hypothesis, alternatives: [Alternative] = [], recommendedAction: String, pdCtlEquivalents: [String] = [],
                risks: [String] = [], suggestedActions: [Action] = [], actionRationales: [String]? = nil, notes: [String] = [],
                provider: String, model: String, createdAt: Date, contextDigest: String) {
        self.ticket = ticket
        self.timeline = timeline
        self.affectedComponents = affectedComponents
        self.readings = readings
        self.primary = primary
        self.alternatives = alternatives
        self.recommendedAction = recommendedAction
        self.pdCtlEquivalents = pdCtlEquivalents
        self.risks = risks
        self.suggestedActions = suggestedActions
        self.actionRationales = actionRationales
        self.notes = notes
        self.provider = provider
        self.model = model
        self.createdAt = createdAt
        self.contextDigest = contextDigest
    }

    /// The model's reason for suggested action `index`, when it gave one.
    public func rationale(ofAction index: Int) -> String? {
        guard let rationales = actionRationales, rationales.indices.contains(index), !rationales[index].isEmpty else { return nil }
        return rationales[index]
    }

    /// The notes that say a suggested action was dropped, and why.
    public var droppedSuggestions: [String] { notes.filter { $0.hasPrefix("suggested action") } }
}
