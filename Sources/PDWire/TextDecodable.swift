/// A value whose JSON form is one string it parses: Go durations, timestamps, cron schedules, PD's
/// operator text. The parse error's message becomes the decoding error, so spec validation and
/// the PD client both report what was expected.
public protocol TextDecodable: Decodable {
    associatedtype ParseError: Error & CustomStringConvertible
    init(parsing text: String) throws(ParseError)
}

extension TextDecodable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        do { try self.init(parsing: text) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: error.description)
        }
    }
}
