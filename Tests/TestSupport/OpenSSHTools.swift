import ControllerRuntime
import Foundation
import SSHSignatures

/// One run of an OpenSSH tool (`/usr/bin/ssh-keygen`, `ssh-add`), as `ChildProcess` runs it, without the caller's
/// ssh-agent unless the test names one.
public struct OpenSSHTool: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public static let keygen = "/usr/bin/ssh-keygen"

    public static func run(
        _ binary: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
        limit: Duration = .seconds(120)
    ) async throws -> OpenSSHTool {
        var env: [String: String?] = ["SSH_AUTH_SOCK": nil]
        for (key, value) in environment { env[key] = value }
        let run = try await ChildProcess.run(binary, arguments, environment: env, stdin: stdin, limit: limit)
        return OpenSSHTool(status: run.status, stdout: run.stdout, stderr: run.stderr)
    }

    /// `ssh-keygen ARGS`, failing the test's `try` when it does not exit 0.
    @discardableResult
    public static func keygen(_ arguments: [String], stdin: Data? = nil) async throws -> OpenSSHTool {
        let run = try await run(keygen, arguments, stdin: stdin)
        guard run.status == 0 else { throw ToolFailure(command: "ssh-keygen " + arguments.joined(separator: " "), run: run) }
        return run
    }
}

public struct ToolFailure: Error, CustomStringConvertible {
    public let command: String
    public let run: OpenSSHTool
    public var description: String { "\(command) exited \(run.status): \(run.stderr)" }
}

/// The key types ssh-keygen makes for the interop tests, with the flags that make them.
public enum KeyKind: String, CaseIterable, Sendable {
    case ed25519, ecdsa, rsa

    public var keygenFlags: [String] {
        switch self {
        case .ed25519: ["-t", "ed25519"]
        case .ecdsa: ["-t", "ecdsa", "-b", "256"]
        case .rsa: ["-t", "rsa", "-b", "3072"]
        }
    }

    public var algorithm: SSHKeyAlgorithm {
        switch self {
        case .ed25519: .ed25519
        case .ecdsa: .ecdsaP256
        case .rsa: .rsa
        }
    }
}

/// A key pair made by `ssh-keygen -N ''` in `directory`, named after its kind.
public func makeKeygenKey(_ kind: KeyKind, in directory: TemporaryDirectory, name: String? = nil, passphrase: String = "") async throws -> String {
    let path = directory.path(name ?? "id_\(kind.rawValue)")
    try await OpenSSHTool.keygen(kind.keygenFlags + ["-q", "-N", passphrase, "-C", "\(kind.rawValue)@test", "-f", path])
    return path
}

public let approvalNamespace = "operator.tikv/approval"

/// A real ssh-agent on a socket in a temporary directory, run in the foreground (`-D`) so this process owns it;
/// `stop()` (or releasing it) kills it by its pid.
public final class AgentProcess: @unchecked Sendable {
    public let socketPath: String
    private let process: Subprocess

    public init(in directory: TemporaryDirectory) async throws {
        socketPath = directory.path("agent.sock")
        process = Subprocess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ssh-agent")
        process.arguments = ["-D", "-a", socketPath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The socket appears once the agent listens: wait for it, boundedly.
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: socketPath) && process.isRunning {
            try await Task.sleep(for: .milliseconds(10))
        }
        guard FileManager.default.fileExists(atPath: socketPath) else {
            stop()
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: socketPath])
        }
    }

    public func add(_ keyPath: String) async throws {
        let run = try await OpenSSHTool.run("/usr/bin/ssh-add", ["-q", keyPath], environment: ["SSH_AUTH_SOCK": socketPath])
        guard run.status == 0 else { throw ToolFailure(command: "ssh-add \(keyPath)", run: run) }
    }

    public func stop() {
        if process.isRunning {
            // SIGKILL: the agent inherits the test runner's blocked signals (SIGTERM among them) and would not die.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
