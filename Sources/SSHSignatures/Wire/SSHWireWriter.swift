/// Writes the SSH wire encoding (RFC 4251 §5): the counterpart of `SSHWireReader`.
struct SSHWireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func raw(_ data: some Sequence<UInt8>) { bytes.append(contentsOf: data) }

    mutating func uint32(_ value: UInt32) {
        bytes.append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)])
    }

    mutating func string(_ data: [UInt8]) {
        uint32(UInt32(data.count))
        bytes.append(contentsOf: data)
    }

    mutating func string(_ text: String) { string(Array(text.utf8)) }

    /// An mpint from an unsigned big-endian magnitude: minimal, with a zero byte in front when the top bit is set
    /// so it does not read as negative.
    mutating func positiveMPInt(_ magnitude: [UInt8]) {
        let trimmed = Array(magnitude.drop(while: { $0 == 0 }))
        if let first = trimmed.first, first & 0x80 != 0 {
            string([0] + trimmed)
        } else {
            string(trimmed)
        }
    }
}
