/// OpenSSH's pattern lists (ssh_config(5), PATTERNS) for principal names: `*` and `?` wildcards, `!` negation. A name
/// matches a list when some plain pattern matches it and no negated one does, as in allowed_signers and
/// `TierPolicy.principals`.
public enum PrincipalPattern {
    public static func matches(_ name: String, _ patterns: [String]) -> Bool {
        var matched = false
        for pattern in patterns {
            if pattern.hasPrefix("!") {
                if glob(Array(name.unicodeScalars), Array(pattern.dropFirst().unicodeScalars)) { return false }
            } else if glob(Array(name.unicodeScalars), Array(pattern.unicodeScalars)) {
                matched = true
            }
        }
        return matched
    }

    /// Iterative wildcard match with one backtrack point: linear in practice, no recursion on hostile patterns.
    static func glob(_ s: [Unicode.Scalar], _ p: [Unicode.Scalar]) -> Bool {
        var (i, j) = (0, 0)
        var star: Int?
        var mark = 0
        while i < s.count {
            if j < p.count, p[j] == "*" {
                star = j
                mark = i
                j += 1
            } else if j < p.count, p[j] == "?" || p[j] == s[i] {
                i += 1
                j += 1
            } else if let st = star {
                j = st + 1
                mark += 1
                i = mark
            } else {
                return false
            }
        }
        while j < p.count, p[j] == "*" { j += 1 }
        return j == p.count
    }
}
