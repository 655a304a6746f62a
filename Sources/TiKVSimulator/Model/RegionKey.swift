/// Region boundary keys as PD stores them: memcomparable-encoded TiDB keys (`codec.EncodeBytes`).
///
/// The simulator keeps a boundary as a 64-bit code instead of a string: the high 32 bits are a table id and
/// the low 32 bits a row handle (0 = the table prefix `t{table}` itself, otherwise the record key
/// `t{table}_r{handle}`). Codes sort exactly like the keys they stand for, so region lookup is a binary search
/// over integers, and the hex text is produced only when a response needs it.
public struct RegionKey: Sendable {
    /// Code 0 is reserved for the open end `""`.
    public static func code(table: UInt32, handle: UInt32 = 0) -> UInt64 { UInt64(table) << 32 | UInt64(handle) }

    /// The raw (unencoded) TiDB key of a code.
    static func rawKey(code: UInt64) -> [UInt8] {
        let table = code >> 32, handle = code & 0xFFFF_FFFF
        var raw: [UInt8] = [UInt8(ascii: "t")]
        appendComparableInt(Int64(table), to: &raw)
        if handle != 0 {
            raw.append(UInt8(ascii: "_"))
            raw.append(UInt8(ascii: "r"))
            appendComparableInt(Int64(handle), to: &raw)
        }
        return raw
    }

    /// The region-tree key bytes (memcomparable bytes encoding of the raw key). Empty for code 0.
    public static func encodedKey(code: UInt64) -> [UInt8] {
        code == 0 ? [] : encodeBytes(rawKey(code: code))
    }

    /// Upper-case hex of the encoded key, `""` for the open end.
    public static func hex(code: UInt64) -> String {
        code == 0 ? "" : hexString(encodedKey(code: code))
    }

    static func appendComparableInt(_ v: Int64, to out: inout [UInt8]) {
        let u = UInt64(bitPattern: v) ^ (1 << 63)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: u >> UInt64(shift))) }
    }

    /// TiDB `codec.EncodeBytes`: 8-byte groups, each followed by `0xFF - padding`.
    static func encodeBytes(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((data.count / 8 + 1) * 9)
        var i = 0
        while i <= data.count {
            let remain = data.count - i
            if remain >= 8 {
                out.append(contentsOf: data[i..<i + 8])
                out.append(0xFF)
            } else {
                out.append(contentsOf: data[i..<data.count])
                out.append(contentsOf: repeatElement(0, count: 8 - remain))
                out.append(0xFF - UInt8(8 - remain))
            }
            i += 8
        }
        return out
    }

    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    static func hexString(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hex (either case). Nil when the text is not hex.
    public static func parseHex(_ text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The code of an encoded key, when it is one the simulator's key space holds (`t{table}` or `t{table}_r{handle}`
    /// with both in 32 bits); nil for any other key.
    public static func code(encodedKey key: [UInt8]) -> UInt64? {
        // 9 raw bytes (the table prefix) encode to two groups, 19 (a record key) to three.
        guard key.count == 18 || key.count == 27, let raw = decodeBytes(key), raw.first == UInt8(ascii: "t") else { return nil }
        func int(_ at: Int) -> UInt64? {
            guard raw.count >= at + 8 else { return nil }
            let u = raw[at..<at + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } ^ (1 << 63)
            return u <= UInt64(UInt32.max) ? u : nil
        }
        guard let table = int(1) else { return nil }
        if raw.count == 9 { return table == 0 ? nil : table << 32 }
        guard raw.count == 19, raw[9] == UInt8(ascii: "_"), raw[10] == UInt8(ascii: "r"), let handle = int(11), handle != 0 else { return nil }
        return table << 32 | handle
    }

    /// The inverse of `encodeBytes`; nil for bytes it could not have produced.
    static func decodeBytes(_ key: [UInt8]) -> [UInt8]? {
        guard !key.isEmpty, key.count % 9 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < key.count {
            let marker = key[i + 8]
            let pad = Int(0xFF - marker)
            guard pad <= 8 else { return nil }
            out.append(contentsOf: key[i..<i + 8 - pad])
            if pad > 0 { return i + 9 == key.count && key[i + 8 - pad..<i + 8].allSatisfy { $0 == 0 } ? out : nil }
            i += 9
        }
        return nil
    }

    /// Lexicographic byte comparison (Go `bytes.Compare`).
    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }
}
