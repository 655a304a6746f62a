import Foundation

/// Where log lines go: one `write(2)` per line under a lock, so lines from concurrent tasks never
/// interleave. Standard error by default (what the kubelet collects); tests capture lines instead.
package final class LogOutput: Sendable {
    private let sink: @Sendable (String) -> Void
    private let lock = NSLock()

    init(_ sink: @escaping @Sendable (String) -> Void) { self.sink = sink }

    static let standardError = LogOutput { line in
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { return }
                offset += n
            }
        }
    }

    func write(_ line: String) { lock.withLock { sink(line) } }
}
