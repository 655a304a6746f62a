import Foundation

/// The times in allowed_signers options, as ssh-keygen(1) reads them (OpenSSH's `parse_absolute_time`):
/// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, in the given time zone unless suffixed `Z` (or `UTC`).
enum OpenSSHTime {
    static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        var digits = Substring(text)
        var zone = timeZone
        if digits.count > 1, digits.uppercased().hasSuffix("Z") {
            digits = digits.dropLast()
            zone = TimeZone(identifier: "UTC") ?? zone
        } else if digits.count > 3, digits.uppercased().hasSuffix("UTC") {
            digits = digits.dropLast(3)
            zone = TimeZone(identifier: "UTC") ?? zone
        }
        guard [8, 12, 14].contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let chars = Array(digits)
        func field(_ from: Int, _ length: Int) -> Int? {
            from + length <= chars.count ? Int(String(chars[from..<from + length])) : 0
        }
        guard let year = field(0, 4), let month = field(4, 2), let day = field(6, 2),
              let hour = field(8, 2), let minute = field(10, 2), let second = field(12, 2)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else { return nil }
        // Refuse what the calendar would silently roll over (Feb 30, 25:00) rather than read another time.
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        guard back.year == year, back.month == month, back.day == day, back.hour == hour, back.minute == minute, back.second == second,
              date.timeIntervalSince1970 > 0
        else { return nil }
        return date
    }
}
