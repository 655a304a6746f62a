import Foundation
import GRDB

/// The store's schema, one migration per release that changed it. Never edit a shipped
/// migration: add the next one. Each migration also sets `PRAGMA user_version` to its number,
/// so an older binary can name the version it found when it refuses a newer file.
enum StoreMigrations {
    /// Identifiers in order; the schema version is the position (1-based) of the last one.
    static let identifiers = ["v1", "v2", "v3"]
    static var knownVersion: Int { identifiers.count }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1)
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        migrator.registerMigration("v2") { db in
            // Bumped only by client-role writes (the CLI's approvals, kill switch), so the
            // controller wakes for them within a poll but never for its own writes.
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('client_change_counter', 0)")
            try db.execute(sql: "PRAGMA user_version = 2")
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: v3)
            try db.execute(sql: "PRAGMA user_version = 3")
        }
        return migrator
    }

    /// Refuses a file migrated by a newer release, before anything is written to it.
    /// The lease as every schema since v1 stores it (read with plain SQL, so it works on a store not yet migrated).
    static func leaseHolder(_ db: Database) throws -> (holder: String, expiresAt: Date)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT holder, expires_at FROM lease WHERE id = 1") else { return nil }
        let millis: Int64 = row["expires_at"]
        return (row["holder"], Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    static func checkNotNewer(_ db: Database) throws {
        let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        let superseded = try migrator.hasBeenSuperseded(db)
        if userVersion > knownVersion || superseded {
            throw StoreError.schemaTooNew(found: max(userVersion, knownVersion + 1), known: knownVersion)
        }
    }

    private static let v1 = """
        -- Store-wide counters: the resourceVersion revision and the change counter pollers watch.
        CREATE TABLE meta (
            key TEXT PRIMARY KEY NOT NULL,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO meta (key, value) VALUES ('resource_version', 0), ('change_counter', 0);

        CREATE TABLE objects (
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            generation INTEGER NOT NULL CHECK (generation >= 1),
            resource_version INTEGER NOT NULL,
            spec_hash TEXT NOT NULL,
            spec TEXT NOT NULL,
            labels TEXT NOT NULL DEFAULT '{}',
            annotations TEXT NOT NULL DEFAULT '{}',
            creation_timestamp INTEGER NOT NULL,
            source TEXT,
            PRIMARY KEY (kind, name)
        ) WITHOUT ROWID;

        -- Status lives apart from spec (Kubernetes' status subresource): different writers.
        CREATE TABLE status (
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            resource_version INTEGER NOT NULL,
            PRIMARY KEY (kind, name),
            FOREIGN KEY (kind, name) REFERENCES objects (kind, name) ON DELETE CASCADE
        ) WITHOUT ROWID;

        CREATE TABLE lease (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            holder TEXT NOT NULL,
            acquired_at INTEGER NOT NULL,
            renewed_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            ttl_ms INTEGER NOT NULL CHECK (ttl_ms > 0)
        );

        CREATE TABLE approvals (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            plan TEXT NOT NULL,
            revision TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
            approver TEXT NOT NULL,
            source TEXT NOT NULL,
            reason TEXT,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            UNIQUE (plan, revision, decision, approver, source)
        );
        CREATE INDEX approvals_by_plan ON approvals (plan, id);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            regarding_kind TEXT NOT NULL,
            regarding_name TEXT NOT NULL,
            type TEXT NOT NULL CHECK (type IN ('Normal', 'Warning')),
            reason TEXT NOT NULL,
            message TEXT NOT NULL,
            count INTEGER NOT NULL CHECK (count >= 1),
            first_timestamp INTEGER NOT NULL,
            last_timestamp INTEGER NOT NULL,
            UNIQUE (regarding_kind, regarding_name, type, reason, message)
        );
        CREATE INDEX events_by_last_timestamp ON events (last_timestamp, id);

        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            timestamp INTEGER NOT NULL,
            actor TEXT NOT NULL,
            source TEXT NOT NULL,
            action TEXT NOT NULL,
            kind TEXT,
            name TEXT,
            before TEXT,
            after TEXT,
            message TEXT NOT NULL
        );
        CREATE INDEX audit_by_timestamp ON audit (timestamp, id);
        CREATE INDEX audit_by_object ON audit (kind, name, id);
        -- Append-only, enforced by SQLite itself so no code path (or sqlite3 shell) rewrites history.
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

        CREATE TABLE settings (
            key TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            updated_by TEXT NOT NULL
        ) WITHOUT ROWID;
        """

    /// Signed approvals (issue 17): the signed payload and its `SSHSIG` signature beside each decision, the key the
    /// signature named, and why the controller refused it. The table is rebuilt because v1's UNIQUE over
    /// (plan, revision, decision, approver, source) kept a person from approving again once their approval expired;
    /// sameness is now the store's check in code, and a signature may be stored once.
    private static let v3 = """
        CREATE TABLE approvals_v3 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            plan TEXT NOT NULL,
            revision TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
            approver TEXT NOT NULL,
            source TEXT NOT NULL,
            reason TEXT,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            payload TEXT,
            signature TEXT,
            key_fingerprint TEXT,
            refusal TEXT,
            CHECK ((payload IS NULL) = (signature IS NULL))
        );
        INSERT INTO approvals_v3 (id, plan, revision, decision, approver, source, reason, created_at, expires_at)
            SELECT id, plan, revision, decision, approver, source, reason, created_at, expires_at FROM approvals;
        DROP TABLE approvals;
        ALTER TABLE approvals_v3 RENAME TO approvals;
        CREATE INDEX approvals_by_plan ON approvals (plan, id);
        CREATE UNIQUE INDEX approvals_by_signature ON approvals (signature) WHERE signature IS NOT NULL;
        """
}
