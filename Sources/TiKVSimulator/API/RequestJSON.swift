/// A small JSON reader for request bodies: keeps key order and exact integers (uint64 ids), and reports
/// errors the way Go's decoder words the common ones.
enum RequestJSON {
    struct Failure: Error { var message: String; var offset: Int }

    static func parse(_ body: [UInt8]) -> Result<JSONValue, PDError> {
        var p = Parser(bytes: body)
        do {
            p.skipSpace()
            let v = try p.value()
            p.skipSpace()
            if p.i < body.count { throw Failure(message: "invalid character after top-level value", offset: p.i + 1) }
            return .success(v)
        } catch let f as Failure {
            return .failure(PDError(400, f.message, rawBody: .object([("code", .string("input")), ("msg", .string(f.message)),
                                                                       ("data", .object([("Offset", .int(Int64(f.offset)))]))])))
        } catch {
            return .failure(PDError(400, "bad request"))
        }
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
        }
        func eof() -> Failure { Failure(message: "unexpected end of JSON input", offset: bytes.count) }

        mutating func value() throws -> JSONValue {
            skipSpace()
            guard i < bytes.count else { throw eof() }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                i += 1
                var pairs: [(String, JSONValue)] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                while true {
                    skipSpace()
                    guard i < bytes.count else { throw eof() }
                    guard case .string(let k) = try value() else { throw Failure(message: "invalid character looking for beginning of object key string", offset: i) }
                    skipSpace()
                    guard i < bytes.count else { throw eof() }
                    guard bytes[i] == UInt8(ascii: ":") else { throw Failure(message: "invalid character after object key", offset: i + 1) }
                    i += 1
                    pairs.append((k, try value()))
                    skipSpace()
                    guard i < bytes.count else { throw eof() }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                    throw Failure(message: "invalid character after object key:value pair", offset: i + 1)
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [JSONValue] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skipSpace()
                    guard i < bytes.count else { throw eof() }
                    if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    throw Failure(message: "invalid character after array element", offset: i + 1)
                }
            case UInt8(ascii: "\""):
                i += 1
                var out: [UInt8] = []
                while true {
                    guard i < bytes.count else { throw eof() }
                    let c = bytes[i]
                    i += 1
                    if c == UInt8(ascii: "\"") { break }
                    if c == UInt8(ascii: "\\") {
                        guard i < bytes.count else { throw eof() }
                        let e = bytes[i]
                        i += 1
                        switch e {
                        case UInt8(ascii: "n"): out.append(0x0A)
                        case UInt8(ascii: "t"): out.append(0x09)
                        case UInt8(ascii: "r"): out.append(0x0D)
                        case UInt8(ascii: "b"): out.append(0x08)
                        case UInt8(ascii: "f"): out.append(0x0C)
                        case UInt8(ascii: "u"):
                            guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else { throw eof() }
                            i += 4
                            out.append(contentsOf: String(Unicode.Scalar(v).map(Character.init) ?? "?").utf8)
                        default: out.append(e)
                        }
                    } else {
                        out.append(c)
                    }
                }
                return .string(String(decoding: out, as: UTF8.self))
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default:
                let start = i
                while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
                guard i > start else { throw Failure(message: "invalid character looking for beginning of value", offset: i + 1) }
                let text = String(decoding: bytes[start..<i], as: UTF8.self)
                if let u = Int64(text) { return .int(u) }
                if let u = UInt64(text) { return .uint(u) }
                if let d = Double(text) { return .double(d) }
                throw Failure(message: "invalid number", offset: i)
            }
        }

        mutating func literal(_ word: String, _ v: JSONValue) throws -> JSONValue {
            // Go's scanner checks byte by byte: the first wrong one is named, a short input is an unexpected end.
            let w = Array(word.utf8)
            for (k, expected) in w.enumerated() {
                guard i + k < bytes.count else { throw eof() }
                let got = bytes[i + k]
                guard got == expected else {
                    let shown = (32..<127).contains(got) ? "'\(Character(UnicodeScalar(got)))'" : ("'\\x" + (got < 16 ? "0" : "") + String(got, radix: 16) + "'")
                    throw Failure(message: "invalid character \(shown) in literal \(word) (expecting '\(Character(UnicodeScalar(expected)))')",
                                  offset: i + k + 1)
                }
            }
            i += w.count
            return v
        }
    }
}

extension JSONValue {
    /// A JSON number as Go's `float64` type assertion would accept it.
    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .uint(let u): Double(u)
        case .double(let d): d
        default: nil
        }
    }
}
