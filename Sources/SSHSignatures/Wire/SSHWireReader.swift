/// Reads the SSH wire encoding (RFC 4251 §5: uint32, string, mpint) from bytes that may be hostile: every read is
/// bounds-checked and fails with `malformed` naming what was being read, never traps.
struct SSHWireReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func readBytes(_ count: Int, _ what: String) throws(SSHSignatureError) -> [UInt8] {
        guard count >= 0, count <= remaining else { throw .malformed("\(what): truncated") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func readUInt8(_ what: String) throws(SSHSignatureError) -> UInt8 {
        try readBytes(1, what)[0]
    }

    mutating func readUInt32(_ what: String) throws(SSHSignatureError) -> UInt32 {
        let b = try readBytes(4, what)
        return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
    }

    /// A length-prefixed byte string; its length is checked against what is left before anything is copied.
    mutating func readString(_ what: String) throws(SSHSignatureError) -> [UInt8] {
        let length = try readUInt32(what)
        guard UInt64(length) <= UInt64(remaining) else { throw .malformed("\(what): truncated") }
        return try readBytes(Int(length), what)
    }

    /// A string that must be UTF-8 text (names, namespaces, comments).
    mutating func readText(_ what: String) throws(SSHSignatureError) -> String {
        let raw = try readString(what)
        guard let text = String(validating: raw, as: UTF8.self) else { throw .malformed("\(what): not UTF-8") }
        return text
    }

    /// An mpint as its unsigned big-endian magnitude without leading zeros. Negative values are refused: no key
    /// or signature field is ever negative.
    mutating func readPositiveMPInt(_ what: String) throws(SSHSignatureError) -> [UInt8] {
        let raw = try readString(what)
        if let first = raw.first, first & 0x80 != 0 { throw .malformed("\(what): negative") }
        return Array(raw.drop(while: { $0 == 0 }))
    }

    func expectEnd(_ what: String) throws(SSHSignatureError) {
        guard isAtEnd else { throw .malformed("\(what): \(remaining) bytes of trailing data") }
    }
}
