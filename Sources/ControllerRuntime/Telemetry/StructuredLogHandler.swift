import Foundation
import Logging

/// The controller's swift-log handler, in one of two formats:
/// - `json`: one JSON object per line, keys in a stable order: `ts` (Unix seconds, as Kubernetes' JSON
///   log format has it), `level`, `logger`, `msg`, then the metadata keys sorted (`cluster`, `plan`,
///   `step`, `store`, `region`, `error`, …). Log collectors parse these lines as is.
/// - `text`, for a terminal: `2025-01-02T03:04:05.678Z INFO  Message key=value …`, metadata keys sorted,
///   values quoted only when they contain spaces.
package struct StructuredLogHandler: LogHandler {
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    package var logLevel: Logger.Level
    let format: LogConfiguration.Format
    let label: String
    let output: LogOutput
    let clock: @Sendable () -> Date

    init(format: LogConfiguration.Format, label: String, level: Logger.Level = .info, output: LogOutput = .standardError,
         clock: @escaping @Sendable () -> Date = { Date() })
    {
        self.format = format
        self.label = label
        self.logLevel = level
        self.output = output
        self.clock = clock
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        output.write(format == .json ? jsonLine(event, merged) : textLine(event, merged))
    }

    private func jsonLine(_ event: LogEvent, _ merged: Logger.Metadata) -> String {
        var line = "{\"ts\":"
        line += String(format: "%.6f", clock().timeIntervalSince1970)
        line += ",\"level\":" + Self.quoted(event.level.rawValue)
        line += ",\"logger\":" + Self.quoted(label)
        line += ",\"msg\":" + Self.quoted(event.message.description)
        for key in merged.keys.sorted() where !["ts", "level", "logger", "msg"].contains(key) {
            guard let value = merged[key] else { continue }
            line += "," + Self.quoted(key) + ":" + Self.json(value)
        }
        return line + "}"
    }

    private func textLine(_ event: LogEvent, _ merged: Logger.Metadata) -> String {
        let level = event.level.rawValue.uppercased()
        var line = clock().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        // The text format is for a terminal: what PD or a model put in a message must not act on it.
        line += " " + level.padding(toLength: 8, withPad: " ", startingAt: 0) + TerminalText.sanitized(event.message.description, multiline: false)
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            let text = TerminalText.sanitized("\(value)", multiline: false)
            line += " \(key)=" + (text.contains(" ") || text.isEmpty ? Self.quoted(text) : text)
        }
        return line
    }

    static func json(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): return quoted(s)
        case .stringConvertible(let c): return quoted(c.description)
        case .array(let items): return "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let d):
            return "{" + d.keys.sorted().compactMap { k in d[k].map { quoted(k) + ":" + json($0) } }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (RFC 8259 escaping). C1 controls, DEL and bidi controls are escaped as well (the same
    /// value to a JSON reader): `kubectl logs` shows these lines on a terminal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20 || TerminalText.isUnsafe(c, multiline: true): out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
