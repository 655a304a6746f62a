import ControllerRuntime
import Foundation
@testable import OperatorStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the `operator` executable is: next to the test bundle in the build directory, or
/// wherever `OPERATOR_BIN` says.
enum OperatorBinary {
    static func locate() -> URL? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["OPERATOR_BIN"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        var directories = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        if let executable = Bundle.main.executableURL {
            directories.append(executable.deletingLastPathComponent())
        }
        if let argument = CommandLine.arguments.first {
            directories.append(URL(fileURLWithPath: argument).deletingLastPathComponent())
        }
        return directories
            .map { $0.appendingPathComponent("operator") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// A running `operator debug-store-writer`, with the lines it acknowledged so far.
final class WriterProcess {
    enum Mode: String { case controller, approvals }

    let process = Subprocess()
    private let output = Pipe()
    private let errors = Pipe()
    private var pending = Data()
    private var reachedEnd = false
    /// Every complete line read from the writer's stdout: each one is a committed write.
    private(set) var lines: [String] = []

    init(binary: URL, database: String, mode: Mode, count: Int, prefix: String) throws {
        process.executableURL = binary
        process.arguments = [
            "debug-store-writer", "--db", database, "--mode", mode.rawValue,
            "--count", String(count), "--prefix", prefix,
        ]
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    /// Reads what is available within `timeoutMs`; false at end of output or on timeout.
    @discardableResult
    func readSome(timeoutMs: Int32) -> Bool {
        guard !reachedEnd else { return false }
        let fd = output.fileHandleForReading.fileDescriptor
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, timeoutMs) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else {
            reachedEnd = true
            return false
        }
        pending.append(contentsOf: chunk[0..<count])
        // Each acknowledgement is one write(2) shorter than PIPE_BUF, so lines arrive whole.
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
            pending.removeSubrange(pending.startIndex...newline)
        }
        return true
    }

    /// Waits until at least `count` acknowledgements arrived; false if the writer ended or the
    /// deadline passed first.
    func waitForLines(atLeast count: Int, until deadline: ContinuousClock.Instant) -> Bool {
        while lines.count < count {
            if reachedEnd || ContinuousClock.now >= deadline { return false }
            readSome(timeoutMs: 100)
        }
        return true
    }

    /// Reads the rest of stdout (the writer exited or was killed) and reaps the process.
    func drain(until deadline: ContinuousClock.Instant) {
        while !reachedEnd && ContinuousClock.now < deadline {
            readSome(timeoutMs: 100)
        }
        if !reachedEnd { killNow() }
        process.waitUntilExit()
    }

    func killNow() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var errorOutput: String {
        String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
    }
}

/// Checks that every write a writer acknowledged is in the store; returns what is missing.
func missingAcknowledgedWrites(_ lines: [String], in store: StatusStore) throws -> [String] {
    var missing: [String] = []
    for line in lines {
        let fields = line.split(separator: " ").map(String.init)
        guard fields.count == 3, let number = Int64(fields[2]) else {
            if line != "done" { missing.append("unparseable acknowledgement: \(line)") }
            continue
        }
        let (what, name) = (fields[0], fields[1])
        switch what {
        case "spec":
            let object = try store.get(kind: "DebugObject", name: name)
            if (object?.resourceVersion ?? 0) < number { missing.append(line) }
        case "status":
            let object = try store.get(kind: "DebugObject", name: name)
            if object?.status == nil || (object?.resourceVersion ?? 0) < number { missing.append(line) }
        case "event":
            let events = try store.events(regardingKind: "DebugObject", regardingName: name)
            if !events.contains(where: { $0.reason == "Written" && $0.count >= number }) { missing.append(line) }
        case "approval":
            if !(try store.approvals(plan: name).contains { $0.id == number }) { missing.append(line) }
        default:
            missing.append("unknown acknowledgement: \(line)")
        }
    }
    return missing
}
