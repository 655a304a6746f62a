import Foundation

public enum EventType: String, Codable, Sendable, CaseIterable {
    case normal = "Normal"
    case warning = "Warning"
}

/// A Kubernetes-style event: a notification about an object, deduplicated with a count.
/// The durable record is the audit log; events are for people watching.
public struct Event: Codable, Sendable, Equatable {
    public var apiVersion = apiVersionV1Alpha1
    public var kind = "Event"
    public var regarding: ObjectReference
    public var type: EventType
    /// Unique, specific, CamelCase: `StoreDown`, `PlanApproved`.
    public var reason: String
    public var message: String
    public var count: Int
    public var firstTimestamp: Date
    public var lastTimestamp: Date

    public init(regarding: ObjectReference, type: EventType, reason: String, message: String, count: Int = 1,
                firstTimestamp: Date, lastTimestamp: Date) {
        self.regarding = regarding
        self.type = type
        self.reason = reason
        self.message = message
        self.count = count
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
    }
}
