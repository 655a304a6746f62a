/// The key types this library signs and verifies with, named as OpenSSH names them on the wire and in key files.
public enum SSHKeyAlgorithm: String, Sendable, Hashable, CaseIterable {
    case ed25519 = "ssh-ed25519"
    case ecdsaP256 = "ecdsa-sha2-nistp256"
    case rsa = "ssh-rsa"

    /// Key type names OpenSSH knows but this library refuses, so a file holding one fails as "unsupported key
    /// type" rather than as garbage.
    static let knownUnsupported: Set<String> = [
        "ssh-dss", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com", "ssh-xmss@openssh.com",
    ]

    /// Whether `name` names a key type at all (supported, refused, or a certificate type), to tell a key from
    /// an options field in an allowed_signers line.
    static func looksLikeKeyType(_ name: String) -> Bool {
        SSHKeyAlgorithm(rawValue: name) != nil || knownUnsupported.contains(name) || name.hasSuffix("-cert-v01@openssh.com")
    }
}
