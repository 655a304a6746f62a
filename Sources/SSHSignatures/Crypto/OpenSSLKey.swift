import COpenSSL

/// OpenSSL `EVP_PKEY`s made from SSH key components, lent to a closure and freed when it returns.
enum OpenSSLKey {
    static func withPublicKey<R>(_ key: SSHPublicKey, _ body: (OpaquePointer) throws(SSHSignatureError) -> R) throws(SSHSignatureError) -> R {
        let pkey: OpaquePointer?
        switch key.material {
        case .ed25519(let raw):
            pkey = EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, raw, raw.count)
        case .ecdsaP256(let point):
            pkey = copenssl_p256_key(point, point.count, nil)
        case .rsa(let e, let n):
            pkey = try withBignums([n, e], secret: false) { bn in copenssl_rsa_key(bn[0], bn[1], nil) }
        }
        // Hostile input lands here too (an ECDSA point off the curve): a bad key, not a library failure.
        guard let pkey else { throw .malformed("\(key.algorithm.rawValue) public key is not a valid key (\(OpenSSLError.last()))") }
        defer { EVP_PKEY_free(pkey) }
        return try body(pkey)
    }

    static func withPrivateKey<R>(_ key: SSHPrivateKey, _ body: (OpaquePointer) throws(SSHSignatureError) -> R) throws(SSHSignatureError) -> R {
        let pkey: OpaquePointer?
        switch (key.secret, key.publicKey.material) {
        case (.ed25519(let seed), .ed25519):
            pkey = EVP_PKEY_new_raw_private_key_ex(nil, "ED25519", nil, seed, seed.count)
        case (.ecdsaP256(let scalar), .ecdsaP256(let point)):
            pkey = try withBignums([scalar], secret: true) { bn in copenssl_p256_key(point, point.count, bn[0]) }
        case (.rsa(let rsa), .rsa(let e, let n)):
            // n, e and d suffice to sign; the CRT factors are kept only to write the key file back.
            pkey = try withBignums([n, e, rsa.d], secret: true) { bn in copenssl_rsa_key(bn[0], bn[1], bn[2]) }
        default:
            throw .malformed("private key: its secret does not match its \(key.publicKey.algorithm.rawValue) public key")
        }
        guard let pkey else { throw .crypto("the \(key.publicKey.algorithm.rawValue) private key is invalid: \(OpenSSLError.last())") }
        defer { EVP_PKEY_free(pkey) }
        return try body(pkey)
    }

    /// BIGNUMs from big-endian magnitudes for the duration of `body`; secret ones are wiped when freed.
    private static func withBignums(
        _ magnitudes: [[UInt8]], secret: Bool, _ body: ([OpaquePointer]) -> OpaquePointer?
    ) throws(SSHSignatureError) -> OpaquePointer? {
        var bignums: [OpaquePointer] = []
        defer { for bn in bignums { if secret { BN_clear_free(bn) } else { BN_free(bn) } } }
        for magnitude in magnitudes {
            guard let bn = BN_bin2bn(magnitude, Int32(magnitude.count), nil) else {
                throw .crypto("cannot allocate a BIGNUM: \(OpenSSLError.last())")
            }
            bignums.append(bn)
        }
        return body(bignums)
    }
}
