/// What the last look at the spec files found, for readiness: how many files there were and which were rejected
/// (a rejected file's last valid version, if it had one, stays in force).
package struct SpecLoad: Sendable, Equatable {
    package var files: Int
    package var rejected: [String]

    package init(files: Int, rejected: [String]) {
        self.files = files
        self.rejected = rejected
    }
}
