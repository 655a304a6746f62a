import Foundation

/// Metadata every object carries, after Kubernetes' `ObjectMeta`.
///
/// In spec files people set only `name`, `labels` and `annotations`; the rest is system-populated
/// by the store: `generation` moves when the spec content changes, `resourceVersion` on every write.
public struct ObjectMeta: Codable, Sendable, Equatable {
    public var name: String
    @Default<Zero<Int64>> public var generation: Int64
    @Default<String> public var resourceVersion: String
    @Default<[String: String]> public var labels: [String: String]
    @Default<[String: String]> public var annotations: [String: String]
    public var creationTimestamp: Date?

    public init(name: String, generation: Int64 = 0, resourceVersion: String = "", labels: [String: String] = [:],
                annotations: [String: String] = [:], creationTimestamp: Date? = nil) {
        self.name = name
        self.generation = generation
        self.resourceVersion = resourceVersion
        self.labels = labels
        self.annotations = annotations
        self.creationTimestamp = creationTimestamp
    }

    enum CodingKeys: String, CodingKey {
        case name, generation, resourceVersion, labels, annotations, creationTimestamp
    }

    /// Leaves out the fields at their defaults.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        if generation != 0 { try c.encode(generation, forKey: .generation) }
        if !resourceVersion.isEmpty { try c.encode(resourceVersion, forKey: .resourceVersion) }
        if !labels.isEmpty { try c.encode(labels, forKey: .labels) }
        if !annotations.isEmpty { try c.encode(annotations, forKey: .annotations) }
        try c.encodeIfPresent(creationTimestamp, forKey: .creationTimestamp)
    }
}
