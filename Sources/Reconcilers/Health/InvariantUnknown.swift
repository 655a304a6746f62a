/// An invariant that has no verdict on a subject: its source did not answer, or a subject has no reading. The cluster is
/// not called healthy while one exists — "nothing broken that we could see" is not "every invariant holds".
public struct InvariantUnknown: Sendable, Equatable {
    public var invariant: InvariantID
    /// For people: which source or which subjects.
    public var why: String

    public init(invariant: InvariantID, why: String) {
        self.invariant = invariant
        self.why = why
    }

    /// Nil when the verdict judged every subject it looked at.
    init?(_ verdict: InvariantVerdict) {
        if !verdict.judged {
            self.init(invariant: verdict.invariant, why: "its source did not answer in full")
        } else if !verdict.unknownSubjects.isEmpty {
            let subjects = verdict.unknownSubjects.sorted()
            let listed = subjects.prefix(3).joined(separator: ", ") + (subjects.count > 3 ? " and \(subjects.count - 3) more" : "")
            self.init(invariant: verdict.invariant, why: "no reading for \(listed)")
        } else {
            return nil
        }
    }

    /// One line for a condition message: "no verdict from highLatency (no reading for store/1), regionHealth (…)".
    public static func summary(_ unknown: [InvariantUnknown]) -> String {
        "no verdict from " + unknown.prefix(4).map { "\($0.invariant.rawValue) (\($0.why))" }.joined(separator: ", ")
            + (unknown.count > 4 ? ", and \(unknown.count - 4) more" : "")
    }
}
