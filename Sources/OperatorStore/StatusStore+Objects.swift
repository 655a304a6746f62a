import Foundation
import Reconcilers
import GRDB

/// Objects: spec and status with optimistic concurrency on a store-wide resourceVersion.
extension StatusStore {
    /// Creates (`expectedResourceVersion == nil`) or compare-and-swaps the spec of an object.
    ///
    /// `spec` must be canonical JSON: its FNV-1a hash decides whether `generation` moves.
    /// A write that changes nothing returns the stored object untouched.
    @discardableResult
    package func putSpec(
        kind: String, name: String, spec: Data,
        labels: [String: String] = [:], annotations: [String: String] = [:], source: String? = nil,
        expectedResourceVersion: Int64?
    ) throws -> StoredObject {
        try Self.validateKey(kind: kind, name: name)
        let specText = try StoreJSON.text(spec, field: "spec of \(kind)/\(name)")
        let specHash = ContentHash.hex(of: spec)
        let labelsText = try StoreJSON.encodeMap(labels)
        let annotationsText = try StoreJSON.encodeMap(annotations)

        return try write(.leaseHolder(operation: "write the spec of \(kind)/\(name)")) { db, now in
            guard let existing = try StoredObject.fetch(db, kind: kind, name: name) else {
                if expectedResourceVersion != nil { throw StoreError.notFound(kind: kind, name: name) }
                let version = try Self.nextResourceVersion(db)
                try db.execute(
                    sql: """
                        INSERT INTO objects (kind, name, generation, resource_version, spec_hash, spec,
                                             labels, annotations, creation_timestamp, source)
                        VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [kind, name, version, specHash, specText, labelsText, annotationsText,
                                StoreTime.millis(now), source])
                return try Self.reread(db, kind: kind, name: name)
            }
            guard let expected = expectedResourceVersion else {
                throw StoreError.alreadyExists(kind: kind, name: name)
            }
            guard existing.resourceVersion == expected else {
                throw StoreError.conflict(kind: kind, name: name, expected: expected, actual: existing.resourceVersion)
            }
            let specChanged = existing.specHash != specHash || existing.spec != spec
            if !specChanged && existing.labels == labels && existing.annotations == annotations
                && existing.source == source
            {
                return WriteResult(value: existing, changed: false)
            }
            let generation = existing.specHash == specHash ? existing.generation : existing.generation + 1
            let version = try Self.nextResourceVersion(db)
            try db.execute(
                sql: """
                    UPDATE objects SET generation = ?, resource_version = ?, spec_hash = ?, spec = ?,
                                       labels = ?, annotations = ?, source = ?
                    WHERE kind = ? AND name = ?
                    """,
                arguments: [generation, version, specHash, specText, labelsText, annotationsText, source,
                            kind, name])
            return try Self.reread(db, kind: kind, name: name)
        }
    }

    /// Compare-and-swaps the status of an existing object. Byte-identical status is a no-op.
    @discardableResult
    package func putStatus(kind: String, name: String, status: Data, expectedResourceVersion: Int64) throws -> StoredObject {
        try Self.validateKey(kind: kind, name: name)
        let statusText = try StoreJSON.text(status, field: "status of \(kind)/\(name)")
        return try write(.leaseHolder(operation: "write the status of \(kind)/\(name)")) { db, _ in
            guard let existing = try StoredObject.fetch(db, kind: kind, name: name) else {
                throw StoreError.notFound(kind: kind, name: name)
            }
            guard existing.resourceVersion == expectedResourceVersion else {
                throw StoreError.conflict(
                    kind: kind, name: name, expected: expectedResourceVersion, actual: existing.resourceVersion)
            }
            if existing.status == status {
                return WriteResult(value: existing, changed: false)
            }
            let version = try Self.nextResourceVersion(db)
            try db.execute(
                sql: """
                    INSERT INTO status (kind, name, status, resource_version) VALUES (?, ?, ?, ?)
                    ON CONFLICT (kind, name) DO UPDATE SET
                        status = excluded.status, resource_version = excluded.resource_version
                    """,
                arguments: [kind, name, statusText, version])
            try db.execute(
                sql: "UPDATE objects SET resource_version = ? WHERE kind = ? AND name = ?",
                arguments: [version, kind, name])
            return try Self.reread(db, kind: kind, name: name)
        }
    }

    /// Deletes an object and its status if it is still at `expectedResourceVersion`.
    package func delete(kind: String, name: String, expectedResourceVersion: Int64) throws {
        try write(.leaseHolder(operation: "delete \(kind)/\(name)")) { db, _ in
            guard let existing = try StoredObject.fetch(db, kind: kind, name: name) else {
                throw StoreError.notFound(kind: kind, name: name)
            }
            guard existing.resourceVersion == expectedResourceVersion else {
                throw StoreError.conflict(
                    kind: kind, name: name, expected: expectedResourceVersion, actual: existing.resourceVersion)
            }
            try db.execute(sql: "DELETE FROM objects WHERE kind = ? AND name = ?", arguments: [kind, name])
            // A deletion is a revision too, so anyone comparing revisions sees that something moved.
            try Self.nextResourceVersion(db)
            return WriteResult(value: (), changed: true)
        }
    }

    package func get(kind: String, name: String) throws -> StoredObject? {
        try dbPool.read { db in try StoredObject.fetch(db, kind: kind, name: name) }
    }

    /// All objects of a kind, sorted by name.
    package func list(kind: String) throws -> [StoredObject] {
        try dbPool.read { db in
            try Row.fetchAll(db, sql: StoredObject.selectSQL + " WHERE o.kind = ? ORDER BY o.name", arguments: [kind])
                .map(StoredObject.init(row:))
        }
    }

    private static func reread(_ db: Database, kind: String, name: String) throws -> WriteResult<StoredObject> {
        guard let stored = try StoredObject.fetch(db, kind: kind, name: name) else {
            throw StoreError.corrupt("\(kind)/\(name) vanished inside its own transaction")
        }
        return WriteResult(value: stored, changed: true)
    }

    private static func validateKey(kind: String, name: String) throws {
        guard !kind.isEmpty, !name.isEmpty else {
            throw StoreError.invalidArgument("an object needs a non-empty kind and name (got \"\(kind)/\(name)\")")
        }
    }
}
