import ControllerRuntime
import Foundation

/// One run of a program as a person runs it: arguments, environment and stdin in, exit status and both outputs back.
/// Outputs go to files, not pipes, so a chatty program cannot block on a full pipe; one still running after `limit`
/// is killed and reported with status -1, so a test can never hang on it.
public struct ChildProcess: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// `environment` is merged over this process's; a key mapped to nil is removed.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String?] = [:], stdin: Data? = nil,
                           limit: Duration = .seconds(120)) async throws -> ChildProcess {
        let directory = try TemporaryDirectory()
        let outPath = directory.path("stdout"), errPath = directory.path("stderr"), inPath = directory.path("stdin")
        for path in [outPath, errPath] where !FileManager.default.createFile(atPath: path, contents: nil) {
            throw CocoaError(.fileWriteUnknown)
        }
        guard FileManager.default.createFile(atPath: inPath, contents: stdin ?? Data()) else { throw CocoaError(.fileWriteUnknown) }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        defer { try? out.close(); try? err.close(); try? input.close() }
        let process = Subprocess()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        var status: Int32 = -1
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        } else {
            status = process.terminationStatus
        }
        let read = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return ChildProcess(status: status, stdout: read(outPath), stderr: read(errPath))
    }
}
