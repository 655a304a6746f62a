/// A failure the CLI reports on stderr with exit code 1 (usage errors exit 2 through ArgumentParser).
package enum CLIError: Error, CustomStringConvertible {
    case failure(String)
    package var description: String {
        switch self {
        case .failure(let m): m
        }
    }
}
