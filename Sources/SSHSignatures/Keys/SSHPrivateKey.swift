import Foundation

/// An unencrypted OpenSSH private key (ed25519, ecdsa-sha2-nistp256 or RSA) that signs in process. Read one from a
/// key file made by `ssh-keygen -N ''`, or generate a throwaway ed25519 key and write it where ssh-keygen can
/// read it. An encrypted key file is refused with `encryptedPrivateKey`: use ssh-agent (`SSHAgent`) for those.
///
/// Its `description` and reflection show the public key only.
public struct SSHPrivateKey: SSHSigner, CustomStringConvertible, CustomReflectable {
    enum Secret: Sendable {
        /// The 32-byte seed (OpenSSH stores seed ‖ public key).
        case ed25519(seed: [UInt8])
        /// The private scalar's magnitude.
        case ecdsaP256(scalar: [UInt8])
        case rsa(RSASecret)
    }

    struct RSASecret: Sendable {
        let d: [UInt8]
        let iqmp: [UInt8]
        let p: [UInt8]
        let q: [UInt8]
    }

    public let publicKey: SSHPublicKey
    /// The comment stored with the key (often `user@host`).
    public let comment: String
    let secret: Secret

    init(publicKey: SSHPublicKey, secret: Secret, comment: String) {
        self.publicKey = publicKey
        self.secret = secret
        self.comment = comment
    }

    /// A key from the text of an OpenSSH private key file (`-----BEGIN OPENSSH PRIVATE KEY-----`). The key is
    /// checked to sign for its own public key before it is returned.
    public init(openSSHText text: String) throws(SSHSignatureError) {
        let key = try OpenSSHPrivateKeyFormat.parse(armored: text)
        let probe = Array("operator private key self-check".utf8)
        let signature = try SignatureMath.sign(probe, with: key)
        guard try SignatureMath.verify(signature, over: probe, with: key.publicKey) else {
            throw .malformed("private key: its secret does not sign for its public key")
        }
        self = key
    }

    public init(contentsOfFile path: String) throws(SSHSignatureError) {
        let text = try KeyFile.read(path)
        do {
            self = try SSHPrivateKey(openSSHText: text)
        } catch .encryptedPrivateKey(let cipher) {
            throw .encryptedPrivateKey(cipher: cipher)
        } catch {
            throw .file(path: path, reason: error.description)
        }
    }

    /// A new ed25519 key from OpenSSL's generator (throwaway keys for a demo or a test).
    public static func generateEd25519(comment: String) throws(SSHSignatureError) -> SSHPrivateKey {
        let (seed, publicBytes) = try KeyGeneration.ed25519()
        return SSHPrivateKey(publicKey: SSHPublicKey(material: .ed25519(publicBytes)), secret: .ed25519(seed: seed), comment: comment)
    }

    public func signatureBlob(over data: [UInt8]) throws(SSHSignatureError) -> [UInt8] {
        try SignatureMath.sign(data, with: self).blob
    }

    /// The OpenSSH private key file's text (openssh-key-v1, unencrypted), as `ssh-keygen -N ''` writes it.
    public func openSSHText() throws(SSHSignatureError) -> String {
        let check = try SecureRandom.bytes(4)
        let checkint = check.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return OpenSSHPrivateKeyFormat.serialize(self, checkint: checkint)
    }

    /// Writes the private key to `path` (mode 0600) and its public line to `path.pub` (mode 0644), the way
    /// ssh-keygen lays out a key pair. Existing files are never overwritten.
    public func write(toFile path: String) throws(SSHSignatureError) {
        // Checked first so an existing .pub does not leave a private key without its pair.
        guard !FileManager.default.fileExists(atPath: path + ".pub") else { throw .file(path: path + ".pub", reason: "already exists") }
        try KeyFileWriter.create(path, contents: openSSHText(), mode: 0o600)
        try KeyFileWriter.create(path + ".pub", contents: publicKey.openSSHLine(comment: comment) + "\n", mode: 0o644)
    }

    public var description: String { "SSHPrivateKey(\(publicKey), comment: \"\(comment)\")" }

    public var customMirror: Mirror {
        Mirror(self, children: ["publicKey": publicKey, "comment": comment], displayStyle: .struct)
    }
}
