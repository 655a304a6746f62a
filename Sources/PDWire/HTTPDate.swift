/// The `Date` header Go's net/http writes on every answer (RFC 9110 §5.6.7 IMF-fixdate,
/// `Mon, 07 Dec 2026 10:25:00 GMT`): PD's own clock, to one second. The controller learns from it how far
/// PD's clock is from its own, because every time PD stamps (heartbeats, operator times) is on PD's clock.
public struct HTTPDate: Hashable, Sendable {
    public var unixSeconds: Int64

    public init(unixSeconds: Int64) { self.unixSeconds = unixSeconds }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday

    /// Parses IMF-fixdate only (what Go writes); nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","), parts[5] == "GMT",
              let day = Int(parts[1]), (1...31).contains(day), let month = Self.months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]), (1970...9999).contains(year) else { return nil }
        let hms = parts[4].split(separator: ":")
        guard hms.count == 3, let h = Int(hms[0]), let m = Int(hms[1]), let s = Int(hms[2]),
              (0...23).contains(h), (0...59).contains(m), (0...60).contains(s) else { return nil }
        unixSeconds = GoTime.unix(year: Int64(year), month: Int64(month + 1), day: Int64(day)) + Int64(h * 3600 + m * 60 + s)
    }

    public var text: String {
        let (y, mo, d, h, mi, sec) = GoTime.civil(fromUnix: unixSeconds)
        let days = Int((unixSeconds - (unixSeconds % 86_400 + 86_400) % 86_400) / 86_400)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let weekday = Self.weekdays[((days % 7) + 7) % 7]
        return "\(weekday), \(two(d)) \(Self.months[Int(mo) - 1]) \(y) \(two(h)):\(two(mi)):\(two(sec)) GMT"
    }
}
