import Foundation

/// Which build this is: `operator version`, `--version` and `operator_build_info` report it.
package enum OperatorVersion {
    /// Raised with each release.
    package static let version = "0.1.0"
    /// The source revision the image was built from: the Containerfile passes its `REVISION` build argument as
    /// `OPERATOR_REVISION`; a binary built by hand says `unknown`.
    package static let revision: String = {
        let value = ProcessInfo.processInfo.environment["OPERATOR_REVISION"]?.trimmingCharacters(in: .whitespaces) ?? ""
        return value.isEmpty ? "unknown" : value
    }()
}
