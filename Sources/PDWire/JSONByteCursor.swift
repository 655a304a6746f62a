/// Why a byte-level parse stopped: the input ran out (feed more and retry from a checkpoint),
/// or it is not what the grammar allows.
enum JSONScanFailure: Error {
    case needMore
    case invalid(String, at: Int)
}

/// Primitive JSON readers over a borrowed byte buffer, for hand-written decoders of one known shape.
///
/// Every reader throws `.needMore` when it reaches the end of the buffer before it can decide,
/// so a caller can rewind to its checkpoint and retry once more bytes have arrived. Nothing here
/// allocates except the strings it returns.
struct JSONByteCursor {
    let base: UnsafePointer<UInt8>
    let end: Int
    var pos: Int

    init(_ buffer: UnsafeBufferPointer<UInt8>, pos: Int = 0) {
        // An empty buffer has no base address; point at a static byte that is never read.
        self.base = buffer.baseAddress ?? JSONByteCursor.emptyBase
        self.end = buffer.count
        self.pos = pos
    }

    // Immutable after initialisation and never written through.
    nonisolated(unsafe) private static let emptyBase: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    @inline(__always) func invalid(_ what: String) -> JSONScanFailure { .invalid(what, at: pos) }

    @inline(__always) mutating func peekNonSpace() throws(JSONScanFailure) -> UInt8 {
        while pos < end {
            let c = base[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1; continue }
            return c
        }
        throw .needMore
    }

    /// Skips whitespace and reports whether anything but whitespace remains (never throws).
    mutating func skipSpaceAtEnd() -> Bool {
        while pos < end {
            let c = base[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1; continue }
            return true
        }
        return false
    }

    @inline(__always) mutating func expect(_ byte: UInt8, _ what: StaticString) throws(JSONScanFailure) {
        let c = try peekNonSpace()
        guard c == byte else { throw invalid("expected \(what)") }
        pos += 1
    }

    /// Consumes `byte` if it is next (after whitespace).
    @inline(__always) mutating func consumeIf(_ byte: UInt8) throws(JSONScanFailure) -> Bool {
        if try peekNonSpace() == byte { pos += 1; return true }
        return false
    }

    /// `null` next? Consumes it.
    mutating func consumeNull() throws(JSONScanFailure) -> Bool {
        guard try peekNonSpace() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    mutating func literal(_ word: StaticString) throws(JSONScanFailure) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        for i in 0..<n {
            guard pos + i < end else { throw .needMore }
            guard base[pos + i] == w[i] else { throw invalid("expected \(word)") }
        }
        pos += n
        // A literal must not run into letters or digits ("nullx", "true1").
        guard pos < end else { throw .needMore }
        let c = base[pos]
        guard !Self.isWordByte(c) else { throw invalid("unexpected character after \(word)") }
    }

    @inline(__always) static func isWordByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x2E || c == 0x2B || c == 0x2D
    }

    mutating func bool() throws(JSONScanFailure) -> Bool {
        let c = try peekNonSpace()
        if c == UInt8(ascii: "t") { try literal("true"); return true }
        if c == UInt8(ascii: "f") { try literal("false"); return false }
        throw invalid("expected a boolean")
    }

    /// An unsigned JSON integer; fractions, exponents, signs and leading zeros are rejected.
    @inline(__always) mutating func uint64() throws(JSONScanFailure) -> UInt64 {
        _ = try peekNonSpace()
        let start = pos
        var v: UInt64 = 0
        while pos < end {
            let d = base[pos] &- 0x30
            if d > 9 { break }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { throw .invalid("integer out of range for UInt64", at: start) }
            v = a
            pos += 1
        }
        guard pos < end else { throw .needMore }
        let digits = pos - start
        guard digits > 0 else { throw invalid("expected an unsigned integer") }
        guard !(digits > 1 && base[start] == 0x30) else { throw .invalid("leading zero in number", at: start) }
        let c = base[pos]
        guard c != UInt8(ascii: "."), c != UInt8(ascii: "e"), c != UInt8(ascii: "E") else {
            throw invalid("expected an integer, found a fraction or exponent")
        }
        return v
    }

    mutating func int64() throws(JSONScanFailure) -> Int64 {
        let negative = try peekNonSpace() == UInt8(ascii: "-")
        if negative { pos += 1 }
        let start = pos
        let magnitude = try uint64()
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw .invalid("integer out of range for Int64", at: start) }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw .invalid("integer out of range for Int64", at: start) }
        return Int64(magnitude)
    }

    /// A JSON string. The fast path (no escapes) copies the bytes straight into a `String`.
    mutating func string() throws(JSONScanFailure) -> String {
        try expect(UInt8(ascii: "\""), "a string")
        let start = pos
        while pos < end {
            let c = base[pos]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(start: base + start, count: pos - start), as: UTF8.self)
                pos += 1
                return s
            }
            if c == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if c < 0x20 { throw invalid("control character in string") }
            pos += 1
        }
        throw .needMore
    }

    /// Skips a string without building it; returns its raw byte range (escapes left as they are).
    @inline(__always) mutating func rawString() throws(JSONScanFailure) -> (start: Int, count: Int, escaped: Bool) {
        try expect(UInt8(ascii: "\""), "a string")
        let start = pos
        var escaped = false
        while pos < end {
            let c = base[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return (start, pos - 1 - start, escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                pos += 1
                guard pos < end else { throw .needMore }
                let e = base[pos]
                if e == UInt8(ascii: "u") {
                    guard pos + 4 < end else { throw .needMore }
                    for i in 1...4 where Self.hexValue(base[pos + i]) == nil { throw .invalid("bad \\u escape", at: pos) }
                    pos += 4
                } else if !Self.simpleEscapes.contains(e) {
                    throw invalid("bad escape in string")
                }
                pos += 1
                continue
            }
            if c < 0x20 { throw invalid("control character in string") }
            pos += 1
        }
        throw .needMore
    }

    private static let simpleEscapes: [UInt8] = Array("\"\\/bfnrt".utf8)

    private mutating func escapedString(from start: Int) throws(JSONScanFailure) -> String {
        pos = start
        var out: [UInt8] = []
        out.reserveCapacity(32)
        while pos < end {
            let c = base[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw invalid("control character in string") }
            guard c == UInt8(ascii: "\\") else { out.append(c); pos += 1; continue }
            guard pos + 1 < end else { throw .needMore }
            let e = base[pos + 1]
            pos += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800, scalar < 0xDC00 {
                    // A high surrogate must be followed by `\uDC00`…`\uDFFF`.
                    guard pos + 1 < end else { throw .needMore }
                    guard base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u") else {
                        throw invalid("unpaired surrogate in string")
                    }
                    pos += 2
                    let low = try hex4()
                    guard low >= 0xDC00, low < 0xE000 else { throw invalid("unpaired surrogate in string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00, scalar < 0xE000 {
                    throw invalid("unpaired surrogate in string")
                }
                guard let u = Unicode.Scalar(scalar) else { throw invalid("invalid unicode escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw invalid("bad escape in string")
            }
        }
        throw .needMore
    }

    private mutating func hex4() throws(JSONScanFailure) -> UInt32 {
        guard pos + 4 <= end else { throw .needMore }
        var v: UInt32 = 0
        for i in 0..<4 {
            guard let h = Self.hexValue(base[pos + i]) else { throw invalid("bad \\u escape") }
            v = v << 4 | UInt32(h)
        }
        pos += 4
        return v
    }

    @inline(__always) static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// True when the raw bytes at `start` equal `literal` (for matching object keys without allocating).
    @inline(__always) func bytesEqual(_ start: Int, _ count: Int, _ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        let l = literal.utf8Start
        for i in 0..<count where base[start + i] != l[i] { return false }
        return true
    }

    /// Skips any JSON value, checking its grammar (numbers per RFC 8259, nesting up to `maxDepth`).
    mutating func skipValue(depth: Int = 0) throws(JSONScanFailure) {
        guard depth < 512 else { throw invalid("nesting too deep") }
        let c = try peekNonSpace()
        switch c {
        case UInt8(ascii: "\""):
            _ = try rawString()
        case UInt8(ascii: "{"):
            pos += 1
            if try consumeIf(UInt8(ascii: "}")) { return }
            repeat {
                _ = try rawString()
                try expect(UInt8(ascii: ":"), "':'")
                try skipValue(depth: depth + 1)
            } while try consumeIf(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"), "',' or '}'")
        case UInt8(ascii: "["):
            pos += 1
            if try consumeIf(UInt8(ascii: "]")) { return }
            repeat {
                try skipValue(depth: depth + 1)
            } while try consumeIf(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"), "',' or ']'")
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            try skipNumber()
        }
    }

    private mutating func skipNumber() throws(JSONScanFailure) {
        let start = pos
        if pos < end, base[pos] == UInt8(ascii: "-") { pos += 1 }
        let intStart = pos
        while pos < end, base[pos] &- 0x30 <= 9 { pos += 1 }
        guard pos < end else { throw .needMore }
        guard pos > intStart else { throw .invalid("expected a value", at: start) }
        guard !(pos - intStart > 1 && base[intStart] == 0x30) else { throw .invalid("leading zero in number", at: start) }
        if base[pos] == UInt8(ascii: ".") {
            pos += 1
            let f = pos
            while pos < end, base[pos] &- 0x30 <= 9 { pos += 1 }
            guard pos < end else { throw .needMore }
            guard pos > f else { throw invalid("expected digits after '.'") }
        }
        if base[pos] | 0x20 == UInt8(ascii: "e") {
            pos += 1
            guard pos < end else { throw .needMore }
            if base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-") { pos += 1 }
            let e = pos
            while pos < end, base[pos] &- 0x30 <= 9 { pos += 1 }
            guard pos < end else { throw .needMore }
            guard pos > e else { throw invalid("expected digits in exponent") }
        }
    }
}
