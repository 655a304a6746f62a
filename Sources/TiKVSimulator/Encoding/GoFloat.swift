/// Go `encoding/json` float formatting: shortest round-trip digits, fixed notation unless
/// |x| < 1e-6 or |x| >= 1e21, exponents without zero padding (`1e-7`, `1e+21`).
enum GoFloat {
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if value == 0 { return "0" }
        let (negative, digits, exp10) = decompose(value)
        let magnitude = abs(value)
        var out = negative ? "-" : ""
        if magnitude < 1e-6 || magnitude >= 1e21 {
            // d.ddde±x
            out += String(digits.first ?? "0")
            if digits.count > 1 { out += "." + digits.dropFirst() }
            let e = exp10 - 1
            out += e < 0 ? "e-" : "e+"
            out += String(abs(e))
            return out
        }
        // exp10 is the position of the decimal point relative to the digit string.
        if exp10 <= 0 {
            out += "0." + String(repeating: "0", count: -exp10) + digits
        } else if exp10 >= digits.count {
            out += digits + String(repeating: "0", count: exp10 - digits.count)
        } else {
            let idx = digits.index(digits.startIndex, offsetBy: exp10)
            out += digits[..<idx] + "." + digits[idx...]
        }
        return out
    }

    /// Splits Swift's shortest round-trip description into sign, significant digits and decimal exponent
    /// such that value = 0.DIGITS × 10^exp10.
    private static func decompose(_ value: Double) -> (Bool, String, Int) {
        var text = abs(value).description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var intPart = text
        var fracPart = ""
        if let dot = text.firstIndex(of: ".") {
            intPart = String(text[..<dot])
            fracPart = String(text[text.index(after: dot)...])
        }
        var digits = intPart + fracPart
        var pointPos = intPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            pointPos -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (value < 0, digits, pointPos)
    }
}
