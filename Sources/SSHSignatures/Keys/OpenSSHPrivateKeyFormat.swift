/// OpenSSH's private key file format, openssh-key-v1 (OpenSSH's PROTOCOL.key), unencrypted only:
///
///     "openssh-key-v1\0"  string cipher ("none")  string kdf ("none")  string kdf options ("")
///     uint32 number of keys (1)  string public key  string private section
///
/// The private section holds two equal check integers, the key's type and fields, its comment, and padding
/// 1, 2, 3, … to the cipher's block size (8 for "none").
enum OpenSSHPrivateKeyFormat {
    static let label = "OPENSSH PRIVATE KEY"
    static let magic = Array("openssh-key-v1".utf8) + [0]
    static let blockSize = 8

    private struct Container {
        let cipher: String
        let publicKey: SSHPublicKey
        let privateSection: [UInt8]
    }

    /// The public half, readable even when the private section is encrypted.
    static func publicKey(armored text: String) throws(SSHSignatureError) -> SSHPublicKey {
        try container(armored: text).publicKey
    }

    static func parse(armored text: String) throws(SSHSignatureError) -> SSHPrivateKey {
        let container = try container(armored: text)
        guard container.cipher == "none" else { throw .encryptedPrivateKey(cipher: container.cipher) }
        var reader = SSHWireReader(container.privateSection)
        guard container.privateSection.count % blockSize == 0 else { throw .malformed("private key: section not padded to its block size") }
        let check1 = try reader.readUInt32("private key check")
        let check2 = try reader.readUInt32("private key check")
        guard check1 == check2 else { throw .malformed("private key: check integers differ (corrupt file)") }
        let type = try reader.readText("private key type")
        guard type == container.publicKey.algorithm.rawValue else {
            throw .malformed("private key: type \(type) differs from its public key's \(container.publicKey.algorithm.rawValue)")
        }
        let secret: SSHPrivateKey.Secret
        let embedded: SSHPublicKey
        switch container.publicKey.algorithm {
        case .ed25519:
            let publicBytes = try reader.readString("ed25519 public key")
            let secretBytes = try reader.readString("ed25519 private key")
            // OpenSSH stores the 32-byte seed followed by the public key.
            guard publicBytes.count == 32, secretBytes.count == 64, Array(secretBytes[32...]) == publicBytes else {
                throw .malformed("private key: malformed ed25519 key")
            }
            embedded = SSHPublicKey(material: .ed25519(publicBytes))
            secret = .ed25519(seed: Array(secretBytes[..<32]))
        case .ecdsaP256:
            embedded = try SSHPublicKey.readFields(.ecdsaP256, from: &reader)
            let scalar = try reader.readPositiveMPInt("ecdsa private scalar")
            guard !scalar.isEmpty, scalar.count <= 32 else { throw .malformed("private key: malformed ecdsa scalar") }
            secret = .ecdsaP256(scalar: scalar)
        case .rsa:
            // The private section orders n before e, unlike the public blob.
            let n = try reader.readPositiveMPInt("rsa modulus")
            let e = try reader.readPositiveMPInt("rsa exponent")
            let d = try reader.readPositiveMPInt("rsa private exponent")
            let iqmp = try reader.readPositiveMPInt("rsa iqmp")
            let p = try reader.readPositiveMPInt("rsa p")
            let q = try reader.readPositiveMPInt("rsa q")
            embedded = SSHPublicKey(material: .rsa(e: e, n: n))
            guard !d.isEmpty else { throw .malformed("private key: malformed rsa key") }
            secret = .rsa(.init(d: d, iqmp: iqmp, p: p, q: q))
        }
        guard embedded == container.publicKey else { throw .malformed("private key: the private section holds another key than the header") }
        let comment = try reader.readText("private key comment")
        let padding = try reader.readBytes(reader.remaining, "private key padding")
        guard padding.count < blockSize, padding.enumerated().allSatisfy({ Int($0.element) == $0.offset + 1 }) else {
            throw .malformed("private key: bad padding (corrupt file)")
        }
        return SSHPrivateKey(publicKey: container.publicKey, secret: secret, comment: comment)
    }

    static func serialize(_ key: SSHPrivateKey, checkint: UInt32) -> String {
        var section = SSHWireWriter()
        section.uint32(checkint)
        section.uint32(checkint)
        section.string(key.publicKey.algorithm.rawValue)
        switch (key.secret, key.publicKey.material) {
        case (.ed25519(let seed), .ed25519(let publicBytes)):
            section.string(publicBytes)
            section.string(seed + publicBytes)
        case (.ecdsaP256(let scalar), .ecdsaP256):
            key.publicKey.appendFields(to: &section)
            section.positiveMPInt(scalar)
        case (.rsa(let rsa), .rsa(let e, let n)):
            for value in [n, e, rsa.d, rsa.iqmp, rsa.p, rsa.q] { section.positiveMPInt(value) }
        default:
            // Unreachable: every initializer pairs a secret with its own key type.
            preconditionFailure("private key secret and public key of different types")
        }
        section.string(key.comment)
        var pad: UInt8 = 1
        while section.bytes.count % blockSize != 0 {
            section.raw([pad])
            pad += 1
        }
        var file = SSHWireWriter()
        file.raw(magic)
        file.string("none")
        file.string("none")
        file.string([UInt8]())
        file.uint32(1)
        file.string(key.publicKey.blob)
        file.string(section.bytes)
        return ArmoredText.encode(file.bytes, label: label)
    }

    private static func container(armored text: String) throws(SSHSignatureError) -> Container {
        for pem in ["RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY"]
        where text.contains("-----BEGIN \(pem)-----") {
            throw .malformed("a PEM private key (\(pem)) is not read: rewrite it in OpenSSH's format with `ssh-keygen -p -f KEYFILE`, or load it into ssh-agent")
        }
        let bytes = try ArmoredText.decode(text, label: label, limit: SSHPublicKey.maximumBlobSize * 2)
        var reader = SSHWireReader(bytes)
        guard try reader.readBytes(magic.count, "private key magic") == magic else {
            throw .malformed("private key: not an openssh-key-v1 file")
        }
        let cipher = try reader.readText("private key cipher")
        let kdf = try reader.readText("private key kdf")
        _ = try reader.readString("private key kdf options")
        let count = try reader.readUInt32("private key count")
        guard count == 1 else { throw .malformed("private key: \(count) keys in one file, expected 1") }
        let publicKey = try SSHPublicKey(blob: reader.readString("private key's public key"))
        if cipher == "none", kdf != "none" { throw .malformed("private key: kdf \(kdf) without a cipher") }
        let section = try reader.readString("private key section")
        try reader.expectEnd("private key")
        return Container(cipher: cipher, publicKey: publicKey, privateSection: section)
    }
}
