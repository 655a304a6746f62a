import COpenSSL

/// New keys from OpenSSL's generator.
enum KeyGeneration {
    /// An ed25519 seed and its public key, 32 bytes each.
    static func ed25519() throws(SSHSignatureError) -> (seed: [UInt8], publicKey: [UInt8]) {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "ED25519", nil) else {
            throw .crypto("cannot create an ed25519 key context: \(OpenSSLError.last())")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_generate(context, &pkey) == 1, let pkey else {
            throw .crypto("cannot generate an ed25519 key: \(OpenSSLError.last())")
        }
        defer { EVP_PKEY_free(pkey) }
        var seed = [UInt8](repeating: 0, count: 32)
        var publicKey = [UInt8](repeating: 0, count: 32)
        var seedLength = seed.count
        var publicLength = publicKey.count
        guard EVP_PKEY_get_raw_private_key(pkey, &seed, &seedLength) == 1, seedLength == 32,
              EVP_PKEY_get_raw_public_key(pkey, &publicKey, &publicLength) == 1, publicLength == 32
        else {
            throw .crypto("cannot read the generated ed25519 key: \(OpenSSLError.last())")
        }
        return (seed, publicKey)
    }
}
