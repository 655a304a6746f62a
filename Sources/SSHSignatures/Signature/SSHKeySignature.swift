/// A key's signature over bytes in SSH's encoding, `string algorithm, string signature` (RFC 8709 for Ed25519,
/// RFC 5656 for ECDSA with `mpint r, mpint s` inside, RFC 8332 for RSA with SHA-2). Parsing checks the algorithm
/// belongs to the key, so a parsed value can only be verified against the math it names.
struct SSHKeySignature: Sendable, Equatable {
    enum Algorithm: String, Sendable {
        case ed25519 = "ssh-ed25519"
        case ecdsaP256 = "ecdsa-sha2-nistp256"
        case rsaSHA256 = "rsa-sha2-256"
        case rsaSHA512 = "rsa-sha2-512"
    }

    let algorithm: Algorithm
    /// The signature proper: 64 bytes for Ed25519, the `mpint r, mpint s` encoding for ECDSA, the RSA block.
    let bytes: [UInt8]

    init(algorithm: Algorithm, bytes: [UInt8]) {
        self.algorithm = algorithm
        self.bytes = bytes
    }

    init(blob: [UInt8], for key: SSHPublicKey) throws(SSHSignatureError) {
        var reader = SSHWireReader(blob)
        let name = try reader.readText("signature algorithm")
        let bytes = try reader.readString("signature")
        try reader.expectEnd("signature")
        switch (name, key.algorithm) {
        case ("ssh-ed25519", .ed25519):
            guard bytes.count == 64 else { throw .malformed("ed25519 signature: \(bytes.count) bytes, expected 64") }
            algorithm = .ed25519
        case ("ecdsa-sha2-nistp256", .ecdsaP256):
            algorithm = .ecdsaP256
        case ("rsa-sha2-256", .rsa):
            algorithm = .rsaSHA256
        case ("rsa-sha2-512", .rsa):
            algorithm = .rsaSHA512
        case ("ssh-rsa", .rsa):
            throw .sha1SignatureRefused
        default:
            throw .signatureAlgorithmMismatch(key: key.algorithm.rawValue, signature: String(name.prefix(64)))
        }
        self.bytes = bytes
    }

    var blob: [UInt8] {
        var writer = SSHWireWriter()
        writer.string(algorithm.rawValue)
        writer.string(bytes)
        return writer.bytes
    }
}
