import ArgumentParser
import ControllerRuntime
import Foundation
import OperatorStore
import Reconcilers

/// `--db`: the status store. Falls back to `$OPERATOR_DB`, then `./operator.db`.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Path of the SQLite status store (default: $OPERATOR_DB, else ./operator.db).")
    var db: String?

    var path: String { db ?? ProcessInfo.processInfo.environment["OPERATOR_DB"] ?? "operator.db" }

    /// Opens the store as a client (the CLI): it may write approvals and settings, never objects.
    func openClient(actor: String = currentUser()) throws -> StatusStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError.failure("no status store at \(path): start the controller with `operator run --db \(path)` or pass --db")
        }
        return try StatusStore(path: path, role: .client(actor: actor))
    }
}

/// The OS user, for `--as` defaults and audit entries.
func currentUser() -> String {
    let env = ProcessInfo.processInfo.environment
    if let u = env["USER"], !u.isEmpty { return u }
    if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
    return "uid-\(getuid())"
}

/// `--as NAME` as a person's name (`PersonName`: normalised, no control characters, not a reserved name like
/// `root` or `controller`), or a usage error saying how to name yourself.
func personName(_ raw: String, flag: String = "--as") throws -> String {
    do {
        return try PersonName(validating: raw).value
    } catch {
        throw ValidationError("\(flag) \"\(raw.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : String($0) }.joined())\": \(error.description); name the person deciding, e.g. \(flag) alice")
    }
}

/// A free-text reason for the audit log: one line of printable text (a newline could forge a line of `audit`).
func auditReason(_ raw: String?) throws -> String? {
    guard let raw else { return nil }
    if raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
        throw ValidationError("--reason must be one line without control characters")
    }
    return raw
}

/// `kind/name` or `kind name`, as kubectl accepts.
func splitReference(_ first: String, _ second: String?) throws -> (kind: String, name: String?) {
    if let slash = first.firstIndex(of: "/") {
        guard second == nil else { throw ValidationError("give either KIND/NAME or KIND NAME, not both") }
        return (String(first[..<slash]), String(first[first.index(after: slash)...]))
    }
    return (first, second)
}
