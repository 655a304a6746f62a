import Foundation

/// An OpenSSH signature (`SSHSIG`, OpenSSH's PROTOCOL.sshsig): what `ssh-keygen -Y sign -n NAMESPACE` writes and
/// `ssh-keygen -Y verify` checks. It carries the signer's public key, the namespace it was made for, the message
/// hash algorithm and the key's signature over
///
///     "SSHSIG"  string namespace  string reserved  string hash algorithm  string H(message)
///
/// Parsing checks the structure (magic, version 1, a supported key, sha256/sha512, a signature algorithm that
/// belongs to the key, no SHA-1 `ssh-rsa`); `verify` checks the namespace and the math. Which people a key stands
/// for is `AllowedSigners`' question, asked with `publicKey` after `verify` succeeded:
///
///     let signature = try SSHSignature(armored: approval.signature)
///     try signature.verify(message: payload, namespace: "operator.tikv/approval")     // SSHSignatureError
///     let entry = try allowedSigners.check(principal: approval.principal, key: signature.publicKey,
///                                          namespace: signature.namespace, at: now)  // SignerRefusal
///     // counted: entry.principals, signature.publicKey.fingerprint
///
/// and signing, with a key file or through ssh-agent:
///
///     let signer: any SSHSigner = try SSHPrivateKey(contentsOfFile: path)
///         // or: try SSHAgent.fromEnvironment().signer(for: SSHPublicKey(contentsOfFile: path))
///     let armored = try SSHSignature.sign(message: payload, namespace: "operator.tikv/approval", signer: signer).armored
public struct SSHSignature: Sendable, Equatable {
    /// Signature blobs above this size are refused before parsing.
    public static let maximumBlobSize = 16 * 1024
    static let magic = Array("SSHSIG".utf8)
    static let version: UInt32 = 1
    static let armorLabel = "SSH SIGNATURE"

    /// The key that made the signature, as the signature claims; trust it only after `verify` and only as far as
    /// the allowed signers list says.
    public let publicKey: SSHPublicKey
    public let namespace: String
    public let hashAlgorithm: SSHSignatureHash
    let reserved: [UInt8]
    let keySignature: SSHKeySignature

    /// The signature algorithm (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `rsa-sha2-256`, `rsa-sha2-512`).
    public var signatureAlgorithm: String { keySignature.algorithm.rawValue }

    /// A signature from its armored text (`-----BEGIN SSH SIGNATURE-----` … `-----END SSH SIGNATURE-----`).
    public init(armored text: String) throws(SSHSignatureError) {
        try self.init(blob: ArmoredText.decode(text, label: Self.armorLabel, limit: Self.maximumBlobSize))
    }

    /// A signature from its binary blob (the armor's content).
    public init(blob: [UInt8]) throws(SSHSignatureError) {
        guard blob.count <= Self.maximumBlobSize else { throw .tooLarge(what: "ssh signature", limit: Self.maximumBlobSize) }
        var reader = SSHWireReader(blob)
        guard try reader.readBytes(Self.magic.count, "ssh signature magic") == Self.magic else {
            throw .malformed("not an SSH signature (no SSHSIG magic)")
        }
        let version = try reader.readUInt32("ssh signature version")
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let publicKey = try SSHPublicKey(blob: reader.readString("ssh signature public key"))
        let namespace = try reader.readText("ssh signature namespace")
        let reserved = try reader.readString("ssh signature reserved field")
        let hashName = try reader.readText("ssh signature hash algorithm")
        guard let hashAlgorithm = SSHSignatureHash(rawValue: hashName) else {
            throw .unsupportedHashAlgorithm(String(hashName.prefix(64)))
        }
        let keySignature = try SSHKeySignature(blob: reader.readString("ssh signature"), for: publicKey)
        try reader.expectEnd("ssh signature")
        self.init(publicKey: publicKey, namespace: namespace, hashAlgorithm: hashAlgorithm, reserved: reserved, keySignature: keySignature)
    }

    init(publicKey: SSHPublicKey, namespace: String, hashAlgorithm: SSHSignatureHash, reserved: [UInt8], keySignature: SSHKeySignature) {
        self.publicKey = publicKey
        self.namespace = namespace
        self.hashAlgorithm = hashAlgorithm
        self.reserved = reserved
        self.keySignature = keySignature
    }

    public var blob: [UInt8] {
        var writer = SSHWireWriter()
        writer.raw(Self.magic)
        writer.uint32(Self.version)
        writer.string(publicKey.blob)
        writer.string(namespace)
        writer.string(reserved)
        writer.string(hashAlgorithm.rawValue)
        writer.string(keySignature.blob)
        return writer.bytes
    }

    /// The armored text, as `ssh-keygen -Y sign` writes it (ends with a newline).
    public var armored: String { ArmoredText.encode(blob, label: Self.armorLabel) }

    /// Checks that this signature was made by `publicKey` over `message` for `namespace`. Throws
    /// `wrongNamespace` when it was made for another one, `doesNotVerify` when the math fails.
    public func verify(message: some DataProtocol, namespace expected: String) throws(SSHSignatureError) {
        guard namespace == expected else { throw .wrongNamespace(found: String(namespace.prefix(128)), expected: expected) }
        let signed = Self.signedData(message: Array(message), namespace: namespace, hashAlgorithm: hashAlgorithm)
        guard try SignatureMath.verify(keySignature, over: signed, with: publicKey) else { throw .doesNotVerify }
    }

    /// Signs `message` for `namespace` with `signer` (a private key or ssh-agent), the way `ssh-keygen -Y sign`
    /// does (sha512 unless asked otherwise). The result is verified before it is returned, so an agent that
    /// answered with another key or a SHA-1 signature is caught here.
    public static func sign(
        message: some DataProtocol, namespace: String, hashAlgorithm: SSHSignatureHash = .sha512, signer: some SSHSigner
    ) throws(SSHSignatureError) -> SSHSignature {
        guard !namespace.isEmpty else { throw .malformed("a signature needs a namespace") }
        let bytes = Array(message)
        let signed = signedData(message: bytes, namespace: namespace, hashAlgorithm: hashAlgorithm)
        let keySignature = try SSHKeySignature(blob: signer.signatureBlob(over: signed), for: signer.publicKey)
        let signature = SSHSignature(
            publicKey: signer.publicKey, namespace: namespace, hashAlgorithm: hashAlgorithm, reserved: [], keySignature: keySignature
        )
        try signature.verify(message: bytes, namespace: namespace)
        return signature
    }

    /// What the key signs: the message's hash bound to the namespace and hash algorithm. The reserved field is
    /// signed empty whatever the signature carries, as OpenSSH verifies it.
    static func signedData(message: [UInt8], namespace: String, hashAlgorithm: SSHSignatureHash) -> [UInt8] {
        var writer = SSHWireWriter()
        writer.raw(magic)
        writer.string(namespace)
        writer.string([UInt8]())
        writer.string(hashAlgorithm.rawValue)
        writer.string(hashAlgorithm.hash(message))
        return writer.bytes
    }
}
