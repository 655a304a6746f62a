import Foundation

/// PD's recorded answers (`../shared/pd/fixtures` beside the repository), or `$OPERATOR_SHARED_DIR/pd/fixtures`.
public enum PDFixtures {
    public static var directory: URL {
        if let shared = ProcessInfo.processInfo.environment["OPERATOR_SHARED_DIR"], !shared.isEmpty {
            return URL(fileURLWithPath: shared).appendingPathComponent("pd/fixtures")
        }
        // Tests/TestSupport/<file>: the repository is three levels up, `shared` beside it.
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/pd/fixtures")
    }

    public struct Missing: Error, CustomStringConvertible {
        public let name: String
        public var description: String { "fixture \(name) not found under \(PDFixtures.directory.path); set OPERATOR_SHARED_DIR" }
    }

    public static func data(_ name: String) throws -> Data {
        guard let d = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
            throw Missing(name: name)
        }
        return d
    }

    public static func text(_ name: String) throws -> String { String(decoding: try data(name), as: UTF8.self) }

    public static func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: data(name))
    }

    /// Every fixture's name, sorted.
    public static func all() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
    }
}
