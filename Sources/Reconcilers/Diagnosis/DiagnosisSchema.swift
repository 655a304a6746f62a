import Foundation

/// The JSON Schema of a `DiagnosisDraft`: the Anthropic tool's `input_schema` and the OpenAI
/// `response_format` schema. Every property is required and optional values are nullable, which is
/// what OpenAI's strict mode demands and what keeps a model from leaving the evidence out.
public enum DiagnosisSchema {
    public static let toolName = "record_diagnosis"
    public static let toolDescription = "Record the structured diagnosis of the ticket. Every evidence item must name, in `ref`, a metric or fact of the context."

    public static var json: String {
        let causes = DiagnosisCause.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let kinds = ActionKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let evidence = """
            {"type": "object", "additionalProperties": false, "required": ["kind", "ref", "statement"], "properties": {
              "kind": {"type": "string", "enum": ["metric", "fact"]},
              "ref": {"type": "string", "description": "A reference the context defines, e.g. store/3.liveness, store/3.metrics.up, ticket.readings.heartbeatAge, history.p99Latency/store/3"},
              "statement": {"type": "string"}}}
            """
        return """
            {"type": "object", "additionalProperties": false,
             "required": ["timeline", "affectedComponents", "readings", "primary", "alternatives", "recommendedAction", "pdCtlEquivalents", "risks", "suggestedActions"],
             "properties": {
              "timeline": {"type": "array", "items": {"type": "object", "additionalProperties": false, "required": ["at", "event"], "properties": {
                "at": {"type": "string", "description": "ISO 8601 time"}, "event": {"type": "string"}}}},
              "affectedComponents": {"type": "array", "items": {"type": "string"}},
              "readings": {"type": "array", "items": {"type": "object", "additionalProperties": false, "required": ["name", "subject", "value", "unit", "source"], "properties": {
                "name": {"type": "string"}, "subject": {"type": "string"}, "value": {"type": ["number", "null"]}, "unit": {"type": "string"}, "source": {"type": "string"}}}},
              "primary": {"type": "object", "additionalProperties": false, "required": ["cause", "title", "confidence", "evidence"], "properties": {
                "cause": {"type": "string", "enum": [\(causes)]},
                "title": {"type": "string"},
                "confidence": {"type": "string", "enum": ["low", "medium", "high"]},
                "evidence": {"type": "array", "items": \(evidence)}}},
              "alternatives": {"type": "array", "items": {"type": "object", "additionalProperties": false, "required": ["cause", "title", "supporting", "contradicting", "whyRuledOut"], "properties": {
                "cause": {"type": "string", "enum": [\(causes)]},
                "title": {"type": "string"},
                "supporting": {"type": "array", "items": \(evidence)},
                "contradicting": {"type": "array", "items": \(evidence)},
                "whyRuledOut": {"type": "string"}}}},
              "recommendedAction": {"type": "string"},
              "pdCtlEquivalents": {"type": "array", "items": {"type": "string"}},
              "risks": {"type": "array", "items": {"type": "string"}},
              "suggestedActions": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                "required": ["kind", "regionID", "storeID", "fromStoreID", "toStoreID", "scheduler", "rationale"], "properties": {
                "kind": {"type": "string", "enum": [\(kinds)]},
                "regionID": {"type": ["integer", "null"]}, "storeID": {"type": ["integer", "null"]},
                "fromStoreID": {"type": ["integer", "null"]}, "toStoreID": {"type": ["integer", "null"]},
                "scheduler": {"type": ["string", "null"]},
                "rationale": {"type": "string", "description": "Why this step, from the evidence: shown to the person who approves the plan made from these actions"}}}}}}
            """
    }
}
