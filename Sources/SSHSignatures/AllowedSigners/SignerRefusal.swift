import Foundation

/// Why an allowed signers list does not let a key sign as a principal, for a namespace, at a time.
public enum SignerRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// No line lists the key.
    case unknownKey(fingerprint: String)
    /// Lines list the key, but for other principals (`listedFor`: their principals fields).
    case principalMismatch(principal: String, fingerprint: String, listedFor: [String])
    /// The line for the key and principal limits it to other namespaces.
    case namespaceNotAllowed(namespace: String, fingerprint: String, allowed: String, line: Int)
    /// The line for the key and principal starts later (`valid-after`).
    case notYetValid(fingerprint: String, validAfter: Date, line: Int)
    /// The line for the key and principal ended before (`valid-before`).
    case expired(fingerprint: String, validBefore: Date, line: Int)

    public var description: String {
        switch self {
        case .unknownKey(let fingerprint):
            "key \(fingerprint) is not in the allowed signers"
        case .principalMismatch(let principal, let fingerprint, let listedFor):
            "key \(fingerprint) is not allowed to sign as \"\(principal)\" (it is listed for "
                + listedFor.map { "\"\($0)\"" }.joined(separator: ", ") + ")"
        case .namespaceNotAllowed(let namespace, let fingerprint, let allowed, let line):
            "key \(fingerprint) may not sign for namespace \"\(namespace)\" (allowed signers line \(line): namespaces=\"\(allowed)\")"
        case .notYetValid(let fingerprint, let validAfter, let line):
            "key \(fingerprint) is not valid before \(Self.format(validAfter)) (allowed signers line \(line): valid-after)"
        case .expired(let fingerprint, let validBefore, let line):
            "key \(fingerprint) expired at \(Self.format(validBefore)) (allowed signers line \(line): valid-before)"
        }
    }

    private static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
