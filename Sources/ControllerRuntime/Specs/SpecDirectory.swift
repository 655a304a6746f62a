import Foundation
import Reconcilers

/// Reads spec files from a file or a directory, the way a Kubernetes ConfigMap volume lays them out.
///
/// The kubelet mounts each key as a symlink (`cluster.yaml -> ..data/cluster.yaml`) and updates the
/// volume by swapping the `..data` symlink; every entry starting with a dot is its machinery, not a spec.
package enum SpecDirectory {
    static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// A ConfigMap holds at most 1 MiB in all, so a bigger spec file came from somewhere else; parsing one whole costs
    /// several times its size in YAML nodes (a 50 MB file took 248 MiB to validate).
    static let maxFileBytes = 1 << 20

    /// The spec files read from one directory, in name order; the rest are refused. A thousand is far more than
    /// one controller's clusters, maintenances and approvals need, and keeps a first sync short enough to stay
    /// within one lease period (3,000 small files, which still fit a ConfigMap, did not).
    static let maxFiles = 1_000

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
    /// Files past `maxFiles` in a directory, and files over `maxFileBytes`, become files with one error each: the
    /// rest still load, and an object such a file declared before keeps its last valid version in force.
    package static func parse(paths: [String]) throws -> [ParsedFile] {
        var parsed: [ParsedFile] = []
        for path in paths {
            let all = try files(at: path)
            for (index, file) in all.enumerated() {
                guard index < maxFiles else {
                    parsed.append(refused(file, "not read: \(path) holds \(all.count) spec files, more than the \(maxFiles) "
                                                + "the controller reads from one directory (the first \(maxFiles) by name are read)"))
                    continue
                }
                parsed.append(parse(file: file))
            }
        }
        return parsed
    }

    static func parse(file: String) -> ParsedFile {
        let data: Data
        switch read(file) {
        case .success(let d): data = d
        case .failure(let problem): return refused(file, problem.message)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return refused(file, "the file is not UTF-8 text")
        }
        return SpecParser.parse(file: file, text: text)
    }

    struct ReadProblem: Error { var message: String }

    /// The file's bytes, reading at most one byte past `maxFileBytes`: neither a huge file nor an endless one
    /// (a FIFO, `/dev/zero`) is held in memory.
    static func read(_ file: String) -> Result<Data, ReadProblem> {
        guard let handle = FileHandle(forReadingAtPath: file) else { return .failure(ReadProblem(message: "cannot read the file")) }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: maxFileBytes + 1) ?? Data()
            guard data.count <= maxFileBytes else {
                return .failure(ReadProblem(message: "not read: the file is larger than 1 MiB (\(maxFileBytes) bytes, a ConfigMap's limit)"))
            }
            return .success(data)
        } catch {
            return .failure(ReadProblem(message: "cannot read the file: \(error.localizedDescription)"))
        }
    }

    private static func refused(_ file: String, _ message: String) -> ParsedFile {
        ParsedFile(file: file, documents: [], errors: [SpecError(file: file, line: 0, column: 0, path: "", message: message)])
    }

    /// A fingerprint of the names and contents of the spec files, to notice changes cheaply by polling.
    /// Polling content (not inotify on the files) also catches the kubelet's `..data` symlink swap.
    static func fingerprint(path: String) -> UInt64 {
        guard let files = try? files(at: path) else { return 0 }
        var bytes: [UInt8] = []
        for (index, file) in files.enumerated() {
            bytes += Array(file.utf8) + [0]
            // Read as `parse` reads: a file it refuses counts by its name and the reason.
            if index < maxFiles {
                switch read(file) {
                case .success(let data): bytes += Array(data)
                case .failure(let problem): bytes += Array(problem.message.utf8) + [1]
                }
            }
            bytes.append(0)
        }
        return ContentHash.value(of: bytes)
    }
}
