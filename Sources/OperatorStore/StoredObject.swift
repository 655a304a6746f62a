import Foundation
import GRDB

/// One object as the store holds it: spec and status side by side, with the metadata that
/// optimistic concurrency and `observedGeneration` need.
package struct StoredObject: Equatable, Sendable {
    package var kind: String
    package var name: String
    /// Bumped only when the spec's content hash changes; a create starts at 1.
    package var generation: Int64
    /// The store-wide revision of the object's latest spec or status write (like etcd's).
    package var resourceVersion: Int64
    var specHash: String
    package var spec: Data
    package var status: Data?
    var labels: [String: String]
    var annotations: [String: String]
    var creationTimestamp: Date
    /// Where the spec came from (e.g. a spec file path); nil for controller-made objects.
    var source: String?
}

extension StoredObject {
    /// Columns of `objects o LEFT JOIN status s`, in the order `init(row:)` reads them.
    static let selectSQL = """
        SELECT o.kind, o.name, o.generation, o.resource_version, o.spec_hash, o.spec,
               s.status, o.labels, o.annotations, o.creation_timestamp, o.source
        FROM objects o LEFT JOIN status s ON s.kind = o.kind AND s.name = o.name
        """

    init(row: Row) throws {
        let specText: String = row["spec"]
        let statusText: String? = row["status"]
        self.init(
            kind: row["kind"],
            name: row["name"],
            generation: row["generation"],
            resourceVersion: row["resource_version"],
            specHash: row["spec_hash"],
            spec: Data(specText.utf8),
            status: statusText.map { Data($0.utf8) },
            labels: try StoreJSON.decodeMap(row["labels"], field: "labels"),
            annotations: try StoreJSON.decodeMap(row["annotations"], field: "annotations"),
            creationTimestamp: StoreTime.date(row["creation_timestamp"]),
            source: row["source"]
        )
    }

    static func fetch(_ db: Database, kind: String, name: String) throws -> StoredObject? {
        try Row.fetchOne(db, sql: selectSQL + " WHERE o.kind = ? AND o.name = ?", arguments: [kind, name])
            .map(StoredObject.init(row:))
    }
}
