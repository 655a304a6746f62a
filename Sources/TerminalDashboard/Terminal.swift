import ControllerRuntime
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few terminal controls the dashboard needs, written against termios and ANSI directly (no
/// dependency): raw mode, the alternate screen, the window size, key bytes, and a restore that runs
/// on a normal exit, on a termination signal and on a crash signal.
package final class Terminal: Sendable {
    let input: Int32
    let output: Int32

    /// A key the dashboard reacts to; anything else is `.other`.
    package enum Key: Equatable, Sendable {
        case up, down, enter, escape, interrupt
        case character(Character)
        case other
    }

    package struct Size: Equatable, Sendable {
        package var columns: Int
        package var rows: Int
    }

    package static func isTTY(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    package init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
        self.input = input
        self.output = output
    }

    /// Raw input (no echo, no line buffering, Ctrl-C arrives as a byte so the quit path runs),
    /// the alternate screen and a hidden cursor. Installs the handlers that undo it on a signal;
    /// SIGTERM and SIGINT only when `handlingTermination` (else the caller restores on its way out).
    package func enter(handlingTermination: Bool = true) throws {
        var saved = termios()
        guard tcgetattr(input, &saved) == 0 else { throw CLIError.failure("cannot read the terminal's settings (errno \(errno))") }
        var raw = saved
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_oflag &= ~tcflag_t(OPOST)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        TerminalRestore.save(saved, input: input, output: output)
        guard tcsetattr(input, TCSAFLUSH, &raw) == 0 else {
            TerminalRestore.forget()
            throw CLIError.failure("cannot switch the terminal to raw mode (errno \(errno))")
        }
        TerminalRestore.installHandlers(termination: handlingTermination)
        write(ANSI.enterScreen)
    }

    /// Leaves the alternate screen, shows the cursor and puts the saved settings back. Idempotent.
    package func restore() {
        TerminalRestore.restoreNow()
    }

    /// The window's size from `TIOCGWINSZ`; 80×24 when the ioctl says nothing useful.
    package func size() -> Size {
        var ws = winsize()
        if ioctl(output, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 {
            return Size(columns: Int(ws.ws_col), rows: Int(ws.ws_row))
        }
        return Size(columns: 80, rows: 24)
    }

    /// Writes all of `text` (a whole frame) in as few `write` calls as the kernel allows.
    package func write(_ text: String) {
        Array(text.utf8).withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = posixWrite(output, base.advanced(by: offset), buffer.count - offset)
                if n < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return
                }
                offset += n
            }
        }
    }

    /// The keys typed so far, without waiting (`poll` with a zero timeout).
    package func readKeys() -> [Key] {
        var bytes: [UInt8] = []
        var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
        while poll(&descriptor, 1, 0) > 0, descriptor.revents & Int16(POLLIN) != 0 {
            var chunk = [UInt8](repeating: 0, count: 64)
            let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, 64) }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return Self.parseKeys(bytes)
    }

    /// Bytes to keys: arrows as `ESC [ A`/`ESC O A`, Ctrl-C as interrupt, printable ASCII as characters.
    static func parseKeys(_ bytes: [UInt8]) -> [Key] {
        var keys: [Key] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x1B {
                if i + 2 < bytes.count, bytes[i + 1] == 0x5B || bytes[i + 1] == 0x4F {
                    switch bytes[i + 2] {
                    case 0x41: keys.append(.up)
                    case 0x42: keys.append(.down)
                    default: keys.append(.other)
                    }
                    i += 3
                    // Longer sequences (`ESC [ 1 ; 5 A`, function keys) end with a byte in @…~.
                    while i < bytes.count, bytes[i - 1] < 0x40 || bytes[i - 1] > 0x7E { i += 1 }
                    continue
                }
                keys.append(.escape)
            } else if b == 0x03 {
                keys.append(.interrupt)
            } else if b == 0x0D || b == 0x0A {
                keys.append(.enter)
            } else if b >= 0x20, b < 0x7F {
                keys.append(.character(Character(Unicode.Scalar(b))))
            } else {
                keys.append(.other)
            }
            i += 1
        }
        return keys
    }
}

/// ANSI sequences the dashboard writes.
package enum ANSI {
    static let escape = "\u{1B}["
    static let enterScreen = "\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J"
    static let home = "\u{1B}[H"
    static let reset = "\u{1B}[0m"
    package static let clearScreen = "\u{1B}[2J"
}

/// What a signal handler needs to put the terminal back: C handlers cannot capture, so the saved
/// settings live in process-wide storage, written before raw mode starts and read only by
/// async-signal-safe code (`tcsetattr`, `write`).
package enum TerminalRestore {
    nonisolated(unsafe) private static var saved = termios()
    nonisolated(unsafe) private static var inputFD: Int32 = STDIN_FILENO
    nonisolated(unsafe) private static var outputFD: Int32 = STDOUT_FILENO
    private static let active = Atomic<Bool>(false)
    private static let handlersInstalled = Atomic<Bool>(false)
    /// Set by SIGWINCH; the loop redraws at once instead of waiting for the next refresh.
    package static let resized = Atomic<Bool>(false)

    static func save(_ settings: termios, input: Int32, output: Int32) {
        saved = settings
        inputFD = input
        outputFD = output
        active.store(true, ordering: .sequentiallyConsistent)
    }

    static func forget() { active.store(false, ordering: .sequentiallyConsistent) }

    /// Async-signal-safe: one `write` of a static sequence and one `tcsetattr`.
    static func restoreNow() {
        guard active.exchange(false, ordering: .sequentiallyConsistent) else { return }
        let bytes: StaticString = "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l"
        _ = posixWrite(outputFD, bytes.utf8Start, bytes.utf8CodeUnitCount)
        _ = tcsetattr(inputFD, TCSAFLUSH, &saved)
    }

    static func installHandlers(termination: Bool) {
        guard !handlersInstalled.exchange(true, ordering: .sequentiallyConsistent) else { return }
        // Termination: restore, then die of the same signal so the parent sees why.
        for sig in termination ? [SIGTERM, SIGHUP, SIGINT, SIGQUIT] : [SIGHUP, SIGQUIT] {
            _ = signal(sig) { sig in
                TerminalRestore.restoreNow()
                _ = signal(sig, SIG_DFL)
                _ = raise(sig)
            }
        }
        // Crashes (a Swift trap is SIGILL or SIGTRAP): restore, then let the default action dump core.
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
            _ = signal(sig) { sig in
                TerminalRestore.restoreNow()
                _ = signal(sig, SIG_DFL)
                _ = raise(sig)
            }
        }
        _ = signal(SIGWINCH) { _ in TerminalRestore.resized.store(true, ordering: .relaxed) }
    }
}

/// `write(2)` under one name on Linux and macOS (Foundation's `write` shadows it inside types).
private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, bytes, count)
    #else
    Darwin.write(fd, bytes, count)
    #endif
}
