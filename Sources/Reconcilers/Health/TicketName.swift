import Foundation

/// Ticket names derive from (cluster, invariant, subject) alone, so every pass, and a restarted
/// controller, names the same breakage the same way: `prod-storedown-store-4`.
public enum TicketName {
    /// Object names allow at most 253 characters.
    static let maxLength = 253

    public static func make(cluster: String, invariant: String, subject: String) -> String {
        let slug = slugify("\(invariant)-\(subject)")
        // Subjects are `store/N`, `cluster`, `member/<name>`, `scheduler/<name>`: `/` → `-` loses nothing
        // for them. Anything else that slugging changes (upper case, `_`, `.`) gets a hash of the key, so
        // two keys never share a name.
        let exact = subject.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "/") }
        var name = "\(cluster)-\(slug)"
        if !exact || name.count > maxLength {
            let hash = String(ContentHash.hex(of: Array("\(invariant)/\(subject)".utf8)).prefix(8))
            name = String(name.prefix(maxLength - hash.count - 1))
            while name.hasSuffix("-") { name.removeLast() }
            name += "-\(hash)"
        }
        return name
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
