import Foundation

/// The store keeps every timestamp as Unix epoch milliseconds (INTEGER, UTC): it sorts and
/// compares in SQL without parsing, and millisecond precision is what the API exposes.
enum StoreTime {
    static func millis(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func date(_ millis: Int64) -> Date {
        Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    static func millis(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
