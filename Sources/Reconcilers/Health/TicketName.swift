import Foundation

/// Ticket names derive from (cluster, invariant, subject) alone, so every pass, and a restarted
/// controller, names the same breakage the same way: `prod-storedown-store-4`.
public enum TicketName {
    /// Object names allow at most 253 characters.
    static let maxLength = 253

    public static func make(cluster: String, invariant: String, subject: String) -> String {
        let slug = slugify("\(invariant)-\(subject)")
        var name = "\(cluster)-\(slug)"
        if !isReversible(subject) || name.count > maxLength {
            let hash = String(ContentHash.hex(of: Array("\(invariant)/\(subject)".utf8)).prefix(8))
            name = String(name.prefix(maxLength - hash.count - 1))
            while name.hasSuffix("-") { name.removeLast() }
            name += "-\(hash)"
        }
        return name
    }

    /// Subjects are `cluster`, `store/N`, `member/<name>`, `scheduler/<name>`: a lower-case word, or a
    /// lower-case word, `/`, and lower-case letters, digits and `-`. For those, `/` → `-` can be read back
    /// (the word before the first `-` is the prefix), so two keys never share a name. Anything else
    /// (upper case, `_`, `.`, a second `/`) gets a hash of the key appended instead.
    static func isReversible(_ subject: String) -> Bool {
        func plain(_ s: Substring, dash: Bool) -> Bool {
            !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || (dash && $0 == "-")) }
        }
        let parts = subject.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return plain(parts[0], dash: false)
        case 2: return plain(parts[0], dash: false) && plain(parts[1], dash: true) && parts[1].first != "-" && parts[1].last != "-"
                    && !parts[1].contains("--")
        default: return false
        }
    }

    /// Lower case; every run of characters other than `a-z`, `0-9` becomes one `-`; no `-` at either end.
    static func slugify(_ text: String) -> String {
        var out = ""
        var pendingDash = false
        for c in text.lowercased() {
            if c.isASCII && (c.isLetter || c.isNumber) {
                if pendingDash && !out.isEmpty { out.append("-") }
                pendingDash = false
                out.append(c)
            } else {
                pendingDash = true
            }
        }
        return out
    }
}
