/// Supplies the value a spec field takes when a document leaves it out.
///
/// A type may stand for its own default: an enum its documented default case, a section of a spec
/// whose `init()` is its defaults (`DefaultInitializable`). Other defaults are named values in
/// `DefaultValues.swift`, so `@Default<Seconds30>` reads as what it is.
public protocol DefaultValue {
    associatedtype Wrapped: Codable & Equatable
    static var defaultValue: Wrapped { get }
}

/// A type whose `init()` is its default: a spec section whose fields all have defaults, or an empty collection.
public protocol DefaultInitializable: DefaultValue, Codable & Equatable where Wrapped == Self {
    init()
}

extension DefaultInitializable {
    public static var defaultValue: Self { Self() }
}

extension Array: DefaultValue, DefaultInitializable where Element: Codable & Equatable {}
extension Dictionary: DefaultValue, DefaultInitializable where Key: Codable, Value: Codable & Equatable {}
extension String: DefaultValue, DefaultInitializable {}

/// A spec field that may be left out: decoding a missing (or null) key gives `P.defaultValue`, the one
/// place the default is declared. Encoding writes the plain value, so JSON and YAML output are the same
/// as for an unwrapped field, and a present value decodes (and fails) exactly as the plain type does.
@propertyWrapper
public struct Default<P: DefaultValue>: Codable, Equatable {
    public var wrappedValue: P.Wrapped

    public init() { wrappedValue = P.defaultValue }
    public init(wrappedValue: P.Wrapped) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode(P.Wrapped.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue)
    }
}

extension Default: Sendable where P.Wrapped: Sendable {}

/// A spec section whose defaults depend on the field that holds it (each invariant has its own grace
/// period and severity): fields left out of a present section take the holder's defaults, not the type's.
public protocol DecodableOverDefaults: Decodable {
    init(from decoder: any Decoder, over defaults: Self) throws
}

// Synthesized `init(from:)` and `encode(to:)` call these for `@Default` fields: a more specific overload
// than the generic `decode`/`encode`, so a missing key is not an error and the output has no wrapper.
extension KeyedDecodingContainer {
    public func decode<P>(_ type: Default<P>.Type, forKey key: Key) throws -> Default<P> {
        Default(wrappedValue: try decodeIfPresent(P.Wrapped.self, forKey: key) ?? P.defaultValue)
    }

    public func decode<P>(_ type: Default<P>.Type, forKey key: Key) throws -> Default<P> where P.Wrapped: DecodableOverDefaults {
        guard contains(key), try !decodeNil(forKey: key) else { return Default() }
        let decoder = try superDecoder(forKey: key)
        do {
            return Default(wrappedValue: try P.Wrapped(from: decoder, over: P.defaultValue))
        } catch {
            // In a spec file: recorded, and the default stands in so the fields after it are still checked.
            guard let node = decoder as? NodeDecoder else { throw error }
            node.context.recordFailure(error)
            return Default()
        }
    }
}

extension KeyedEncodingContainer {
    public mutating func encode<P>(_ value: Default<P>, forKey key: Key) throws {
        try encode(value.wrappedValue, forKey: key)
    }
}
