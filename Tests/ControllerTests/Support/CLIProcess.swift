import Foundation
import TestSupport

/// One run of the `operator` executable as a person runs it: arguments in, exit status and both
/// outputs back. Output goes to files, not pipes, so a chatty command cannot block on a full pipe.
struct CLIProcess {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Runs `binary arguments` and waits at most `timeout`; a command still running then is killed
    /// and reported with status -1.
    static func run(_ binary: URL, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
                    timeout: Duration = .seconds(120)) async throws -> CLIProcess {
        let run = try await ChildProcess.run(binary.path, arguments, environment: environment.mapValues { $0 as String? },
                                             stdin: stdin.map { Data($0.utf8) }, limit: timeout)
        return CLIProcess(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }
}
