import ControllerRuntime
import Foundation

/// Writes to standard error; command output goes to standard output. Errors carry text from outside (PD's error
/// pages, file contents), so they are shown with controls escaped (`TerminalText`).
func printError(_ message: String) {
    var stderr = StandardError()
    print(TerminalText.sanitized(message), to: &stderr)
}

/// Output for people (tables, reports, confirmations): controls in it are shown escaped. JSON and YAML output is
/// printed with plain `print`, exact.
func printForPeople(_ text: String, terminator: String = "\n") {
    print(TerminalText.sanitized(text), terminator: terminator)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
