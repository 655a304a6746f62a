import Foundation
import Logging
import Synchronization
@testable import ControllerRuntime

/// The lines a `StructuredLogHandler` writes, kept in memory: what `operator run` would print, for assertions.
final class CapturedLogLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var output: LogOutput { LogOutput { line in self.lines.withLock { $0.append(line) } } }

    /// A JSON-lines logger at `level` writing here, with the pass's `cluster` field as the control loop sets it.
    func logger(level: Logger.Level = .debug, cluster: String? = nil) -> Logger {
        var logger = Logger(label: "operator") { StructuredLogHandler(format: .json, label: $0, level: level, output: self.output) }
        logger.logLevel = level
        if let cluster { logger[metadataKey: "cluster"] = "\(cluster)" }
        return logger
    }

    /// Each JSON line as its string fields (`level`, `msg` and the metadata); lines that are not JSON objects are left out.
    var entries: [[String: String]] {
        all.compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object.compactMapValues { $0 as? String }
        }
    }

    /// The entries whose message is `message`.
    func entries(_ message: String) -> [[String: String]] { entries.filter { $0["msg"] == message } }
}
