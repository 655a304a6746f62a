import ArgumentParser
import ControllerRuntime

/// `operator version`: which build this is (also `operator --version`, and `operator_build_info` on `/metrics`).
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version and the source revision.")

    func run() {
        print("operator \(OperatorVersion.version) (revision \(OperatorVersion.revision))")
    }
}
