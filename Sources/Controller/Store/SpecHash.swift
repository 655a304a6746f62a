import Foundation

/// FNV-1a, 64 bit, of the spec bytes as 16 lowercase hex digits. The caller passes canonical
/// JSON, so equal content gives equal hashes; the hash decides whether `generation` moves.
enum SpecHash {
    static func fnv1a64(_ bytes: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
