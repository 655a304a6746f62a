import Foundation
import Reconcilers

/// Typed objects over the status store: `Resource<K>` in, `Resource<K>` out.
///
/// The store keeps spec and status as separate JSON columns; this layer joins them with the
/// metadata columns into the object people see with `operator get -o yaml`.
package struct ResourceStore: Sendable {
    package let store: StatusStore

    package init(store: StatusStore) { self.store = store }

    package func get<K: APIKind>(_ kind: K.Type, _ name: String) throws -> Resource<K>? {
        try store.get(kind: K.kind, name: name).map(Self.resource)
    }

    package func list<K: APIKind>(_ kind: K.Type) throws -> [Resource<K>] {
        try store.list(kind: K.kind).map(Self.resource)
    }

    static func resource<K: APIKind>(_ stored: StoredObject) throws -> Resource<K> {
        let spec = try CanonicalJSON.decode(K.Spec.self, from: stored.spec)
        let status = try stored.status.map { try CanonicalJSON.decode(K.Status.self, from: $0) } ?? K.Status()
        let meta = ObjectMeta(name: stored.name, generation: stored.generation, resourceVersion: String(stored.resourceVersion),
                              labels: stored.labels, annotations: stored.annotations, creationTimestamp: stored.creationTimestamp)
        return Resource<K>(metadata: meta, spec: spec, status: status)
    }
}

/// Finds a kind by any name the CLI accepts: `tikvclusters`, `tc`, `plan`, `RemediationPlan`…
package func resolveKind(_ text: String) -> (any APIKind.Type)? {
    let t = text.lowercased()
    return specStatusKinds.first { $0.kind.lowercased() == t || $0.plural == t || $0.aliases.contains(t) }
}

extension ResourceStore {
    /// Creates a controller-made object (spec and status). Throws `alreadyExists` if it exists.
    @discardableResult
    package func create<K: APIKind>(_ object: Resource<K>) throws -> Resource<K> {
        let stored = try store.putSpec(kind: K.kind, name: object.name, spec: CanonicalJSON.encode(object.spec),
                                       labels: object.metadata.labels, annotations: object.metadata.annotations,
                                       expectedResourceVersion: nil)
        // A new object's status reflects its first generation, conditions included, so the next pass
        // (which reads generation 1) computes an identical status and writes nothing.
        var status = object.status
        status.observedGeneration = stored.generation
        for i in status.conditions.indices { status.conditions[i].observedGeneration = stored.generation }
        let written = try store.putStatus(kind: K.kind, name: object.name, status: CanonicalJSON.encode(status),
                                          expectedResourceVersion: stored.resourceVersion)
        return try Self.resource(written)
    }

    /// Replaces the spec of a controller-made object, then its status (whose `observedGeneration`
    /// follows the new generation), both compare-and-swapped on `metadata.resourceVersion`.
    @discardableResult
    package func update<K: APIKind>(_ object: Resource<K>, specChanged: Bool, statusChanged: Bool) throws -> Resource<K> {
        var version = try Self.version(object)
        var generation = object.metadata.generation
        if specChanged {
            let stored = try store.putSpec(kind: K.kind, name: object.name, spec: CanonicalJSON.encode(object.spec),
                                           labels: object.metadata.labels, annotations: object.metadata.annotations,
                                           expectedResourceVersion: version)
            version = stored.resourceVersion
            generation = stored.generation
        }
        var status = object.status
        if specChanged {
            status.observedGeneration = generation
            for i in status.conditions.indices { status.conditions[i].observedGeneration = generation }
        }
        if specChanged || statusChanged {
            let written = try store.putStatus(kind: K.kind, name: object.name, status: CanonicalJSON.encode(status),
                                              expectedResourceVersion: version)
            return try Self.resource(written)
        }
        return object
    }

    /// Writes only the status (objects whose spec people own).
    @discardableResult
    package func updateStatus<K: APIKind>(_ object: Resource<K>) throws -> Resource<K> {
        let written = try store.putStatus(kind: K.kind, name: object.name, status: CanonicalJSON.encode(object.status),
                                          expectedResourceVersion: try Self.version(object))
        return try Self.resource(written)
    }

    private static func version<K: APIKind>(_ object: Resource<K>) throws -> Int64 {
        guard let v = Int64(object.metadata.resourceVersion) else {
            throw StoreError.invalidArgument("\(K.kind)/\(object.name) has no resourceVersion to compare against")
        }
        return v
    }
}
