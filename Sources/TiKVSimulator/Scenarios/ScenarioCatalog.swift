import Foundation

/// The shipped scenarios: `Scenarios/*.yaml` in the project. Found through `OPERATOR_SCENARIOS`, then
/// `./Scenarios`, then the source tree this module was built from.
public enum ScenarioCatalog {
    public static var directory: URL? {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["OPERATOR_SCENARIOS"] { candidates.append(URL(fileURLWithPath: env)) }
        candidates.append(URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("Scenarios"))
        // Sources/TiKVSimulator/Scenarios/ScenarioCatalog.swift → project root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent("Scenarios"))
        return candidates.first { var dir: ObjCBool = false; return fm.fileExists(atPath: $0.path, isDirectory: &dir) && dir.boolValue }
    }

    /// Names of the shipped scenarios (file names without `.yaml`), sorted.
    public static func names() -> [String] {
        guard let dir = directory, let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Loads a shipped scenario by name, or any scenario file by path.
    public static func load(_ nameOrPath: String) throws -> Scenario {
        let url: URL
        if nameOrPath.hasSuffix(".yaml") || nameOrPath.hasSuffix(".yml") || nameOrPath.contains("/") {
            url = URL(fileURLWithPath: nameOrPath)
        } else if let dir = directory {
            url = dir.appendingPathComponent(nameOrPath + ".yaml")
        } else {
            throw Scenario.LoadError.invalid("no Scenarios directory found (set OPERATOR_SCENARIOS)")
        }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw Scenario.LoadError.invalid("no scenario \(nameOrPath); available: \(names().joined(separator: ", "))")
        }
        return try Scenario.parse(yaml: text)
    }
}
