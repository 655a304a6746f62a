/// How urgent a ticket is.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable, SpecEnum {
    case info
    case warning
    case critical

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .critical: 2
        }
    }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}
