/// A string enum in a spec: decoding an unknown value names the allowed ones.
public protocol SpecEnum: RawRepresentable, CaseIterable, Decodable where RawValue == String {}

extension SpecEnum {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let raw = try c.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let allowed = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unsupported value \"\(raw)\": must be one of \(allowed)")
        }
        self = value
    }
}
