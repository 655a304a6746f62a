import ArgumentParser
import Foundation

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

/// `kind/name` or `kind name`, as kubectl accepts.
func splitReference(_ first: String, _ second: String?) throws -> (kind: String, name: String?) {
    if let slash = first.firstIndex(of: "/") {
        guard second == nil else { throw ValidationError("give either KIND/NAME or KIND NAME, not both") }
        return (String(first[..<slash]), String(first[first.index(after: slash)...]))
    }
    return (first, second)
}
