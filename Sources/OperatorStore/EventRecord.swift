import Foundation
import GRDB

/// A Kubernetes-style event: repeats of the same (regarding, type, reason, message) raise
/// `count` and move `lastTimestamp` instead of adding rows.
package struct EventRecord: Equatable, Sendable {
    package enum EventType: String, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    package var id: Int64
    package var regardingKind: String
    package var regardingName: String
    package var type: EventType
    package var reason: String
    package var message: String
    package var count: Int64
    package var firstTimestamp: Date
    package var lastTimestamp: Date
}

extension EventRecord {
    init(row: Row) throws {
        let typeText: String = row["type"]
        guard let type = EventType(rawValue: typeText) else {
            throw StoreError.corrupt("event type \"\(typeText)\" is unknown")
        }
        self.init(
            id: row["id"], regardingKind: row["regarding_kind"], regardingName: row["regarding_name"],
            type: type, reason: row["reason"], message: row["message"], count: row["count"],
            firstTimestamp: StoreTime.date(row["first_timestamp"]),
            lastTimestamp: StoreTime.date(row["last_timestamp"])
        )
    }
}
