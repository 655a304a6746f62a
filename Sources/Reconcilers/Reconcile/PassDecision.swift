import Foundation

/// One line of what a pass decided, for the controller's log: a constant phrase and, as fields, the names it is
/// about (`ticket`, `plan`, `step`, `store`, `region`, …), so a log query filters on `plan=…` instead of parsing
/// text. The pure reconciler produces it; the controller logs it at its level (the pass's logger adds `cluster`).
public struct PassDecision: Sendable, Equatable, CustomStringConvertible {
    /// The log levels a decision may ask for; the controller maps them onto its logger's.
    public enum Level: String, Sendable, Equatable {
        /// Routine: a pass that changed nothing.
        case debug
        case info
        /// What people did or must know about: the kill switch, approvals, rejections.
        case notice
    }

    public var level: Level
    public var message: String
    public var fields: [String: String]

    public init(_ level: Level = .info, _ message: String, _ fields: [String: String] = [:]) {
        self.level = level
        self.message = message
        self.fields = fields
    }

    /// `message key=value …`, keys sorted: how tests and error messages show it.
    public var description: String {
        ([message] + fields.keys.sorted().map { "\($0)=\(fields[$0] ?? "")" }).joined(separator: " ")
    }
}
