import Foundation

/// A process's peak resident set size as the kernel counts it (`VmHWM` in `/proc/<pid>/status`): what the controller
/// ever held in RAM at once, so an input that made it balloon for a moment shows even after the memory was freed.
enum PeakResidentMemory {
    /// In bytes; nil when the process is gone or the line is missing (not Linux).
    static func of(pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kB = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kB << 10
    }

    static func mebibytes(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / Double(1 << 20)) }
}
