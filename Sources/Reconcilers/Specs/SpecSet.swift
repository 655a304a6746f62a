/// The objects in force from a directory of spec files, and the errors that keep newer versions out.
///
/// Each file is accepted or rejected as a whole. A rejected file leaves its last valid version in
/// force, so a typo in a ConfigMap never makes the controller forget a cluster. Cross-file rules
/// (duplicate names, references to unknown objects) are checked against what would be in force,
/// and reject the file that introduced the problem.
public struct SpecSet: Sendable {
    public struct FileState: Sendable, Equatable {
        /// The documents in force for this file: its latest version when valid, else its last valid one.
        public var inForce: [ParsedDocument]
        /// Why the file's latest version is not in force; empty when it is.
        public var errors: [SpecError]
        /// Whether `inForce` is an older version than the file's current content.
        public var isStale: Bool { !errors.isEmpty }
    }

    public private(set) var files: [String: FileState] = [:]

    public init() {}

    /// Applies a fresh reading of every file currently in the directory. Files not listed were
    /// deleted, and their objects leave with them.
    @discardableResult
    public mutating func apply(_ parsed: [ParsedFile]) -> [SpecError] {
        let byFile = Dictionary(parsed.map { ($0.file, $0) }, uniquingKeysWith: { _, last in last })
        var errors: [String: [SpecError]] = byFile.mapValues(\.errors)
        var accepted = Set(byFile.values.filter(\.isValid).map(\.file))
        let order = byFile.keys.sorted()

        func effective(_ file: String) -> [ParsedDocument] {
            accepted.contains(file) ? (byFile[file]?.documents ?? []) : (files[file]?.inForce ?? [])
        }
        func reject(_ doc: ParsedDocument, _ error: SpecError) {
            errors[doc.file, default: []].append(error)
            accepted.remove(doc.file)
        }

        // Rejecting one file can change what others see, so repeat until nothing changes.
        var changed = true
        while changed {
            changed = false
            var seen: [String: ParsedDocument] = [:]
            for file in order {
                for doc in effective(file) {
                    let key = doc.object.kind + "/" + doc.object.name
                    guard let first = seen[key] else {
                        seen[key] = doc
                        continue
                    }
                    // Blame the newcomer: a file still on its last valid version was there first.
                    let blamed = accepted.contains(first.file) && !accepted.contains(doc.file) ? first : doc
                    let other = blamed == doc ? first : doc
                    if accepted.contains(blamed.file) {
                        reject(blamed, blamed.error(at: "metadata.name",
                                                    "duplicate \(doc.object.kind) \"\(doc.object.name)\": also defined at \(other.file):\(other.line):\(other.column)"))
                        changed = true
                    }
                }
            }
            if changed { continue }
            let clusters = Set(order.flatMap(effective).compactMap { doc -> String? in
                if case .tikvCluster(let c) = doc.object { return c.name }
                return nil
            })
            for file in order where accepted.contains(file) {
                for doc in effective(file) {
                    if case .storeMaintenance(let m) = doc.object, !clusters.contains(m.spec.cluster) {
                        let declaredIn = order.first { byFile[$0]?.declared.contains(TiKVClusterKind.kind + "/" + m.spec.cluster) == true }
                        let why = declaredIn.map { "references TiKVCluster \"\(m.spec.cluster)\", which \($0) declares but which is not valid (see its errors)" }
                            ?? "references unknown TiKVCluster \"\(m.spec.cluster)\""
                        reject(doc, doc.error(at: "spec.cluster", why))
                        changed = true
                    }
                }
            }
        }

        var next: [String: FileState] = [:]
        for file in order {
            let fileErrors = SpecParser.sorted(errors[file] ?? [])
            next[file] = FileState(inForce: effective(file), errors: accepted.contains(file) ? [] : fileErrors)
        }
        files = next
        return allErrors
    }

    /// Every document in force, ordered by kind then name.
    public var documents: [ParsedDocument] {
        files.values.flatMap(\.inForce).sorted { ($0.object.kind, $0.object.name) < ($1.object.kind, $1.object.name) }
    }

    public var allErrors: [SpecError] {
        files.keys.sorted().flatMap { files[$0]?.errors ?? [] }
    }

    /// The errors that keep the latest version of an object's file out, if any.
    public func errors(forObjectIn file: String) -> [SpecError] { files[file]?.errors ?? [] }
}
