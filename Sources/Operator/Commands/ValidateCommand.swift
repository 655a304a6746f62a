import ArgumentParser
import ControllerRuntime
import Foundation
import Reconcilers

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check spec files and print every error as FILE:LINE:COL: field.path: message.",
        discussion: "Exits 0 when every file is valid, 1 otherwise. Cross-file rules (duplicate names, references) are checked across all the files given."
    )

    @Option(name: .shortAndLong, help: "A spec file or a directory of them (repeatable).")
    var filename: [String] = []

    func validate() throws {
        if filename.isEmpty { throw ValidationError("give at least one file or directory with -f") }
    }

    func run() throws {
        var set = SpecSet()
        let parsed: [ParsedFile]
        do { parsed = try SpecDirectory.parse(paths: filename) } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        let errors = set.apply(parsed)
        for e in errors { printError(e.description) }
        if !errors.isEmpty {
            let bad = Set(errors.map(\.file)).count
            printError("\(errors.count) error\(errors.count == 1 ? "" : "s") in \(bad) file\(bad == 1 ? "" : "s")")
            throw ExitCode.failure
        }
        let docs = set.documents
        let counts = Dictionary(grouping: docs, by: \.object.kind).map { "\($0.value.count) \($0.key)" }.sorted()
        print("\(parsed.count) file\(parsed.count == 1 ? "" : "s") valid: \(docs.count) object\(docs.count == 1 ? "" : "s")\(counts.isEmpty ? "" : " (" + counts.joined(separator: ", ") + ")")")
    }
}
