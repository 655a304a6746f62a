import Foundation
import Yams

/// A `Decoder` over a composed YAML node that remembers where every value sits.
///
/// Yams' own decoder loses positions; a spec error must name file, line, column and field path.
/// It also records which fields each object asked for, so fields nobody asked for are reported as
/// unknown (with a suggestion) instead of being silently ignored.
final class NodeDecodingContext {
    struct Position {
        var line: Int
        var column: Int
    }

    /// An object (mapping) that was decoded: its present keys and the keys its type asked for.
    final class MappingRecord {
        let path: String
        let keys: [(name: String, position: Position?)]
        var requested: Set<String> = []
        /// Where decoding of this object stopped, when a field failed and no stand-in could be built: the keys
        /// after it were never asked for, so they are not known to be unknown.
        var stoppedAt: Position?
        init(path: String, keys: [(name: String, position: Position?)]) {
            self.path = path
            self.keys = keys
        }
    }

    let file: String
    private(set) var positions: [String: Position] = [:]
    private(set) var mappings: [MappingRecord] = []
    /// Every field that failed to decode, in the order met; decoding went on past each (`NodeKeyedContainer.decode`).
    private(set) var failures: [SpecError] = []

    init(file: String) { self.file = file }

    func record(path: String, mark: Mark?) {
        if let mark, positions[path] == nil { positions[path] = Position(line: mark.line, column: mark.column) }
    }

    func register(_ mapping: MappingRecord) { mappings.append(mapping) }

    /// Records a decoding failure once: a `RecordedFailure` is one already recorded deeper down.
    func recordFailure(_ error: any Error) {
        if error is RecordedFailure { return }
        failures.append(SpecParser.positioned(error, context: self))
    }

    /// The position of `path`, or of its nearest recorded ancestor.
    func position(of path: String) -> Position? {
        var p = path
        while true {
            if let pos = positions[p] { return pos }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { return positions[""] }
            p = String(p[..<cut])
        }
    }

    func error(_ path: String, _ message: String) -> SpecError {
        let pos = position(of: path)
        return SpecError(file: file, line: pos?.line ?? 0, column: pos?.column ?? 0, path: path, message: message)
    }

    /// Fields present in the file that no decoded type asked for.
    func unknownFieldErrors() -> [SpecError] {
        var out: [SpecError] = []
        for m in mappings {
            for key in m.keys where !m.requested.contains(key.name) {
                if let stop = m.stoppedAt, let at = key.position, (at.line, at.column) >= (stop.line, stop.column) { continue }
                let path = m.path.isEmpty ? key.name : m.path + "." + key.name
                var message = "unknown field \"\(key.name)\""
                if let hint = Self.suggestion(for: key.name, among: m.requested) { message += " (did you mean \"\(hint)\"?)" }
                out.append(SpecError(file: file, line: key.position?.line ?? 0, column: key.position?.column ?? 0, path: path, message: message))
            }
        }
        return out
    }

    static func suggestion(for name: String, among known: Set<String>) -> String? {
        let lower = name.lowercased()
        let scored = known.map { ($0, editDistance(lower, $0.lowercased())) }.filter { $0.1 <= max(2, name.count / 3) }
        return scored.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}

/// Thrown by the node decoder itself: already positioned.
struct PositionedDecodingError: Error {
    let error: SpecError
}

/// A failure already in `NodeDecodingContext.failures`, going up to the nearest field that can stand in for it.
struct RecordedFailure: Error {}

func pathString(_ codingPath: [any CodingKey]) -> String {
    var out = ""
    for key in codingPath {
        if let i = key.intValue, key is IndexKey {
            out += "[\(i)]"
        } else {
            out += out.isEmpty ? key.stringValue : "." + key.stringValue
        }
    }
    return out
}

struct IndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String
    init(_ i: Int) {
        intValue = i
        stringValue = "\(i)"
    }
    init?(intValue: Int) { self.init(intValue) }
    init?(stringValue: String) { return nil }
}

struct NodeDecoder: Decoder {
    let node: Node
    let codingPath: [any CodingKey]
    let context: NodeDecodingContext
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: Node, codingPath: [any CodingKey], context: NodeDecodingContext) {
        self.node = node
        self.codingPath = codingPath
        self.context = context
        context.record(path: pathString(codingPath), mark: node.mark)
    }

    var path: String { pathString(codingPath) }

    func fail(_ message: String) -> PositionedDecodingError {
        PositionedDecodingError(error: context.error(path, message))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node else { throw fail("expected an object, got \(describe(node))") }
        return KeyedDecodingContainer(try NodeKeyedContainer<Key>(mapping: mapping, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let seq) = node else { throw fail("expected a list, got \(describe(node))") }
        return NodeUnkeyedContainer(elements: Array(seq), decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { NodeSingleValueContainer(decoder: self) }

    func child(_ node: Node, key: any CodingKey) -> NodeDecoder {
        NodeDecoder(node: node, codingPath: codingPath + [key], context: context)
    }

    // MARK: Scalars

    var isNull: Bool {
        if case .scalar = node { return tagName(node) == .null }
        return false
    }

    func scalarText(expecting what: String) throws -> (text: String, tag: Tag.Name, quoted: Bool) {
        switch node {
        case .scalar(let s):
            let quoted = s.style == .singleQuoted || s.style == .doubleQuoted
            return (s.string, tagName(node), quoted)
        default:
            throw fail("expected \(what), got \(describe(node))")
        }
    }

    func decodeString() throws -> String {
        let (text, tag, quoted) = try scalarText(expecting: "a string")
        if quoted { return text }
        switch tag {
        case .int, .float: throw fail("expected a string, got the number \(text) (quote it: \"\(text)\")")
        case .bool: throw fail("expected a string, got the boolean \(text) (quote it: \"\(text)\")")
        case .null: throw fail("expected a string, got null")
        default: return text
        }
    }

    func decodeBool() throws -> Bool {
        let (text, tag, quoted) = try scalarText(expecting: "a boolean (true or false)")
        if !quoted, tag == .bool, let b = node.bool { return b }
        _ = text
        throw fail("expected a boolean (true or false), got \(describe(node))")
    }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let (text, tag, quoted) = try scalarText(expecting: "an integer")
        guard !quoted, tag == .int else { throw fail("expected an integer, got \(describe(node))") }
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        guard let v = T(cleaned) else {
            throw fail("\(text) is out of range for an integer field (\(T.min)...\(T.max))")
        }
        return v
    }

    func decodeFloat() throws -> Double {
        let (text, tag, quoted) = try scalarText(expecting: "a number")
        guard !quoted, tag == .int || tag == .float, let v = Double(text.replacingOccurrences(of: "_", with: "")) ?? node.float
        else { throw fail("expected a number, got \(describe(node))") }
        return v
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let value: Any
        switch type {
        case is String.Type: value = try decodeString()
        case is Bool.Type: value = try decodeBool()
        case is Int.Type: value = try decodeInteger(Int.self)
        case is Int64.Type: value = try decodeInteger(Int64.self)
        case is Int32.Type: value = try decodeInteger(Int32.self)
        case is UInt64.Type: value = try decodeInteger(UInt64.self)
        case is UInt32.Type: value = try decodeInteger(UInt32.self)
        case is UInt.Type: value = try decodeInteger(UInt.self)
        case is Double.Type: value = try decodeFloat()
        case is Float.Type: value = Float(try decodeFloat())
        case is Date.Type:
            let text = try decodeString()
            guard let d = CanonicalJSON.parseDate(text) else { throw fail("invalid timestamp \"\(text)\": expected RFC 3339") }
            value = d
        default:
            return try T(from: self)
        }
        guard let typed = value as? T else { throw fail("cannot decode \(T.self)") }
        return typed
    }
}

/// The resolved YAML 1.1 tag of a node (`int`, `bool`, `null`, `str`, …).
func tagName(_ node: Node) -> Tag.Name { Resolver.default.resolveTag(of: node) }

func describe(_ node: Node) -> String {
    switch node {
    case .mapping: return "an object"
    case .sequence: return "a list"
    case .alias: return "an alias"
    case .scalar(let s):
        let quoted = s.style == .singleQuoted || s.style == .doubleQuoted
        if quoted { return "the string \"\(s.string)\"" }
        switch tagName(node) {
        case .null: return "null"
        case .int, .float: return "the number \(s.string)"
        case .bool: return "the boolean \(s.string)"
        default: return "the string \"\(s.string)\""
        }
    }
}

struct NodeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    let values: [String: (key: Node, value: Node)]
    let record: NodeDecodingContext.MappingRecord
    var codingPath: [any CodingKey] { decoder.codingPath }

    init(mapping: Node.Mapping, decoder: NodeDecoder) throws {
        self.decoder = decoder
        var values: [String: (key: Node, value: Node)] = [:]
        var keys: [(name: String, position: NodeDecodingContext.Position?)] = []
        // Yams already refuses duplicate keys while composing, so each key appears once here.
        for (k, v) in mapping {
            guard case .scalar(let ks) = k else {
                throw PositionedDecodingError(error: decoder.context.error(decoder.path, "field names must be plain strings"))
            }
            values[ks.string] = (k, v)
            keys.append((ks.string, k.mark.map { NodeDecodingContext.Position(line: $0.line, column: $0.column) }))
        }
        self.values = values
        self.record = NodeDecodingContext.MappingRecord(path: decoder.path, keys: keys)
        decoder.context.register(record)
    }

    var allKeys: [Key] {
        record.keys.compactMap { Key(stringValue: $0.name) }
    }

    func contains(_ key: Key) -> Bool {
        record.requested.insert(key.stringValue)
        return values[key.stringValue] != nil
    }

    private func childDecoder(_ key: Key) throws -> NodeDecoder {
        record.requested.insert(key.stringValue)
        guard let entry = values[key.stringValue] else {
            let path = decoder.path.isEmpty ? key.stringValue : decoder.path + "." + key.stringValue
            let pos = decoder.context.position(of: decoder.path)
            throw PositionedDecodingError(error: SpecError(file: decoder.context.file, line: pos?.line ?? 0, column: pos?.column ?? 0,
                                                           path: path, message: "required field is missing"))
        }
        return decoder.child(entry.value, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        record.requested.insert(key.stringValue)
        guard let entry = values[key.stringValue] else { return true }
        return decoder.child(entry.value, key: key).isNull
    }

    /// A required field: a failure is recorded and a stand-in returned, so the object's other fields are still
    /// checked; without a stand-in this object stops here and the failure goes up.
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        do {
            let child = try childDecoder(key)
            if child.isNull { throw child.fail("required field is null") }
            return try child.decode(type)
        } catch {
            decoder.context.recordFailure(error)
            if let standIn = try? StandInDecoder.value(type, codingPath: codingPath + [key]) { return standIn }
            // A missing field stops the object before its first key.
            record.stoppedAt = values[key.stringValue]?.key.mark.map { .init(line: $0.line, column: $0.column) }
                ?? .init(line: 0, column: 0)
            throw RecordedFailure()
        }
    }

    /// An optional field (or one with a default): a failure is recorded and the field read as absent.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        record.requested.insert(key.stringValue)
        guard let entry = values[key.stringValue] else { return nil }
        let child = decoder.child(entry.value, key: key)
        if child.isNull { return nil }
        do {
            return try child.decode(type)
        } catch {
            decoder.context.recordFailure(error)
            return nil
        }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try childDecoder(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try childDecoder(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }

    func superDecoder(forKey key: Key) throws -> any Decoder { try childDecoder(key) }
}

struct NodeUnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [Node]
    let decoder: NodeDecoder
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(elements: [Node], decoder: NodeDecoder) {
        self.elements = elements
        self.decoder = decoder
    }

    private mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else { throw decoder.fail("list ended early") }
        let d = decoder.child(elements[currentIndex], key: IndexKey(currentIndex))
        currentIndex += 1
        return d
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if decoder.child(elements[currentIndex], key: IndexKey(currentIndex)).isNull {
            currentIndex += 1
            return true
        }
        return false
    }

    /// An element that fails is recorded and a stand-in takes its place, so the elements after it are still checked.
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let element = try next()
        do {
            return try element.decode(type)
        } catch {
            decoder.context.recordFailure(error)
            if let standIn = try? StandInDecoder.value(type, codingPath: element.codingPath) { return standIn }
            throw RecordedFailure()
        }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

struct NodeSingleValueContainer: SingleValueDecodingContainer {
    let decoder: NodeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    func decodeNil() -> Bool { decoder.isNull }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type) }
}
