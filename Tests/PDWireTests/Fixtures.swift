import Foundation

/// Locates `/work/shared/pd/fixtures` from this file (repo root is three levels up, fixtures are
/// in `../shared/pd/fixtures`), or from `$OPERATOR_SHARED_DIR/pd/fixtures`.
enum Fixtures {
    static var directory: URL {
        if let shared = ProcessInfo.processInfo.environment["OPERATOR_SHARED_DIR"], !shared.isEmpty {
            return URL(fileURLWithPath: shared).appendingPathComponent("pd/fixtures")
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/pd/fixtures")
    }

    struct Missing: Error, CustomStringConvertible {
        let name: String
        var description: String { "fixture \(name) not found under \(Fixtures.directory.path); set OPERATOR_SHARED_DIR" }
    }

    static func data(_ name: String) throws -> Data {
        let url = directory.appendingPathComponent(name)
        guard let d = FileManager.default.contents(atPath: url.path) else { throw Missing(name: name) }
        return d
    }

    static func decode<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: data(name))
    }

    static func all() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
    }
}
