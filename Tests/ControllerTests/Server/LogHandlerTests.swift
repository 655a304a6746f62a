import Foundation
import Logging
import Testing
@testable import ControllerRuntime

@Suite struct LogHandlerTests {
    @Test func jsonLinesParseWithTheConventionalKeys() throws {
        let lines = CapturedLogLines()
        var logger = Logger(label: "operator") { StructuredLogHandler(format: .json, label: $0, level: .info, output: lines.output) }
        logger[metadataKey: "cluster"] = "basic"
        logger.info("Sent PD call \"transfer-leader\"\nsecond line", metadata: [
            "plan": "balance-1", "step": "3", "store": "4", "region": "24", "batch": ["a", "b"], "detail": ["k": "v"],
        ])
        logger.debug("Below the level: not written")
        let all = lines.all
        #expect(all.count == 1)
        let line = try #require(all.first)
        #expect(!line.contains("\n"), "one event, one line")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["ts"] is Double)
        #expect(object["level"] as? String == "info")
        #expect(object["msg"] as? String == "Sent PD call \"transfer-leader\"\nsecond line")
        for (key, value) in ["cluster": "basic", "plan": "balance-1", "step": "3", "store": "4", "region": "24"] {
            #expect(object[key] as? String == value, "\(key)")
        }
        #expect(object["batch"] as? [String] == ["a", "b"])
        #expect((object["detail"] as? [String: String])?["k"] == "v")
        #expect(line.hasPrefix(#"{"ts":"#), "ts first, as Kubernetes' JSON format has it")
    }

    @Test func textLinesAreReadableOnATerminal() throws {
        let lines = CapturedLogLines()
        let logger = Logger(label: "operator") {
            StructuredLogHandler(format: .text, label: $0, level: .info, output: lines.output, clock: { Date(timeIntervalSince1970: 0) })
        }
        logger.warning("Observation incomplete", metadata: ["cluster": "basic", "reason": "stores timed out"])
        #expect(lines.all == [#"1970-01-01T00:00:00.000Z WARNING Observation incomplete cluster=basic reason="stores timed out""#])
    }

    @Test func controlsFromTheClusterNeverReachATerminalRaw() throws {
        let lines = CapturedLogLines()
        let text = Logger(label: "operator") {
            StructuredLogHandler(format: .text, label: $0, level: .info, output: lines.output, clock: { Date(timeIntervalSince1970: 0) })
        }
        text.warning("PD said \u{1B}]0;owned\u{07}", metadata: ["address": "tikv\u{1B}[2J\u{9B}1m"])
        #expect(lines.all == [#"1970-01-01T00:00:00.000Z WARNING PD said \x1b]0;owned\x07 address=tikv\x1b[2J\x9b1m"#])
        // JSON keeps the exact value; C1 and bidi controls are written as \u escapes, which decode to the same text.
        let jsonLines = CapturedLogLines()
        let json = Logger(label: "operator") { StructuredLogHandler(format: .json, label: $0, level: .info, output: jsonLines.output) }
        json.warning("x\u{9B}1m\u{202E}y")
        let line = try #require(jsonLines.all.first)
        #expect(line.contains(#""msg":"x\u009b1m\u202ey""#), "\(line)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == "x\u{9B}1m\u{202E}y")
    }

    @Test func formatAndLevelFlags() throws {
        let pod = try LogConfiguration(format: nil, level: nil, verbosity: nil, isTerminal: false)
        #expect(pod.format == .json && pod.level == .info)
        #expect(try LogConfiguration(format: nil, level: nil, verbosity: nil, isTerminal: true).format == .text)
        let explicit = try LogConfiguration(format: "json", level: "debug", verbosity: 0, isTerminal: true)
        #expect(explicit.format == .json && explicit.level == .debug, "--log-level wins over -v")
        #expect(try LogConfiguration(format: nil, level: nil, verbosity: 2).level == .info)
        #expect(try LogConfiguration(format: nil, level: nil, verbosity: 4).level == .debug)
        #expect(try LogConfiguration(format: nil, level: nil, verbosity: 9).level == .trace)
        #expect(try LogConfiguration(format: nil, level: nil, verbosity: 0).level == .notice)
        #expect(throws: LogConfigurationError.self) { try LogConfiguration(format: "xml", level: nil, verbosity: nil) }
        #expect(throws: LogConfigurationError.self) { try LogConfiguration(format: nil, level: "loud", verbosity: nil) }
    }
}
