import Foundation

/// A temporary directory removed when the value is released. Its path is short (`/tmp/operator-test-…`): ssh-agent's
/// socket may live in it, and Unix socket paths are limited to 107 bytes.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    public init() throws {
        url = URL(fileURLWithPath: "/tmp", isDirectory: true).appendingPathComponent("operator-test-\(UUID().uuidString.prefix(13))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to `name` in the directory and returns its path.
    public func write(_ name: String, _ text: String) throws -> String {
        let path = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
