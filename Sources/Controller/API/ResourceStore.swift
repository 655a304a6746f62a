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
}

/// Finds a kind by any name the CLI accepts: `tikvclusters`, `tc`, `plan`, `RemediationPlan`…
func resolveKind(_ text: String) -> (any APIKind.Type)? {
    let t = text.lowercased()
    return specStatusKinds.first { $0.kind.lowercased() == t || $0.plural == t || $0.aliases.contains(t) }
}
