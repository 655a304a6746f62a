import ArgumentParser

/// A failure the CLI reports on stderr with exit code 1 (usage errors exit 2 through ArgumentParser).
enum CLIError: Error, CustomStringConvertible {
    case failure(String)
    var description: String {
        switch self {
        case .failure(let m): m
        }
    }
}

/// Writes to standard error; command output goes to standard output.
func printError(_ message: String) {
    var stderr = StandardError()
    print(message, to: &stderr)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}

import Foundation
