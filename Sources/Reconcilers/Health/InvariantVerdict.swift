/// What one invariant concluded from one snapshot: the subjects it found broken, the subjects it could
/// not judge, and whether it could judge at all. Anything not broken and not unknown holds.
public struct InvariantVerdict: Sendable, Equatable {
    public var invariant: InvariantID
    public var violations: [Violation]
    /// Subjects whose data was unknown (e.g. no p99 series for a store): their tickets neither open nor resolve.
    public var unknownSubjects: Set<String>
    /// False when the source the invariant reads did not answer in full: none of its tickets may resolve,
    /// and it reports no violation (an empty member list from a failed request is not "no PD leader").
    public var judged: Bool

    public init(invariant: InvariantID, violations: [Violation] = [], unknownSubjects: Set<String> = [], judged: Bool = true) {
        self.invariant = invariant
        self.violations = violations.sorted { $0.subject < $1.subject }
        self.unknownSubjects = unknownSubjects
        self.judged = judged
    }

    /// The source it needs did not answer in full.
    public static func noVerdict(_ invariant: InvariantID) -> InvariantVerdict {
        InvariantVerdict(invariant: invariant, judged: false)
    }

    /// A disabled invariant finds nothing broken, so its open tickets resolve on a complete observation.
    public static func disabled(_ invariant: InvariantID) -> InvariantVerdict {
        InvariantVerdict(invariant: invariant)
    }

    public enum Finding: Sendable, Equatable {
        case broken(Violation)
        case holds
        case unknown
    }

    /// The finding for one subject.
    public func finding(for subject: String) -> Finding {
        if let v = violations.first(where: { $0.subject == subject }) { return .broken(v) }
        if !judged || unknownSubjects.contains(subject) { return .unknown }
        return .holds
    }
}

extension ClusterSnapshot {
    /// Whether every listed source answered in full.
    func answered(_ sources: ObservationSource...) -> Bool {
        sources.allSatisfy { state(of: $0).isComplete }
    }
}
