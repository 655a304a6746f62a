import Foundation
import GRDB

/// The single-writer lease: the one row that says which controller may write the store.
package struct LeaseRecord: Equatable, Sendable {
    package var holder: String
    var acquiredAt: Date
    var renewedAt: Date
    package var expiresAt: Date
    var ttl: Duration

    package func isValid(at now: Date) -> Bool { expiresAt > now }
}

extension LeaseRecord {
    init(row: Row) {
        let ttlMillis: Int64 = row["ttl_ms"]
        self.init(
            holder: row["holder"], acquiredAt: StoreTime.date(row["acquired_at"]),
            renewedAt: StoreTime.date(row["renewed_at"]), expiresAt: StoreTime.date(row["expires_at"]),
            ttl: .milliseconds(ttlMillis)
        )
    }

    static func fetch(_ db: Database) throws -> LeaseRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM lease WHERE id = 1").map(LeaseRecord.init(row:))
    }
}
