import Foundation

/// One line of an allowed signers file: the principals a key stands for, and the limits on it.
public struct AllowedSigner: Sendable, Hashable {
    /// The line it was read from (1-based), for messages and audit.
    public let line: Int
    /// The principals, a pattern list (`alice@example.com`, `*@ops.example.com,!intern@ops.example.com`).
    public let principals: PatternList
    /// `namespaces="…"`: the namespaces the key may sign for; nil allows every namespace.
    public let namespaces: PatternList?
    /// `valid-after`: the key counts from this time on (inclusive).
    public let validAfter: Date?
    /// `valid-before`: the key counts up to this time (inclusive, as OpenSSH compares).
    public let validBefore: Date?
    public let key: SSHPublicKey
    /// The text after the key, if any.
    public let comment: String?

    public func allows(namespace: String) -> Bool {
        namespaces?.matches(namespace) ?? true
    }

    /// Whether `time` is inside the validity window, compared in whole seconds as OpenSSH does.
    public func isValid(at time: Date) -> Bool {
        let seconds = Self.wholeSeconds(time)
        if let validAfter, seconds < validAfter { return false }
        if let validBefore, seconds > validBefore { return false }
        return true
    }

    static func wholeSeconds(_ time: Date) -> Date {
        Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
    }
}
