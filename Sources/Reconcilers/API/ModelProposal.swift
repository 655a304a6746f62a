import Foundation

/// Where a plan of origin `ai` came from, kept on the plan so the person asked to approve it reads the model's case
/// beside its steps: the model, the diagnosis (conclusion and evidence), each step's rationale as the model gave it,
/// and what was suggested but left out. Not part of the revision: approvals bind to the steps alone.
public struct ModelProposal: Codable, Sendable, Equatable {
    /// `anthropic`, `openai`.
    public var provider: String
    public var model: String
    /// The diagnosed ticket and when its diagnosis was made.
    public var ticket: String
    public var diagnosedAt: Date
    public var contextDigest: String
    public var title: String
    public var cause: DiagnosisCause
    public var confidence: Confidence
    public var evidence: [Evidence]
    public var recommendedAction: String
    /// One per step, by step name; a step the model gave no reason for has none.
    public var rationales: [StepRationale]
    /// Suggested actions that did not become steps, each with why: dropped when the diagnosis was validated, or when
    /// the planner checked them against the current snapshot.
    public var dropped: [String]

    public struct StepRationale: Codable, Sendable, Equatable {
        public var step: String
        public var rationale: String

        public init(step: String, rationale: String) {
            self.step = step
            self.rationale = rationale
        }
    }

    public init(provider: String, model: String, ticket: String, diagnosedAt: Date, contextDigest: String, title: String,
                cause: DiagnosisCause, confidence: Confidence, evidence: [Evidence], recommendedAction: String,
                rationales: [StepRationale], dropped: [String]) {
        self.provider = provider
        self.model = model
        self.ticket = ticket
        self.diagnosedAt = diagnosedAt
        self.contextDigest = contextDigest
        self.title = title
        self.cause = cause
        self.confidence = confidence
        self.evidence = evidence
        self.recommendedAction = recommendedAction
        self.rationales = rationales
        self.dropped = dropped
    }

    public func rationale(of step: String) -> String? { rationales.first { $0.step == step }?.rationale }
}
