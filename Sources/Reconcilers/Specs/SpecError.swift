/// A problem in a spec file, positioned for a person: `FILE:LINE:COL: field.path: message`.
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the problem has no single position (e.g. an unreadable file).
    public var line: Int
    public var column: Int
    /// Dotted path from the document root, e.g. `spec.limits.maxInFlightSteps`; empty for syntax errors.
    public var path: String
    public var message: String

    public init(file: String, line: Int, column: Int, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    public var description: String {
        let location = line > 0 ? "\(file):\(line):\(column)" : file
        return path.isEmpty ? "\(location): \(message)" : "\(location): \(path): \(message)"
    }
}
