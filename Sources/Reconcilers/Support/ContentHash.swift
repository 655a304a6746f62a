/// FNV-1a 64-bit: a fast, stable content hash for change detection (spec generations, plan revisions).
/// Not for security: nothing here defends against someone crafting collisions.
public enum ContentHash {
    public static func value<Bytes: Sequence>(of bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01b3
        }
        return h
    }

    /// 16 lower-case hex digits.
    public static func hex<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let s = String(value(of: bytes), radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
