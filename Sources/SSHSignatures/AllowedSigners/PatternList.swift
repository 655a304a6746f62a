/// A comma-separated OpenSSH pattern list (ssh_config(5) PATTERNS, OpenSSH's `match_pattern_list`): `*` matches
/// any run of bytes, `?` one byte, and a pattern prefixed by `!` negates — a name matching any negated pattern
/// does not match the list, whatever else matches. Comparison is byte for byte, case-sensitive, as OpenSSH does
/// for principals and namespaces.
public struct PatternList: Sendable, Hashable, CustomStringConvertible {
    /// OpenSSH matches a sub-pattern of 1024 bytes or more against nothing.
    static let maximumPatternLength = 1023

    public let text: String

    public init(_ text: String) { self.text = text }

    /// The patterns as written, `!` included.
    public var patterns: [String] { text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }

    public func matches(_ name: String) -> Bool {
        let subject = Array(name.utf8)
        var positive = false
        for pattern in text.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let negated = pattern.first == UInt8(ascii: "!")
            let body = Array(negated ? pattern.dropFirst() : pattern[...])
            guard body.count <= Self.maximumPatternLength else { return false }
            if Self.glob(subject, body) {
                if negated { return false }
                positive = true
            }
        }
        return positive
    }

    public var description: String { text }

    /// `*` and `?` globbing in O(subject × pattern): on a mismatch, retry from the last `*` one byte further on.
    static func glob(_ subject: [UInt8], _ pattern: [UInt8]) -> Bool {
        let star = UInt8(ascii: "*"), any = UInt8(ascii: "?")
        var s = 0, p = 0
        var lastStar: Int?
        var resumeAt = 0
        while s < subject.count {
            if p < pattern.count, pattern[p] == any || (pattern[p] == subject[s] && pattern[p] != star) {
                s += 1
                p += 1
            } else if p < pattern.count, pattern[p] == star {
                lastStar = p
                resumeAt = s
                p += 1
            } else if let star = lastStar {
                p = star + 1
                resumeAt += 1
                s = resumeAt
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == star { p += 1 }
        return p == pattern.count
    }
}
