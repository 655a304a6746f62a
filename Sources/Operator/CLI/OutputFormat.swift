import ArgumentParser
import Foundation
import Reconcilers
import Yams

/// `-o table|wide|json|yaml|name`, as kubectl.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table
    case wide
    case json
    case yaml
    case name

    /// JSON and YAML are for programs and must be exact; the rest is read by people (`printForPeople`).
    var isExact: Bool { self == .json || self == .yaml }
}

/// A JSON value whose objects are written with sorted keys, so `-o json` and `-o yaml` are stable.
/// (The simulator's `JSONValue` is a different thing: ordered keys, Go number formatting.)
enum SortedJSON: Codable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([SortedJSON])
    case object([String: SortedJSON])

    init(from decoder: any Decoder) throws {
        if let c = try? decoder.container(keyedBy: AnyKey.self) {
            var o: [String: SortedJSON] = [:]
            for k in c.allKeys { o[k.stringValue] = try c.decode(SortedJSON.self, forKey: k) }
            self = .object(o)
            return
        }
        if var a = try? decoder.unkeyedContainer() {
            var items: [SortedJSON] = []
            while !a.isAtEnd { items.append(try a.decode(SortedJSON.self)) }
            self = .array(items)
            return
        }
        let s = try decoder.singleValueContainer()
        if s.decodeNil() { self = .null }
        else if let b = try? s.decode(Bool.self) { self = .bool(b) }
        else if let i = try? s.decode(Int64.self) { self = .int(i) }
        else if let u = try? s.decode(UInt64.self) { self = .uint(u) }
        else if let d = try? s.decode(Double.self) { self = .double(d) }
        else { self = .string(try s.decode(String.self)) }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .object(let o):
            var c = encoder.container(keyedBy: AnyKey.self)
            for k in o.keys.sorted() { try c.encode(o[k] ?? .null, forKey: AnyKey(k)) }
        case .array(let a):
            var c = encoder.unkeyedContainer()
            for v in a { try c.encode(v) }
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .uint(let u):
            var c = encoder.singleValueContainer()
            try c.encode(u)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        }
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}

enum Render {
    /// Pretty JSON with sorted keys and ISO 8601 times.
    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try CanonicalJSON.encoder(pretty: true).encode(value), as: UTF8.self)
    }

    /// YAML through the canonical JSON form, so times and key order match `-o json`.
    static func yaml<T: Encodable>(_ value: T) throws -> String {
        let tree = try JSONDecoder().decode(SortedJSON.self, from: CanonicalJSON.encode(value))
        let encoder = YAMLEncoder()
        // Readable text stays readable: "⌊share⌋", names and messages in any script, not "\u230A".
        encoder.options.allowUnicode = true
        return try encoder.encode(tree)
    }

    /// Several objects: a JSON `List` like kubectl, or YAML documents separated by `---`.
    static func list<T: Encodable>(_ items: [T], format: OutputFormat) throws -> String {
        switch format {
        case .json:
            return try json(ObjectList(items: items))
        case .yaml:
            return try items.map { try yaml($0) }.joined(separator: "---\n")
        default:
            return ""
        }
    }
}

/// kubectl's `List` wrapper for several objects in JSON.
struct ObjectList<T: Encodable>: Encodable {
    var apiVersion = "v1"
    var kind = "List"
    var items: [T]
}

/// kubectl's human-readable age: `45s`, `5m3s`, `3h`, `2d5h`, `400d`.
func humanAge(from date: Date?, now: Date) -> String {
    guard let date else { return "<unknown>" }
    let seconds = Int(now.timeIntervalSince(date))
    if seconds < -1 { return "<invalid>" }
    if seconds < 0 { return "0s" }
    if seconds < 120 { return "\(seconds)s" }
    let minutes = seconds / 60
    if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
    if minutes < 180 { return "\(minutes)m" }
    let hours = minutes / 60
    if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
    if hours < 48 { return "\(hours)h" }
    let days = hours / 24
    if hours < 24 * 8 { return hours % 24 == 0 ? "\(days)d" : "\(days)d\(hours % 24)h" }
    if days < 365 * 2 { return "\(days)d" }
    let years = days / 365
    if years < 8 { return days % 365 == 0 ? "\(years)y" : "\(years)y\(days % 365)d" }
    return "\(years)y"
}

/// Left-aligned columns separated by three spaces, kubectl style; empty values print as `<none>`.
func renderTable(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        var out = ""
        for (i, cell) in cells.enumerated() {
            if i == cells.count - 1 { out += cell } else { out += cell.padding(toLength: widths[i] + 3, withPad: " ", startingAt: 0) }
        }
        return out
    }
    return ([line(header)] + rows.map(line)).joined(separator: "\n")
}
