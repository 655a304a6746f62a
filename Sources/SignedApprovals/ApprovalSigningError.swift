/// Why an approval cannot be signed, or a signed one cannot be counted; the text is shown to people as it is.
package enum ApprovalSigningError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The allowed signers cannot be read (file, line and what is wrong).
    case allowedSigners(String)
    /// No key to sign with, or the key cannot sign (encrypted without an agent, unknown to the agent, …).
    case key(String)
    /// The approval is refused: it must not count.
    case refused(String)

    package var description: String {
        switch self {
        case .allowedSigners(let why): "allowed signers: \(why)"
        case .key(let why): why
        case .refused(let why): why
        }
    }
}
