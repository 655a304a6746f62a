import Foundation

/// A person's name where one decides something (an approver, the actor of a kill switch), in the one form the
/// approval rules count: the same person is the same name however it is typed, and a name that could pass for
/// someone else's, or for the system's own, is refused rather than counted. An adversarial run showed why:
/// `alice` and `alice\n` satisfied a two-person rule, so did `ai` and `system`, and `--as controller` appeared in
/// the audit log as the controller's own entry.
///
/// Normal form: Unicode compatibility composition (a full-width `ａｌｉｃｅ` is `alice`), lower case, surrounding
/// whitespace trimmed and inner runs of spaces collapsed to one. Refused: empty, any control character (newlines,
/// tabs, escapes), longer than `maxLength`, or one of the `reserved` names.
public struct PersonName: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public static let maxLength = 64
    /// Names the system speaks as: the controller's own audit entries, AI suggestions, the OS's superuser.
    public static let reserved: Set<String> = ["ai", "system", "controller", "operator", "root"]

    public enum Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        case empty
        case controlCharacter
        case tooLong(Int)
        case reserved(String)

        public var description: String {
            switch self {
            case .empty: "a person's name must not be empty"
            case .controlCharacter: "a person's name must not contain control characters (newlines, tabs, escapes)"
            case .tooLong(let n): "a person's name must be at most \(PersonName.maxLength) characters (this one has \(n))"
            case .reserved(let name): "\"\(name)\" is reserved for the system, not a person's name"
            }
        }
    }

    public init(validating raw: String) throws(Invalid) {
        if raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
            throw .controlCharacter
        }
        let composed = raw.precomposedStringWithCompatibilityMapping.lowercased()
        let words = composed.split(whereSeparator: { $0.isWhitespace })
        let normal = words.joined(separator: " ")
        if normal.isEmpty { throw .empty }
        if normal.count > Self.maxLength { throw .tooLong(normal.count) }
        if Self.reserved.contains(normal) { throw .reserved(normal) }
        value = normal
    }

    /// The normal form, or nil for a name that may not decide anything.
    public static func normalized(_ raw: String) -> String? {
        (try? PersonName(validating: raw))?.value
    }

    public var description: String { value }
}
