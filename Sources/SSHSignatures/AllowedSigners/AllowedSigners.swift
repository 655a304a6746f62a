import Foundation

/// An allowed signers list in OpenSSH's format (ssh-keygen(1), "ALLOWED SIGNERS"), which `ssh-keygen -Y verify -f`
/// reads: one key per line with the principals it stands for and optional limits,
///
///     alice@example.com,alice ssh-ed25519 AAAAC3Nza… alice's laptop
///     *@ops.example.com namespaces="operator.tikv/*",valid-before="20270101Z" ecdsa-sha2-nistp256 AAAAE2Vj…
///
/// Answers which principals a verified signature's key stands for, and why not. Certificate authorities
/// (`cert-authority`) are refused when the list is read: each person's key is listed instead.
public struct AllowedSigners: Sendable, Hashable {
    /// Files above this size are refused before parsing.
    public static let maximumSize = 1024 * 1024

    public let entries: [AllowedSigner]

    public init(entries: [AllowedSigner]) { self.entries = entries }

    /// Reads the file's text. Times without a `Z` suffix are read in `timeZone`, as ssh-keygen reads them in the
    /// system's. Throws on the first line that cannot be read, naming it.
    public init(parsing text: String, timeZone: TimeZone = .current) throws(AllowedSignersError) {
        entries = try AllowedSignersParser(timeZone: timeZone).parse(text)
    }

    /// Every line listing `key`, whatever its principals, namespaces and validity.
    public func entries(for key: SSHPublicKey) -> [AllowedSigner] {
        entries.filter { $0.key == key }
    }

    /// The lines that let `key` sign for `namespace` at `time`: the principals the key stands for then
    /// (`ssh-keygen -Y find-principals`, with the namespace checked too).
    public func signers(for key: SSHPublicKey, namespace: String, at time: Date) -> [AllowedSigner] {
        entries(for: key).filter { $0.allows(namespace: namespace) && $0.isValid(at: time) }
    }

    /// Whether `key` may sign as `principal` for `namespace` at `time` (`ssh-keygen -Y verify -I principal`): the
    /// first line that allows it, or the reason none does. The most specific reason wins: a line for this key and
    /// principal that is out of its window or namespace says so before "listed for someone else", which says so
    /// before "unknown key".
    public func check(principal: String, key: SSHPublicKey, namespace: String, at time: Date) throws(SignerRefusal) -> AllowedSigner {
        let forKey = entries(for: key)
        guard !forKey.isEmpty else { throw .unknownKey(fingerprint: key.fingerprint) }
        let forPrincipal = forKey.filter { $0.principals.matches(principal) }
        guard let first = forPrincipal.first else {
            throw .principalMismatch(principal: principal, fingerprint: key.fingerprint, listedFor: forKey.map(\.principals.text))
        }
        if let allowed = forPrincipal.first(where: { $0.allows(namespace: namespace) && $0.isValid(at: time) }) {
            return allowed
        }
        let candidate = forPrincipal.first(where: { $0.allows(namespace: namespace) }) ?? first
        if !candidate.allows(namespace: namespace) {
            throw .namespaceNotAllowed(
                namespace: namespace, fingerprint: key.fingerprint, allowed: candidate.namespaces?.text ?? "", line: candidate.line
            )
        }
        let seconds = AllowedSigner.wholeSeconds(time)
        if let validAfter = candidate.validAfter, seconds < validAfter {
            throw .notYetValid(fingerprint: key.fingerprint, validAfter: validAfter, line: candidate.line)
        }
        throw .expired(fingerprint: key.fingerprint, validBefore: candidate.validBefore ?? seconds, line: candidate.line)
    }
}
