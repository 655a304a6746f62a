/// A duration with Go's `time.Duration` text form: `"30s"`, `"5m"`, `"1h30m"`, `"1.5ms"`, `"30m0s"`.
///
/// PD prints every config duration and `uptime` this way, and the spec files use the same syntax, so
/// one type parses both. Held as integer nanoseconds, like Go, so values round-trip exactly.
public struct GoDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public static func seconds(_ s: Int64) -> GoDuration { GoDuration(nanoseconds: s * 1_000_000_000) }
    public static func minutes(_ m: Int64) -> GoDuration { .seconds(m * 60) }
    public static func hours(_ h: Int64) -> GoDuration { .seconds(h * 3600) }
    public static func milliseconds(_ ms: Int64) -> GoDuration { GoDuration(nanoseconds: ms * 1_000_000) }
    public static let zero = GoDuration(nanoseconds: 0)

    public var seconds: Double { Double(nanoseconds) / 1e9 }
    public var timeInterval: Double { seconds }
    public var swiftDuration: Duration { .nanoseconds(nanoseconds) }

    public static func < (a: GoDuration, b: GoDuration) -> Bool { a.nanoseconds < b.nanoseconds }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case invalid(String)
        case overflow(String)
        public var description: String {
            switch self {
            case .invalid(let s): return "invalid duration \"\(s)\": expected a Go-style duration such as 30s, 5m or 1h30m (units ns, us, ms, s, m, h)"
            case .overflow(let s): return "invalid duration \"\(s)\": out of range"
            }
        }
    }

    /// Parses like Go's `time.ParseDuration`: an optional sign, then one or more decimal numbers,
    /// each with an optional fraction and a unit. A bare `"0"` is allowed.
    public init(parsing text: String) throws(ParseError) {
        var s = Substring(text)
        var negative = false
        if let first = s.first, first == "-" || first == "+" {
            negative = first == "-"
            s = s.dropFirst()
        }
        if s == "0" { self.nanoseconds = 0; return }
        if s.isEmpty { throw .invalid(text) }
        var total: Double = 0
        var exact: Int64 = 0
        var exactOK = true
        while !s.isEmpty {
            let intPart = s.prefix(while: { $0.isASCII && $0.isNumber })
            s = s.dropFirst(intPart.count)
            var fracPart: Substring = ""
            if s.first == "." {
                s = s.dropFirst()
                fracPart = s.prefix(while: { $0.isASCII && $0.isNumber })
                s = s.dropFirst(fracPart.count)
            }
            if intPart.isEmpty && fracPart.isEmpty { throw .invalid(text) }
            let unitText = s.prefix(while: { !($0.isASCII && ($0.isNumber || $0 == ".")) })
            s = s.dropFirst(unitText.count)
            guard let unit = Self.units[String(unitText)] else { throw .invalid(text) }
            let whole = Double(intPart) ?? 0
            let frac = fracPart.isEmpty ? 0 : (Double("0." + fracPart) ?? 0)
            total += (whole + frac) * Double(unit)
            // Keep an exact integer sum when there is no fraction, so "9223372036s" stays exact.
            if exactOK, fracPart.isEmpty, let w = Int64(intPart) {
                let (m, o1) = w.multipliedReportingOverflow(by: unit)
                let (a, o2) = exact.addingReportingOverflow(m)
                if o1 || o2 { exactOK = false } else { exact = a }
            } else {
                exactOK = false
            }
        }
        if total > Double(Int64.max) { throw .overflow(text) }
        let ns = exactOK ? exact : Int64(total.rounded())
        self.nanoseconds = negative ? -ns : ns
    }

    private static let units: [String: Int64] = [
        "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000,
        "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
    ]

    /// Formats like Go's `Duration.String()`: `"0s"`, `"1.5ms"`, `"30m0s"`, `"1h0m0s"`, `"123h59m51.48s"`.
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        let negative = nanoseconds < 0
        let u = nanoseconds.magnitude
        var out: String
        if u < 1_000_000_000 {
            // Sub-second values use the largest unit that keeps an integer part.
            let (unit, scale): (String, UInt64) = u < 1_000 ? ("ns", 1) : u < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
            out = Self.decimal(u, scale: scale) + unit
        } else {
            let totalSeconds = u / 1_000_000_000
            let fracNanos = u % 1_000_000_000
            let h = totalSeconds / 3600, m = (totalSeconds / 60) % 60, sec = totalSeconds % 60
            out = ""
            if h > 0 { out += "\(h)h" }
            if h > 0 || m > 0 { out += "\(m)m" }
            out += Self.decimal(sec * 1_000_000_000 + fracNanos, scale: 1_000_000_000) + "s"
        }
        return negative ? "-" + out : out
    }

    /// `value / scale` printed with the fraction's trailing zeros trimmed (no fraction when exact).
    private static func decimal(_ value: UInt64, scale: UInt64) -> String {
        let whole = value / scale, frac = value % scale
        if frac == 0 { return "\(whole)" }
        var digits = String(frac)
        let width = String(scale).count - 1
        digits = String(repeating: "0", count: width - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}

extension GoDuration: TextDecodable, Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
