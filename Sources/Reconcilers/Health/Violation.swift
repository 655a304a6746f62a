import Foundation

/// One broken invariant on one subject, as an invariant check found it in one snapshot.
public struct Violation: Sendable, Equatable {
    public var invariant: InvariantID
    public var subject: String
    public var severity: Severity
    /// One line for people. It names the subject and the threshold, not the live values (those go
    /// in `readings`), so a lasting breakage keeps one summary and an idle pass writes nothing.
    public var summary: String
    public var readings: [Reading]

    public init(invariant: InvariantID, subject: String, severity: Severity, summary: String, readings: [Reading]) {
        self.invariant = invariant
        self.subject = subject
        self.severity = severity
        self.summary = summary
        self.readings = readings
    }

    /// The ticket dedup key, `invariant/subject` (the same as `TicketSpec.key`).
    public var key: String { "\(invariant.rawValue)/\(subject)" }
}

/// Where readings come from, for `Reading.source`.
enum ReadingSource {
    static let stores = "pd:/pd/api/v1/stores"
    static let regionChecks = "pd:/pd/api/v1/regions/check"
    static let storeRegions = "pd:/pd/api/v1/regions/store"
    static let regionsByKey = "pd:/pd/api/v1/regions/key"
    static let members = "pd:/pd/api/v1/members"
    static let health = "pd:/pd/api/v1/health"
    static let schedulers = "pd:/pd/api/v1/schedulers"
    static let config = "pd:/pd/api/v1/config"
    static let hotspot = "pd:/pd/api/v1/hotspot/regions"
    static func grpcP99(_ origin: MetricsOrigin?) -> String { "\((origin ?? .prometheus).readingPrefix):grpc_p99_seconds" }
    static func writeStall(_ origin: MetricsOrigin?) -> String { "\((origin ?? .prometheus).readingPrefix):write_stall_p99" }
    static let spec = "spec"
    static let history = "status:storeHistory"
    static let pdLeaderHistory = "status:pdLeaderHistory"
}
