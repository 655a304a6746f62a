import COpenSSL

/// SHA-2 through OpenSSL.
enum Digest {
    static func sha256(_ data: [UInt8]) -> [UInt8] { hash(data, EVP_sha256()) }
    static func sha512(_ data: [UInt8]) -> [UInt8] { hash(data, EVP_sha512()) }

    private static func hash(_ data: [UInt8], _ md: OpaquePointer?) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = data.withUnsafeBufferPointer { input in
            EVP_Digest(input.baseAddress, input.count, &out, &length, md, nil) == 1
        }
        // A one-shot SHA-2 fails only when OpenSSL cannot allocate its context: no input makes it fail.
        precondition(ok, "OpenSSL could not compute a SHA-2 digest")
        return Array(out.prefix(Int(length)))
    }
}

/// Random bytes from OpenSSL's CSPRNG.
enum SecureRandom {
    static func bytes(_ count: Int) throws(SSHSignatureError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&out, Int32(count)) == 1 else { throw .crypto("no random bytes: \(OpenSSLError.last())") }
        return out
    }
}

/// OpenSSL's error queue, emptied into one line for an error message.
enum OpenSSLError {
    static func last() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let end = buffer.firstIndex(of: 0) ?? buffer.count
            messages.append(String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "unknown error" : messages.joined(separator: "; ")
    }
}
