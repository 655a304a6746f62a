/// An allowed signers file that cannot be read, with the line at fault. One bad line fails the whole file: a
/// list of who may sign is either read as written or not used.
public struct AllowedSignersError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The 1-based line number; nil when the fault is the file as a whole (its size).
    public let line: Int?
    public let reason: String

    public init(line: Int?, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String {
        if let line { return "allowed signers line \(line): \(reason)" }
        return "allowed signers: \(reason)"
    }
}
