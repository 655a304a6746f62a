import Foundation

/// Number formats for ticket summaries: stable text, so a summary changes only when its meaning does.
enum HealthText {
    /// `20%`, `12.5%`.
    static func percent(_ value: Double) -> String {
        // One decimal at most, so 1 − 0.8 reads 20%, not 19.999999999999996%.
        let r = (value * 10).rounded() / 10
        return r.rounded() == r ? "\(Int(r))%" : String(format: "%.1f%%", r)
    }

    /// `3`, `2.5`: at most two decimals, never locale-dependent.
    static func number(_ value: Double) -> String {
        let r = (value * 100).rounded() / 100
        return r.rounded() == r ? String(Int(r)) : String(format: "%g", r)
    }

    /// `16 MiB/s`.
    static func bytesPerSecond(_ value: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = value
        var i = 0
        while v >= 1024, i < units.count - 1 {
            v /= 1024
            i += 1
        }
        let number = v.rounded() == v ? String(Int(v)) : String(format: "%.1f", v)
        return "\(number) \(units[i])/s"
    }

    static func list(_ ids: [UInt64]) -> String { ids.map(String.init).joined(separator: ", ") }
}
