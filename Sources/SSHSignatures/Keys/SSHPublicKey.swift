import Foundation

/// A public key of one of the supported types (`SSHKeyAlgorithm`), held as its components and compared by them: two
/// encodings of one key (an mpint with a redundant leading zero) are equal and have one fingerprint.
public struct SSHPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// Blobs above this size are refused before parsing (an RSA-16384 key is about 2 KiB).
    public static let maximumBlobSize = 16 * 1024
    /// OpenSSH's own bounds on RSA moduli.
    static let rsaBits = 1024...16384

    enum Material: Sendable, Hashable {
        case ed25519([UInt8])
        /// The uncompressed point (0x04 ‖ X ‖ Y), 65 bytes.
        case ecdsaP256(point: [UInt8])
        /// Big-endian magnitudes without leading zeros.
        case rsa(e: [UInt8], n: [UInt8])
    }

    let material: Material

    public var algorithm: SSHKeyAlgorithm {
        switch material {
        case .ed25519: .ed25519
        case .ecdsaP256: .ecdsaP256
        case .rsa: .rsa
        }
    }

    init(material: Material) { self.material = material }

    /// A key from its SSH wire blob (`string type, …`), as carried in signatures, agent messages and key files.
    public init(blob: [UInt8]) throws(SSHSignatureError) {
        guard blob.count <= Self.maximumBlobSize else { throw .tooLarge(what: "public key", limit: Self.maximumBlobSize) }
        var reader = SSHWireReader(blob)
        self = try Self.read(from: &reader)
        try reader.expectEnd("public key")
    }

    /// Reads one key's fields (type name first) from a reader positioned at them; shared with private key files,
    /// whose private sections begin with the same public fields.
    static func read(from reader: inout SSHWireReader) throws(SSHSignatureError) -> SSHPublicKey {
        let type = try reader.readText("public key type")
        guard let algorithm = SSHKeyAlgorithm(rawValue: type) else { throw .unsupportedKeyType(type) }
        return try readFields(algorithm, from: &reader)
    }

    static func readFields(_ algorithm: SSHKeyAlgorithm, from reader: inout SSHWireReader) throws(SSHSignatureError) -> SSHPublicKey {
        switch algorithm {
        case .ed25519:
            let key = try reader.readString("ed25519 public key")
            guard key.count == 32 else { throw .malformed("ed25519 public key: \(key.count) bytes, expected 32") }
            return SSHPublicKey(material: .ed25519(key))
        case .ecdsaP256:
            let curve = try reader.readText("ecdsa curve name")
            guard curve == "nistp256" else { throw .malformed("ecdsa-sha2-nistp256 key names curve \"\(curve)\"") }
            let point = try reader.readString("ecdsa public point")
            // OpenSSH writes and accepts only uncompressed points.
            guard point.count == 65, point[0] == 0x04 else { throw .malformed("ecdsa public point: not an uncompressed P-256 point") }
            let key = SSHPublicKey(material: .ecdsaP256(point: point))
            // Checked once here, so no value of this type holds a point off the curve.
            try OpenSSLKey.withPublicKey(key) { _ in }
            return key
        case .rsa:
            let e = try reader.readPositiveMPInt("rsa exponent")
            let n = try reader.readPositiveMPInt("rsa modulus")
            let bits = bitLength(n)
            guard rsaBits.contains(bits) else { throw .malformed("rsa modulus of \(bits) bits (OpenSSH accepts 1024 to 16384)") }
            guard !e.isEmpty, e.last.map({ $0 & 1 == 1 }) == true else { throw .malformed("rsa exponent is not odd") }
            return SSHPublicKey(material: .rsa(e: e, n: n))
        }
    }

    /// The canonical wire blob, re-encoded from the components (what OpenSSH hashes for fingerprints).
    public var blob: [UInt8] {
        var writer = SSHWireWriter()
        writer.string(algorithm.rawValue)
        appendFields(to: &writer)
        return writer.bytes
    }

    func appendFields(to writer: inout SSHWireWriter) {
        switch material {
        case .ed25519(let key):
            writer.string(key)
        case .ecdsaP256(let point):
            writer.string("nistp256")
            writer.string(point)
        case .rsa(let e, let n):
            writer.positiveMPInt(e)
            writer.positiveMPInt(n)
        }
    }

    /// `SHA256:` and the unpadded base64 of the blob's SHA-256, exactly as `ssh-keygen -l` prints it.
    public var fingerprint: String {
        let digest = Digest.sha256(blob)
        let base64 = Data(digest).base64EncodedString()
        return "SHA256:" + base64.replacingOccurrences(of: "=", with: "")
    }

    /// The key's size in bits as `ssh-keygen -l` reports it.
    public var bits: Int {
        switch material {
        case .ed25519: 256
        case .ecdsaP256: 256
        case .rsa(_, let n): Self.bitLength(n)
        }
    }

    /// `type base64`, the authorized_keys / allowed_signers form, without a comment.
    public var openSSHText: String { algorithm.rawValue + " " + Data(blob).base64EncodedString() }

    /// `type base64 comment`: a `.pub` file's line.
    public func openSSHLine(comment: String) -> String {
        comment.isEmpty ? openSSHText : openSSHText + " " + comment
    }

    public var description: String { "\(algorithm.rawValue) \(fingerprint)" }

    static func bitLength(_ magnitude: [UInt8]) -> Int {
        let significant = magnitude.drop(while: { $0 == 0 })
        guard let first = significant.first else { return 0 }
        return (significant.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }
}
