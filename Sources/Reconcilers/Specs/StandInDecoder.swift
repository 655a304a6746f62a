/// Builds a stand-in value for a field that failed to decode (missing, or of the wrong type), so that decoding
/// goes on to the fields after it and every mistake in a document is reported, not only the first.
///
/// The stand-in is never used: a document with any error is rejected. Its fields are empty (`""`, `0`, `false`,
/// no elements, no keys), so a type that cannot be built from nothing (an enum, a parsed duration) fails here
/// too, and the failure goes up to the object that holds it.
struct StandInDecoder: Decoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { Unkeyed(codingPath: codingPath) }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(codingPath: codingPath) }

    static func value<T: Decodable>(_ type: T.Type, codingPath: [any CodingKey]) throws -> T {
        switch type {
        case is String.Type: return try cast("")
        case is Bool.Type: return try cast(false)
        case is Int.Type: return try cast(0 as Int)
        case is Int64.Type: return try cast(0 as Int64)
        case is Int32.Type: return try cast(0 as Int32)
        case is UInt64.Type: return try cast(0 as UInt64)
        case is UInt32.Type: return try cast(0 as UInt32)
        case is UInt.Type: return try cast(0 as UInt)
        case is Double.Type: return try cast(0 as Double)
        case is Float.Type: return try cast(0 as Float)
        default: return try T(from: StandInDecoder(codingPath: codingPath))
        }
    }

    private static func cast<T>(_ value: Any) throws -> T {
        guard let typed = value as? T else { throw NoStandIn() }
        return typed
    }

    struct NoStandIn: Error {}

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let codingPath: [any CodingKey]
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { false }
        func decodeNil(forKey key: Key) throws -> Bool { true }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try StandInDecoder.value(type, codingPath: codingPath + [key])
        }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { nil }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            KeyedDecodingContainer(Keyed<NestedKey>(codingPath: codingPath + [key]))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { Unkeyed(codingPath: codingPath + [key]) }
        func superDecoder() throws -> any Decoder { StandInDecoder(codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> any Decoder { StandInDecoder(codingPath: codingPath + [key]) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let codingPath: [any CodingKey]
        var count: Int? { 0 }
        var isAtEnd: Bool { true }
        var currentIndex: Int { 0 }
        mutating func decodeNil() throws -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { throw NoStandIn() }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            throw NoStandIn()
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { throw NoStandIn() }
        mutating func superDecoder() throws -> any Decoder { throw NoStandIn() }
    }

    struct Single: SingleValueDecodingContainer {
        let codingPath: [any CodingKey]
        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try StandInDecoder.value(type, codingPath: codingPath) }
    }
}
