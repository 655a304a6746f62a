import ControllerRuntime
import Foundation

/// The demo's timeline: plain lines with the real elapsed time and the simulated cluster's time,
/// written unbuffered so a pipe or a CI log shows each line as it happens.
struct DemoOutput: Sendable {
    let started = ContinuousClock.now
    let simulatedTime: @Sendable () -> Date

    private func stamp() -> String {
        let e = ContinuousClock.now - started
        let s = Int(e.components.seconds)
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        f.timeZone = TimeZone(identifier: "UTC")
        return String(format: "[%02d:%02d sim %@]", s / 60, s % 60, f.string(from: simulatedTime()))
    }

    func write(_ line: String) { FileHandle.standardOutput.write(Data((TerminalText.sanitized(line) + "\n").utf8)) }
    func headline(_ title: String, _ text: String) { write("\n\(stamp()) ▶ \(title)\n\(stamp())   \(text)") }
    func say(_ text: String) { write("\(stamp())   \(text)") }
    func waiting(_ what: String) { write("\(stamp())   … waiting for \(what)") }
    func ask(_ question: String) { write("\(stamp()) ? \(question)") }

    func countdown(_ seconds: Int) async {
        guard seconds > 0 else { return }
        for n in stride(from: seconds, to: 0, by: -1) {
            say("fault in \(n)…")
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
