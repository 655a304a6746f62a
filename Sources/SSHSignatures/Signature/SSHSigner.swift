/// Something that signs with one key: an `SSHPrivateKey` read from a file or generated, or a key held by
/// ssh-agent (`SSHAgentSigner`). `SSHSignature.sign` uses either the same way.
public protocol SSHSigner: Sendable {
    var publicKey: SSHPublicKey { get }
    /// The key's signature over `data` as an SSH signature blob (`string algorithm, string signature`). RSA keys
    /// sign with rsa-sha2-512.
    func signatureBlob(over data: [UInt8]) throws(SSHSignatureError) -> [UInt8]
}
