import Foundation

/// A timestamp as Go's `time.Time.MarshalJSON` writes it: RFC 3339 with up to nine fraction digits,
/// trailing zeros trimmed, in the server's zone (`"2025-06-10T07:59:56.482796882Z"`, `"…+08:00"`).
///
/// Kept as whole seconds plus nanoseconds: a `Date` (a Double) cannot hold nanoseconds at today's
/// epoch offsets, and the simulator must print them back exactly.
public struct GoTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since the Unix epoch.
    public var seconds: Int64
    /// 0 ..< 1_000_000_000.
    public var nanoseconds: Int32
    /// Zone offset the text carried, in seconds east of UTC (0 prints as `Z`).
    public var utcOffsetSeconds: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0, utcOffsetSeconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    public init(unixNanoseconds ns: Int64) {
        var s = ns / 1_000_000_000
        var r = ns % 1_000_000_000
        if r < 0 { s -= 1; r += 1_000_000_000 }
        self.init(seconds: s, nanoseconds: Int32(r))
    }

    public init(_ date: Date) {
        let t = date.timeIntervalSince1970
        let s = t.rounded(.down)
        var ns = Int32(((t - s) * 1e9).rounded())
        var sec = Int64(s)
        if ns >= 1_000_000_000 { ns -= 1_000_000_000; sec += 1 }
        self.init(seconds: sec, nanoseconds: ns)
    }

    /// Go's zero time, `0001-01-01T00:00:00Z`, which PD prints for an unset non-pointer time.
    public static let zero = GoTime(seconds: -62_135_596_800)

    /// Saturates outside ±292 years of 1970 (Go leaves `UnixNano` undefined there; the zero time is
    /// year 1), so formatting an unset time never traps.
    public var unixNanoseconds: Int64 {
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = ns.addingReportingOverflow(Int64(nanoseconds))
        return overflow2 ? .max : sum
    }
    public var date: Date { Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9) }

    public static func < (a: GoTime, b: GoTime) -> Bool {
        (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
    }
    public static func == (a: GoTime, b: GoTime) -> Bool {
        a.seconds == b.seconds && a.nanoseconds == b.nanoseconds
    }
    public func hash(into h: inout Hasher) { h.combine(seconds); h.combine(nanoseconds) }

    public var description: String { rfc3339Nano }

    /// RFC 3339 with nanoseconds, trailing zeros trimmed, in the zone this value carries.
    public var rfc3339Nano: String {
        let local = seconds + Int64(utcOffsetSeconds)
        let (y, mo, d, h, mi, s) = Self.civil(fromUnix: local)
        var out = Self.pad(y, 4) + "-" + Self.pad(mo, 2) + "-" + Self.pad(d, 2) + "T"
            + Self.pad(h, 2) + ":" + Self.pad(mi, 2) + ":" + Self.pad(s, 2)
        if nanoseconds != 0 {
            var frac = Self.pad(Int64(nanoseconds), 9)
            while frac.hasSuffix("0") { frac.removeLast() }
            out += "." + frac
        }
        if utcOffsetSeconds == 0 {
            out += "Z"
        } else {
            let off = Int64(utcOffsetSeconds.magnitude)
            out += (utcOffsetSeconds < 0 ? "-" : "+") + Self.pad(off / 3600, 2) + ":" + Self.pad((off / 60) % 60, 2)
        }
        return out
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let text: String
        public var description: String { "invalid timestamp \"\(text)\": expected RFC 3339, e.g. 2025-06-10T08:00:00Z" }
    }

    /// Parses RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`); lowercase `t`/`z` are accepted.
    public init(parsing text: String) throws(ParseError) {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + count) {
                let c = b[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard b.count >= 20,
              let y = num(0, 4), b[4] == UInt8(ascii: "-"), let mo = num(5, 2), b[7] == UInt8(ascii: "-"),
              let d = num(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let h = num(11, 2), b[13] == UInt8(ascii: ":"), let mi = num(14, 2), b[16] == UInt8(ascii: ":"),
              let s = num(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { throw ParseError(text: text) }
        var i = 19
        var nanos: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { throw ParseError(text: text) }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        guard i < b.count else { throw ParseError(text: text) }
        var offset: Int64 = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            guard i + 1 == b.count else { throw ParseError(text: text) }
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard i + 6 == b.count, let oh = num(i + 1, 2), b[i + 3] == UInt8(ascii: ":"), let om = num(i + 4, 2)
            else { throw ParseError(text: text) }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            throw ParseError(text: text)
        }
        let local = Self.unix(year: y, month: mo, day: d) + h * 3600 + mi * 60 + s
        self.init(seconds: local - offset, nanoseconds: Int32(nanos), utcOffsetSeconds: Int32(offset))
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Days-from-civil (Howard Hinnant's algorithm), valid for the proleptic Gregorian calendar.
    static func unix(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return (era * 146_097 + doe - 719_468) * 86_400
    }

    static func civil(fromUnix t: Int64) -> (Int64, Int64, Int64, Int64, Int64, Int64) {
        var days = t / 86_400
        var rem = t % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d, rem / 3600, (rem / 60) % 60, rem % 60)
    }
}

extension GoTime: TextDecodable, Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rfc3339Nano)
    }
}
