/// Why a key, a signature or a signing attempt was refused. Every case reads as a sentence a person can act on
/// (`description`); the cases are stable so callers can record the kind of failure.
public enum SSHSignatureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes or text are not what the format says: truncated, trailing data, bad base64, missing armor.
    case malformed(String)
    /// Input above the size this library accepts (hostile input is bounded before it is parsed).
    case tooLarge(what: String, limit: Int)
    /// A key type other than ssh-ed25519, ecdsa-sha2-nistp256 or ssh-rsa (certificates and security keys included).
    case unsupportedKeyType(String)
    /// An SSHSIG version other than 1.
    case unsupportedVersion(UInt32)
    /// The signature was made for another namespace: it signs something else, whatever its message.
    case wrongNamespace(found: String, expected: String)
    /// A message hash other than sha256 or sha512.
    case unsupportedHashAlgorithm(String)
    /// A signature algorithm that does not belong to the key (an ed25519 signature on an RSA key, …).
    case signatureAlgorithmMismatch(key: String, signature: String)
    /// `ssh-rsa` signatures hash with SHA-1, which OpenSSH refuses for SSHSIG too.
    case sha1SignatureRefused
    /// The signature is well formed but the math says the key did not sign this message.
    case doesNotVerify
    /// An OpenSSH private key protected by a passphrase: this library does not decrypt keys.
    case encryptedPrivateKey(cipher: String)
    /// Talking to ssh-agent failed, or the agent refused.
    case agent(String)
    /// Reading or writing a file failed.
    case file(path: String, reason: String)
    /// OpenSSL refused an operation on input that looked valid (an off-curve point, a broken RSA key).
    case crypto(String)

    public var description: String {
        switch self {
        case .malformed(let what): what
        case .tooLarge(let what, let limit): "\(what) is larger than \(limit) bytes"
        case .unsupportedKeyType(let type):
            "unsupported key type \"\(type)\" (supported: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa)"
        case .unsupportedVersion(let version): "unsupported SSH signature version \(version), expected 1"
        case .wrongNamespace(let found, let expected): "wrong namespace \"\(found)\", expected \"\(expected)\""
        case .unsupportedHashAlgorithm(let name): "unsupported hash algorithm \"\(name)\" (supported: sha256, sha512)"
        case .signatureAlgorithmMismatch(let key, let signature):
            "signature algorithm \"\(signature)\" does not match the \(key) key"
        case .sha1SignatureRefused: "ssh-rsa (SHA-1) signatures are refused; sign with rsa-sha2-512 or rsa-sha2-256"
        case .doesNotVerify: "signature does not verify"
        case .encryptedPrivateKey(let cipher):
            "the private key is encrypted (\(cipher)); load it into ssh-agent with `ssh-add KEYFILE` and sign through SSH_AUTH_SOCK"
        case .agent(let reason): "ssh-agent: \(reason)"
        case .file(let path, let reason): "\(path): \(reason)"
        case .crypto(let reason): "OpenSSL: \(reason)"
        }
    }
}
