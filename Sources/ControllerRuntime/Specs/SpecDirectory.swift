import Foundation
import Reconcilers

/// Reads spec files from a file or a directory, the way a Kubernetes ConfigMap volume lays them out.
///
/// The kubelet mounts each key as a symlink (`cluster.yaml -> ..data/cluster.yaml`) and updates the
/// volume by swapping the `..data` symlink; every entry starting with a dot is its machinery, not a spec.
package enum SpecDirectory {
    static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// The spec files under `path`: the file itself, or the directory's non-hidden YAML/JSON entries
    /// (not recursive, like `kubectl apply -f DIR`), sorted by name.
    static func files(at path: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError.failure("\(path): no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        return names
            .filter { !$0.hasPrefix(".") && extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted()
            .map { (path as NSString).appendingPathComponent($0) }
    }

    /// Parses every spec file under each path. A file that cannot be read becomes a file with one error,
    /// so the caller sees it like any other invalid file.
    package static func parse(paths: [String]) throws -> [ParsedFile] {
        var parsed: [ParsedFile] = []
        for path in paths {
            for file in try files(at: path) {
                parsed.append(parse(file: file))
            }
        }
        return parsed
    }

    static func parse(file: String) -> ParsedFile {
        guard let data = FileManager.default.contents(atPath: file) else {
            return ParsedFile(file: file, documents: [], errors: [SpecError(file: file, line: 0, column: 0, path: "", message: "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return ParsedFile(file: file, documents: [], errors: [SpecError(file: file, line: 0, column: 0, path: "", message: "the file is not UTF-8 text")])
        }
        return SpecParser.parse(file: file, text: text)
    }

    /// A fingerprint of the names and contents of the spec files, to notice changes cheaply by polling.
    /// Polling content (not inotify on the files) also catches the kubelet's `..data` symlink swap.
    static func fingerprint(path: String) -> UInt64 {
        guard let files = try? files(at: path) else { return 0 }
        var bytes: [UInt8] = []
        for file in files {
            bytes += Array(file.utf8) + [0]
            bytes += FileManager.default.contents(atPath: file).map(Array.init) ?? [1]
            bytes.append(0)
        }
        return ContentHash.value(of: bytes)
    }
}
