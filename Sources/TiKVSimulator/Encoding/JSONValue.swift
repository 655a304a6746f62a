/// An ordered JSON tree: PD's bodies depend on key order, which Foundation's encoders do not keep.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        a.compact() == b.compact()
    }

    /// Go `json.Marshal` form.
    public func compact() -> String {
        var w = JSONByteWriter()
        w.write(self, indent: nil, level: 0)
        return w.string
    }

    /// Go `json.MarshalIndent(v, "", "  ")` plus the trailing newline `rd.JSON` adds.
    public func indented() -> String {
        var w = JSONByteWriter()
        w.write(self, indent: "  ", level: 0)
        w.bytes.append(UInt8(ascii: "\n"))
        return w.string
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let pairs) = self { return pairs.first(where: { $0.0 == key })?.1 }
        return nil
    }
}

/// Appends JSON to a byte buffer with Go's escaping rules.
struct JSONByteWriter {
    var bytes: [UInt8] = []
    var string: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func write(_ v: JSONValue, indent: String?, level: Int) {
        switch v {
        case .null: raw("null")
        case .bool(let b): raw(b ? "true" : "false")
        case .int(let i): raw(String(i))
        case .uint(let u): raw(String(u))
        case .double(let d): raw(GoFloat.format(d))
        case .string(let s): writeString(s)
        case .array(let items):
            if items.isEmpty { raw("[]"); return }
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent, level + 1)
                write(item, indent: indent, level: level + 1)
            }
            newline(indent, level)
            bytes.append(UInt8(ascii: "]"))
        case .object(let pairs):
            if pairs.isEmpty { raw("{}"); return }
            bytes.append(UInt8(ascii: "{"))
            for (i, (k, item)) in pairs.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent, level + 1)
                writeString(k)
                bytes.append(UInt8(ascii: ":"))
                if indent != nil { bytes.append(UInt8(ascii: " ")) }
                write(item, indent: indent, level: level + 1)
            }
            newline(indent, level)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func newline(_ indent: String?, _ level: Int) {
        guard let indent else { return }
        bytes.append(UInt8(ascii: "\n"))
        for _ in 0..<level { raw(indent) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    mutating func writeString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": raw("\\\"")
            case "\\": raw("\\\\")
            case "\n": raw("\\n")
            case "\r": raw("\\r")
            case "\t": raw("\\t")
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                escapeU(scalar.value)
            default:
                if scalar.value < 0x20 { escapeU(scalar.value) } else { bytes.append(contentsOf: String(scalar).utf8) }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escapeU(_ v: UInt32) {
        raw("\\u")
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(Self.hex[Int((v >> UInt32(shift)) & 0xF)])
        }
    }
}
