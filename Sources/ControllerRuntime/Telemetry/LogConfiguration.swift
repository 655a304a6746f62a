import Foundation
import Logging

/// The log format and level chosen by `--log-format`, `--log-level` and klog's `-v`, and the handler they make.
package struct LogConfiguration: Sendable, Equatable {
    enum Format: String, Sendable, CaseIterable {
        case json, text
    }

    var format: Format
    var level: Logger.Level

    /// `format` nil: text on a terminal, JSON otherwise (a pod's stderr is never a terminal).
    /// `level` wins over `verbosity` when both are given; neither means info.
    package init(format: String?, level: String?, verbosity: Int?, isTerminal: Bool = isatty(STDERR_FILENO) == 1) throws {
        if let format {
            guard let f = Format(rawValue: format.lowercased()) else {
                throw LogConfigurationError("--log-format must be json or text, not \"\(format)\"")
            }
            self.format = f
        } else {
            self.format = isTerminal ? .text : .json
        }
        if let level {
            guard let l = Logger.Level(rawValue: level.lowercased()) else {
                let names = Logger.Level.allCases.map(\.rawValue).joined(separator: "|")
                throw LogConfigurationError("--log-level must be one of \(names), not \"\(level)\"")
            }
            self.level = l
        } else if let verbosity {
            guard verbosity >= 0 else { throw LogConfigurationError("-v must not be negative") }
            self.level = Self.level(verbosity: verbosity)
        } else {
            self.level = .info
        }
    }

    /// klog's scale: V(0) always shown, V(2) the recommended default, V(4) debug, V(5) and up trace.
    static func level(verbosity: Int) -> Logger.Level {
        switch verbosity {
        case 0: .notice
        case 1...3: .info
        case 4: .debug
        default: .trace
        }
    }

    package func makeHandler(label: String, output: LogOutput = .standardError) -> any LogHandler {
        StructuredLogHandler(format: format, label: label, level: level, output: output)
    }
}

package struct LogConfigurationError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
