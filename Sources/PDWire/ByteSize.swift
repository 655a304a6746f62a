import Foundation

/// A byte count with PD's `/stores` text form: `"1TiB"`, `"983.6GiB"`, `"656.2MiB"`, `"0B"`.
///
/// PD formats these with docker/go-units `CustomSize("%.4g%s", size, 1024, binary units)` and parses
/// them with `RAMInBytes`, which accepts `"1 GiB"`, `"10GB"` or `"512m"` (always binary multiples).
public struct ByteSize: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var bytes: UInt64
    public init(bytes: UInt64) { self.bytes = bytes }
    public init(_ bytes: UInt64) { self.bytes = bytes }

    public static func < (a: ByteSize, b: ByteSize) -> Bool { a.bytes < b.bytes }

    public static let kib: UInt64 = 1 << 10
    public static let mib: UInt64 = 1 << 20
    public static let gib: UInt64 = 1 << 30
    public static let tib: UInt64 = 1 << 40

    private static let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]

    /// go-units: divide by 1024 while the value is ≥ 1024, then `%.4g` plus the unit.
    public var description: String {
        var size = Double(bytes)
        var i = 0
        while size >= 1024, i < Self.units.count - 1 {
            size /= 1024
            i += 1
        }
        // C's %.4g follows the same rules as Go's for these magnitudes (4 significant digits,
        // trailing zeros dropped, round-half-even on the exact binary value).
        return String(format: "%.4g", size) + Self.units[i]
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let text: String
        public var description: String { "invalid byte size \"\(text)\": expected a number and a unit such as 983.6GiB" }
    }

    /// Parses like go-units `RAMInBytes`: a decimal number, optional spaces, an optional unit
    /// (`b`, `k`, `kb`, `kib`, … case-insensitive); every unit is a power of 1024.
    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let number = trimmed.prefix(while: { $0.isASCII && ($0.isNumber || $0 == ".") })
        guard !number.isEmpty, let value = Double(number) else { throw ParseError(text: text) }
        let unit = trimmed.dropFirst(number.count).trimmingCharacters(in: .whitespaces).lowercased()
        let multipliers: [String: Double] = [
            "": 1, "b": 1,
            "k": 0x1p10, "kb": 0x1p10, "kib": 0x1p10,
            "m": 0x1p20, "mb": 0x1p20, "mib": 0x1p20,
            "g": 0x1p30, "gb": 0x1p30, "gib": 0x1p30,
            "t": 0x1p40, "tb": 0x1p40, "tib": 0x1p40,
            "p": 0x1p50, "pb": 0x1p50, "pib": 0x1p50,
        ]
        guard let m = multipliers[unit] else { throw ParseError(text: text) }
        let total = value * m
        guard total.isFinite, total < 0x1p64 else { throw ParseError(text: text) }
        self.bytes = UInt64(total)
    }
}

extension ByteSize: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        // PD always writes a string; tolerate a bare number of bytes as well.
        if let n = try? c.decode(UInt64.self) { self.init(bytes: n); return }
        let text = try c.decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: error.description)
        }
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
