import Foundation

/// A status condition shaped like Kubernetes' `metav1.Condition`.
public struct Condition: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case `true` = "True"
        case `false` = "False"
        case unknown = "Unknown"
    }

    /// CamelCase type, an adjective or past-tense verb: `Valid`, `Observed`, `Approved`, `Blocked`.
    public var type: String
    public var status: Status
    /// The generation of the object's spec this condition was computed from.
    public var observedGeneration: Int64
    /// Changes only when `status` changes, so it says how long the condition has held.
    public var lastTransitionTime: Date
    /// CamelCase, machine-readable: `InvalidSpec`, `RevisionChanged`.
    public var reason: String
    public var message: String

    public init(type: String, status: Status, observedGeneration: Int64, lastTransitionTime: Date, reason: String, message: String) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

extension Array where Element == Condition {
    public subscript(type type: String) -> Condition? {
        first { $0.type == type }
    }

    public func isTrue(_ type: String) -> Bool { self[type: type]?.status == .true }

    /// Sets a condition the way `meta.SetStatusCondition` does: `lastTransitionTime` moves only when
    /// the status changes; reason, message and observedGeneration are always refreshed.
    /// Returns whether anything changed, so an idle pass can skip its write.
    @discardableResult
    public mutating func set(
        _ type: String, _ status: Condition.Status, reason: String, message: String,
        observedGeneration: Int64, now: Date
    ) -> Bool {
        if let i = firstIndex(where: { $0.type == type }) {
            var c = self[i]
            if c.status != status {
                c.status = status
                c.lastTransitionTime = now
            }
            c.reason = reason
            c.message = message
            c.observedGeneration = observedGeneration
            if c == self[i] { return false }
            self[i] = c
            return true
        }
        append(Condition(type: type, status: status, observedGeneration: observedGeneration,
                         lastTransitionTime: now, reason: reason, message: message))
        return true
    }
}
