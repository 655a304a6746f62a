import Foundation
import Synchronization

/// A child process started with `posix_spawn`, with the part of Foundation's `Process` interface this project uses.
///
/// Why not `Process`: on Linux, swift-corelibs-foundation's `Process.run()` (6.3.1 here) scans `/proc/self/fd` copying
/// a fixed 256 bytes of each directory entry, reading past glibc's buffer; when that buffer ends at an unmapped page the
/// whole parent crashes (swift-corelibs-foundation#5472). A test process with many sockets and SQLite files open that
/// starts hundreds of children hits it. Here every descriptor above 2 is closed in the child by glibc's
/// `posix_spawn_file_actions_addclosefrom_np`, without reading `/proc`.
package final class Subprocess: @unchecked Sendable {
    package enum TerminationReason: String, Sendable {
        case exit
        case uncaughtSignal
    }

    package var executableURL: URL?
    package var arguments: [String] = []
    /// The child's whole environment; nil inherits this process's.
    package var environment: [String: String]?
    package var currentDirectoryURL: URL?
    /// A `FileHandle` (`FileHandle.nullDevice` for /dev/null) or a `Pipe` (the child gets the pipe's write end for
    /// output, its read end for input); nil inherits ours.
    package var standardInput: Any?
    package var standardOutput: Any?
    package var standardError: Any?

    private struct State {
        var pid: pid_t = 0
        /// The raw `waitpid` status once reaped.
        var exit: Int32?
    }
    private let state = Mutex(State())

    package init() {}

    package var processIdentifier: Int32 { state.withLock { $0.pid } }

    /// False once the child has exited (it is reaped here, so its status is kept).
    package var isRunning: Bool {
        state.withLock { s in
            guard s.pid > 0, s.exit == nil else { return false }
            var status: Int32 = 0
            let r = waitpid(s.pid, &status, WNOHANG)
            if r == s.pid { s.exit = status; return false }
            return r == 0
        }
    }

    /// The exit code, or the signal that ended it (as Foundation reports them).
    package var terminationStatus: Int32 {
        guard let status = state.withLock({ $0.exit }) else { return -1 }
        return Self.exited(status) ? (status >> 8) & 0xff : status & 0x7f
    }

    package var terminationReason: TerminationReason {
        guard let status = state.withLock({ $0.exit }) else { return .exit }
        return Self.exited(status) ? .exit : .uncaughtSignal
    }

    private static func exited(_ status: Int32) -> Bool { status & 0x7f == 0 }

    package func terminate() { signal(SIGTERM) }
    package func interrupt() { signal(SIGINT) }

    private func signal(_ number: Int32) {
        let pid = state.withLock { $0.exit == nil ? $0.pid : 0 }
        if pid > 0 { kill(pid, number) }
    }

    /// Blocks until the child exits.
    package func waitUntilExit() {
        while isRunning {
            let pid = processIdentifier
            var status: Int32 = 0
            let r = waitpid(pid, &status, 0)
            if r == pid {
                state.withLock { $0.exit = status }
                return
            }
            if r == -1 && errno != EINTR { return }
        }
    }

    package func run() throws {
        guard let executable = executableURL?.path else { throw SubprocessError("no executable") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, as Foundation starts children: a terminal's Ctrl-C reaches the test, not them.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))

        var closeInParent: [FileHandle] = []
        func wire(_ io: Any?, to fd: Int32, input: Bool) {
            switch io {
            case let pipe as Pipe:
                let end = input ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                posix_spawn_file_actions_adddup2(&actions, end.fileDescriptor, fd)
                closeInParent.append(end)
            case let handle as FileHandle where handle.fileDescriptor < 0:
                // `FileHandle.nullDevice` has no descriptor of its own.
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", input ? O_RDONLY : O_WRONLY, 0)
            case let handle as FileHandle:
                posix_spawn_file_actions_adddup2(&actions, handle.fileDescriptor, fd)
            default:
                break
            }
        }
        wire(standardInput, to: 0, input: true)
        wire(standardOutput, to: 1, input: false)
        wire(standardError, to: 2, input: false)
        guard let closeFrom = Self.closeFrom else { throw SubprocessError("posix_spawn_file_actions_addclosefrom_np is missing (glibc < 2.34)") }
        _ = closeFrom(&actions, 3)
        if let directory = currentDirectoryURL?.path {
            guard let chdir = Self.addChdir else { throw SubprocessError("posix_spawn_file_actions_addchdir_np is missing") }
            _ = directory.withCString { chdir(&actions, $0) }
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in env { free(p) } }

        var pid: pid_t = 0
        var argvCopy = argv, envCopy = env
        let result: Int32 = argvCopy.withUnsafeMutableBufferPointer { a in
            envCopy.withUnsafeMutableBufferPointer { e in
                guard let av = a.baseAddress, let ev = e.baseAddress else { return EINVAL }
                return posix_spawn(&pid, executable, &actions, &attributes, av, ev)
            }
        }
        guard result == 0 else { throw SubprocessError("cannot start \(executable): \(String(cString: strerror(result)))") }
        state.withLock { $0.pid = pid }
        // The child holds its own copies of the pipe ends it uses; ours would keep a reader from ever seeing EOF.
        for handle in closeInParent { try? handle.close() }
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    // glibc's GNU extensions, not exported by Swift's Glibc module: looked up once.
    private static let closeFrom: CloseFrom? = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }
    private static let addChdir: AddChdir? = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChdir.self) }
}

package struct SubprocessError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
