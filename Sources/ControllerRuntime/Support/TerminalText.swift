/// Text from outside (PD's answers, Prometheus errors, model answers, names people typed) made safe to show on a
/// terminal: a control character in a store address could retitle the terminal (`ESC ] 0 ; … BEL`), clear it
/// (`ESC [ 2 J`) or hide text, and bidirectional overrides can make a line read differently than it is. Each such
/// character is shown as an escape (`\x1b`, `\u{202e}`) instead, so people see that it was there. JSON and YAML
/// output is not passed through this: it must stay exact, and both formats escape controls themselves.
package enum TerminalText {
    /// `multiline` keeps newlines and tabs (reports, tables); a one-line field (a dashboard cell) escapes them too.
    package static func sanitized(_ text: String, multiline: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0, multiline: multiline) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isUnsafe(scalar, multiline: multiline) else {
                out.append(scalar)
                continue
            }
            let escaped: String
            switch scalar.value {
            case 0x0A: escaped = "\\n"
            case 0x09: escaped = "\\t"
            case 0x0D: escaped = "\\r"
            case 0..<0x100: escaped = "\\x" + hex(scalar.value, digits: 2)
            default: escaped = "\\u{" + hex(scalar.value, digits: 4) + "}"
            }
            out.append(contentsOf: escaped.unicodeScalars)
        }
        return String(out)
    }

    package static func isUnsafe(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: return !multiline
        case 0..<0x20, 0x7F, 0x80..<0xA0: return true  // C0, DEL, C1 (0x9B is a one-byte CSI)
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: return true  // bidi overrides and marks
        default: return false
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
