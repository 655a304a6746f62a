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
        let directory = try TemporaryDirectory()
        let outPath = directory.path("stdout"), errPath = directory.path("stderr")
        for path in [outPath, errPath] where !FileManager.default.createFile(atPath: path, contents: nil) {
            throw CocoaError(.fileWriteUnknown)
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer { try? out.close(); try? err.close() }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let inPath = directory.path("stdin")
            try stdin.write(toFile: inPath, atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        }
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        var status: Int32 = -1
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        } else {
            status = process.terminationStatus
        }
        let read = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return CLIProcess(status: status, stdout: read(outPath), stderr: read(errPath))
    }
}
