import Foundation
import Reconcilers

/// Typed objects over the status store: `Resource<K>` in, `Resource<K>` out.
///
/// The store keeps spec and status as separate JSON columns; this layer joins them with the
/// metadata columns into the object people see with `operator get -o yaml`.
struct ResourceStore: Sendable {
    let store: StatusStore

    func get<K: APIKind>(_ kind: K.Type, _ name: String) throws -> Resource<K>? {
        try store.get(kind: K.kind, name: name).map(Self.resource)
    }

    func list<K: APIKind>(_ kind: K.Type) throws -> [Resource<K>] {
        try store.list(kind: K.kind).map(Self.resource)
    }

    static func resource<K: APIKind>(_ stored: StoredObject) throws -> Resource<K> {
        let spec = try CanonicalJSON.decode(K.Spec.self, from: stored.spec)
        let status = try stored.status.map { try CanonicalJSON.decode(K.Status.self, from: $0) } ?? K.Status()
        let meta = ObjectMeta(name: stored.name, generation: stored.generation, resourceVersion: String(stored.resourceVersion),
                              labels: stored.labels, annotations: stored.annotations, creationTimestamp: stored.creationTimestamp)
        return Resource<K>(metadata: meta, spec: spec, status: status)
    }

    /// Writes a status with compare-and-swap on the object's resourceVersion; a no-op when unchanged.
    @discardableResult
    func putStatus<K: APIKind>(_ object: Resource<K>) throws -> Resource<K> {
        guard let rv = Int64(object.metadata.resourceVersion) else {
            throw StoreError.invalidArgument("\(K.kind)/\(object.name) has no resourceVersion; read it from the store first")
        }
        let stored = try store.putStatus(kind: K.kind, name: object.name, status: CanonicalJSON.encode(object.status), expectedResourceVersion: rv)
        return try Self.resource(stored)
    }
}

/// Finds a kind by any name the CLI accepts: `tikvclusters`, `tc`, `plan`, `RemediationPlan`…
func resolveKind(_ text: String) -> (any APIKind.Type)? {
    let t = text.lowercased()
    return specStatusKinds.first { $0.kind.lowercased() == t || $0.plural == t || $0.aliases.contains(t) }
}
