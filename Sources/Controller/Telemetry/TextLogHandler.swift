import Foundation
import Logging

/// A swift-log handler for a terminal: `2025-01-02T03:04:05.678Z INFO  Message key=value …`,
/// metadata keys sorted, values quoted only when they contain spaces.
struct TextLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level
    let label: String
    let output: LogOutput
    let clock: @Sendable () -> Date

    init(label: String, level: Logger.Level = .info, output: LogOutput = .standardError,
         clock: @escaping @Sendable () -> Date = { Date() })
    {
        self.label = label
        self.logLevel = level
        self.output = output
        self.clock = clock
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let level = event.level.rawValue.uppercased()
        var line = clock().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        line += " " + level.padding(toLength: 8, withPad: " ", startingAt: 0) + event.message.description
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            let text = "\(value)"
            line += " \(key)=" + (text.contains(" ") || text.isEmpty ? JSONLogHandler.quoted(text) : text)
        }
        output.write(line)
    }
}
