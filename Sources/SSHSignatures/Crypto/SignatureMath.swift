import COpenSSL

/// Signing and verifying `SSHKeySignature`s with OpenSSL's EVP interface. Only the encodings are converted here
/// (SSH's `mpint r, mpint s` ↔ DER for ECDSA; RSA blocks padded to the modulus as OpenSSH does).
enum SignatureMath {
    static func verify(_ signature: SSHKeySignature, over data: [UInt8], with key: SSHPublicKey) throws(SSHSignatureError) -> Bool {
        let digest: OpaquePointer?
        let bytes: [UInt8]
        switch (signature.algorithm, key.material) {
        case (.ed25519, .ed25519):
            digest = nil
            bytes = signature.bytes
        case (.ecdsaP256, .ecdsaP256):
            digest = EVP_sha256()
            bytes = try derSignature(fromSSH: signature.bytes)
        case (.rsaSHA256, .rsa(_, let n)), (.rsaSHA512, .rsa(_, let n)):
            digest = signature.algorithm == .rsaSHA256 ? EVP_sha256() : EVP_sha512()
            // OpenSSH accepts a block shorter than the modulus (leading zeros dropped) and pads it; OpenSSL wants
            // the modulus length exactly.
            let modulusBytes = (SSHPublicKey.bitLength(n) + 7) / 8
            guard signature.bytes.count <= modulusBytes else { return false }
            bytes = [UInt8](repeating: 0, count: modulusBytes - signature.bytes.count) + signature.bytes
        default:
            throw .signatureAlgorithmMismatch(key: key.algorithm.rawValue, signature: signature.algorithm.rawValue)
        }
        return try OpenSSLKey.withPublicKey(key) { pkey throws(SSHSignatureError) in
            guard let context = EVP_MD_CTX_new() else { throw .crypto("cannot allocate a digest context") }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestVerifyInit(context, nil, digest, nil, pkey) == 1 else {
                throw .crypto("cannot start verifying: \(OpenSSLError.last())")
            }
            let result = EVP_DigestVerify(context, bytes, bytes.count, data, data.count)
            // A refused signature leaves its reason on OpenSSL's per-thread queue; the caller's error says it.
            ERR_clear_error()
            return result == 1
        }
    }

    static func sign(_ data: [UInt8], with key: SSHPrivateKey) throws(SSHSignatureError) -> SSHKeySignature {
        let algorithm: SSHKeySignature.Algorithm
        let digest: OpaquePointer?
        switch key.publicKey.algorithm {
        case .ed25519: (algorithm, digest) = (.ed25519, nil)
        case .ecdsaP256: (algorithm, digest) = (.ecdsaP256, EVP_sha256())
        // What `ssh-keygen -Y sign` uses for RSA keys.
        case .rsa: (algorithm, digest) = (.rsaSHA512, EVP_sha512())
        }
        let raw = try OpenSSLKey.withPrivateKey(key) { pkey throws(SSHSignatureError) -> [UInt8] in
            guard let context = EVP_MD_CTX_new() else { throw .crypto("cannot allocate a digest context") }
            defer { EVP_MD_CTX_free(context) }
            guard EVP_DigestSignInit(context, nil, digest, nil, pkey) == 1 else {
                throw .crypto("cannot start signing: \(OpenSSLError.last())")
            }
            var length = 0
            guard EVP_DigestSign(context, nil, &length, data, data.count) == 1 else {
                throw .crypto("cannot size the signature: \(OpenSSLError.last())")
            }
            var out = [UInt8](repeating: 0, count: length)
            guard EVP_DigestSign(context, &out, &length, data, data.count) == 1 else {
                throw .crypto("cannot sign: \(OpenSSLError.last())")
            }
            return Array(out.prefix(length))
        }
        let bytes = algorithm == .ecdsaP256 ? try sshSignature(fromDER: raw) : raw
        return SSHKeySignature(algorithm: algorithm, bytes: bytes)
    }

    /// `mpint r, mpint s` → DER `ECDSA-Sig-Value`, through OpenSSL's `ECDSA_SIG`.
    static func derSignature(fromSSH bytes: [UInt8]) throws(SSHSignatureError) -> [UInt8] {
        var reader = SSHWireReader(bytes)
        let r = try reader.readPositiveMPInt("ecdsa signature r")
        let s = try reader.readPositiveMPInt("ecdsa signature s")
        try reader.expectEnd("ecdsa signature")
        // P-256's order is 32 bytes: larger values cannot be a signature.
        guard r.count <= 32, s.count <= 32 else { throw .malformed("ecdsa signature: r or s larger than the curve order") }
        guard let signature = ECDSA_SIG_new() else { throw .crypto("cannot allocate ECDSA_SIG") }
        defer { ECDSA_SIG_free(signature) }
        guard let rBN = BN_bin2bn(r, Int32(r.count), nil) else { throw .crypto("cannot allocate a BIGNUM") }
        guard let sBN = BN_bin2bn(s, Int32(s.count), nil) else {
            BN_free(rBN)
            throw .crypto("cannot allocate a BIGNUM")
        }
        // ECDSA_SIG_set0 takes ownership of both on success only.
        guard ECDSA_SIG_set0(signature, rBN, sBN) == 1 else {
            BN_free(rBN)
            BN_free(sBN)
            throw .crypto("cannot set ECDSA r and s")
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { throw .crypto("cannot encode the ECDSA signature") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        guard written == length else { throw .crypto("cannot encode the ECDSA signature") }
        return der
    }

    /// DER `ECDSA-Sig-Value` (what OpenSSL signs) → SSH's `mpint r, mpint s`.
    static func sshSignature(fromDER der: [UInt8]) throws(SSHSignatureError) -> [UInt8] {
        let signature = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let signature else { throw .crypto("OpenSSL produced an unreadable ECDSA signature") }
        defer { ECDSA_SIG_free(signature) }
        guard let r = ECDSA_SIG_get0_r(signature), let s = ECDSA_SIG_get0_s(signature) else {
            throw .crypto("OpenSSL produced an ECDSA signature without r or s")
        }
        var writer = SSHWireWriter()
        writer.positiveMPInt(magnitude(of: r))
        writer.positiveMPInt(magnitude(of: s))
        return writer.bytes
    }

    private static func magnitude(of bignum: OpaquePointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (Int(BN_num_bits(bignum)) + 7) / 8)
        let written = BN_bn2bin(bignum, &out)
        return Array(out.prefix(Int(max(written, 0))))
    }
}
