import Foundation
import PDWire

/// Go `time.Time.String()` for a UTC time with a monotonic reading:
/// `2025-06-10 07:59:58.157922689 +0000 UTC m=+887986.276253693`. Operator strings print times this way.
enum GoTimeString {
    static func format(unixNanos: Int64, monotonicBaseNanos: Int64?) -> String {
        if unixNanos == Int64.min {
            return "0001-01-01 00:00:00 +0000 UTC"
        }
        let t = GoTime(unixNanoseconds: unixNanos)
        // Reuse the RFC 3339 printer and reshape it: "2025-06-10T07:59:58.157922689Z".
        var text = t.rfc3339Nano
        if text.hasSuffix("Z") { text.removeLast() }
        text = text.replacingOccurrences(of: "T", with: " ")
        var out = text + " +0000 UTC"
        if let base = monotonicBaseNanos {
            let m = unixNanos - base
            let sign = m < 0 ? "-" : "+"
            let mag = m.magnitude
            let frac = String(mag % 1_000_000_000)
            out += " m=" + sign + String(mag / 1_000_000_000) + "." + String(repeating: "0", count: 9 - frac.count) + frac
        }
        return out
    }
}
