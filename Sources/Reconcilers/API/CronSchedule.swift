import Foundation
import PDWire

/// A five-field cron expression (`minute hour day-of-month month day-of-week`) for maintenance windows.
///
/// Supports `*`, lists (`1,15`), ranges (`1-5`), steps (`*/15`, `0-30/10`) and month/day names
/// (`JAN`, `MON`). Day-of-month and day-of-week combine like Vixie cron: when both are restricted,
/// either may match.
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    public let expression: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let domRestricted: Bool
    let dowRestricted: Bool

    public var description: String { expression }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public init(parsing expression: String) throws(ParseError) {
        let fields = expression.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(message: "\"\(expression)\" is not a cron schedule: expected 5 fields (minute hour day-of-month month day-of-week), got \(fields.count)")
        }
        self.expression = expression
        minutes = try Self.field(fields[0], name: "minute", 0...59, names: [:])
        hours = try Self.field(fields[1], name: "hour", 0...23, names: [:])
        daysOfMonth = try Self.field(fields[2], name: "day-of-month", 1...31, names: [:])
        months = try Self.field(fields[3], name: "month", 1...12, names: Self.monthNames)
        // 7 is also Sunday.
        daysOfWeek = Set(try Self.field(fields[4], name: "day-of-week", 0...7, names: Self.dayNames).map { $0 % 7 })
        domRestricted = fields[2] != "*"
        dowRestricted = fields[4] != "*"
    }

    private static let monthNames = ["JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
                                     "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12]
    private static let dayNames = ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]

    private static func field(_ text: String, name: String, _ bounds: ClosedRange<Int>, names: [String: Int]) throws(ParseError) -> Set<Int> {
        var result = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw ParseError(message: "invalid \(name) field \"\(text)\"") }
            var step = 1
            if pieces.count == 2 {
                guard let s = Int(pieces[1]), s > 0 else { throw ParseError(message: "invalid step in \(name) field \"\(text)\"") }
                step = s
            }
            let rangeText = pieces[0]
            var lo: Int, hi: Int
            if rangeText == "*" {
                lo = bounds.lowerBound
                hi = bounds.upperBound
            } else {
                let ends = rangeText.split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2, let a = value(ends[0], names) else {
                    throw ParseError(message: "invalid \(name) field \"\(text)\": expected numbers in \(bounds.lowerBound)-\(bounds.upperBound)")
                }
                lo = a
                hi = a
                if ends.count == 2 {
                    guard let b = value(ends[1], names) else { throw ParseError(message: "invalid \(name) range \"\(rangeText)\"") }
                    hi = b
                } else if pieces.count == 2 {
                    hi = bounds.upperBound  // "5/15" means from 5 to the end, every 15
                }
            }
            guard bounds.contains(lo), bounds.contains(hi), lo <= hi else {
                throw ParseError(message: "\(name) \"\(part)\" is out of range: must be within \(bounds.lowerBound)-\(bounds.upperBound)")
            }
            result.formUnion(stride(from: lo, through: hi, by: step))
        }
        return result
    }

    private static func value(_ text: Substring, _ names: [String: Int]) -> Int? {
        Int(text) ?? names[text.uppercased()]
    }

    /// Whether a window of `duration` that starts at a matching minute is open at `date`.
    public func windowIsOpen(at date: Date, duration: TimeInterval, timeZone: TimeZone) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let startOfMinute = calendar.dateInterval(of: .minute, for: date)?.start ?? date
        // A window opened by any matching minute in (date - duration, date] is still open.
        let lookback = Int((duration / 60).rounded(.up))
        for back in 0...max(0, lookback) {
            let candidate = startOfMinute.addingTimeInterval(TimeInterval(-60 * back))
            if date.timeIntervalSince(candidate) < duration, matches(candidate, calendar: calendar) { return true }
        }
        return false
    }

    func matches(_ date: Date, calendar: Calendar) -> Bool {
        let c = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: date)
        guard let minute = c.minute, let hour = c.hour, let day = c.day, let month = c.month, let weekday = c.weekday else { return false }
        guard minutes.contains(minute), hours.contains(hour), months.contains(month) else { return false }
        let domOK = daysOfMonth.contains(day)
        let dowOK = daysOfWeek.contains(weekday - 1)
        if domRestricted && dowRestricted { return domOK || dowOK }
        return domOK && dowOK
    }
}

extension CronSchedule: TextDecodable, Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(expression)
    }
}
