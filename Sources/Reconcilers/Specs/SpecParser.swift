import Foundation
import Yams

/// An object declared by people in a spec file.
public enum SpecObject: Sendable, Equatable {
    case tikvCluster(TiKVCluster)
    case storeMaintenance(StoreMaintenance)
    case approval(Approval)

    public var kind: String {
        switch self {
        case .tikvCluster: TiKVClusterKind.kind
        case .storeMaintenance: StoreMaintenanceKind.kind
        case .approval: ApprovalKind.kind
        }
    }

    public var metadata: ObjectMeta {
        switch self {
        case .tikvCluster(let o): o.metadata
        case .storeMaintenance(let o): o.metadata
        case .approval(let o): o.metadata
        }
    }

    public var name: String { metadata.name }

    /// The spec in canonical JSON: what the store hashes to decide whether the generation moves.
    public var canonicalSpec: Data {
        switch self {
        case .tikvCluster(let o): CanonicalJSON.encode(o.spec)
        case .storeMaintenance(let o): CanonicalJSON.encode(o.spec)
        case .approval(let o): CanonicalJSON.encode(o.spec)
        }
    }
}

/// One document of a spec file that decoded and validated.
public struct ParsedDocument: Sendable, Equatable {
    public var object: SpecObject
    public var file: String
    /// Position of `metadata.name`, for errors found later (duplicates, references).
    public var line: Int
    public var column: Int
    /// Position of each field path, for reference errors.
    public var fieldPositions: [String: Position]

    public struct Position: Sendable, Equatable {
        public var line: Int
        public var column: Int
    }

    func error(at path: String, _ message: String) -> SpecError {
        let p = fieldPositions[path] ?? Position(line: line, column: column)
        return SpecError(file: file, line: p.line, column: p.column, path: path, message: message)
    }
}

/// The outcome of parsing one file: the documents that are valid, and every error found.
/// A file is accepted only when it has no errors at all.
public struct ParsedFile: Sendable, Equatable {
    public var file: String
    public var documents: [ParsedDocument]
    public var errors: [SpecError]
    /// "Kind/name" of every document whose kind and name could be read, valid or not: a reference to
    /// an object whose document failed can then say so instead of calling it unknown.
    public var declared: Set<String>
    public var isValid: Bool { errors.isEmpty }

    public init(file: String, documents: [ParsedDocument], errors: [SpecError], declared: Set<String> = []) {
        self.file = file
        self.documents = documents
        self.errors = errors
        self.declared = declared
    }
}

/// Parses spec files (YAML, several documents per file) into typed, validated objects.
public enum SpecParser {
    package static let kindsInSpecFiles = [TiKVClusterKind.kind, StoreMaintenanceKind.kind, ApprovalKind.kind]
    static let controllerKinds = [TicketKind.kind, RemediationPlanKind.kind, "Event"]

    /// Fields people may not set, with the reason.
    static let systemFields: [String: String] = [
        "status": "status is written by the controller, not in spec files",
        "metadata.generation": "metadata.generation is set by the controller, not in spec files",
        "metadata.resourceVersion": "metadata.resourceVersion is set by the controller, not in spec files",
        "metadata.creationTimestamp": "metadata.creationTimestamp is set by the controller, not in spec files",
    ]

    public static func parse(file: String, text: String) -> ParsedFile {
        var result = ParsedFile(file: file, documents: [], errors: [])
        let parser: Parser
        do {
            parser = try Parser(yaml: text)
        } catch {
            result.errors.append(syntaxError(error, file: file))
            return result
        }
        var index = 0
        while true {
            let root: Node?
            do {
                root = try parser.nextRoot()
            } catch {
                // A syntax error makes the whole file untrustworthy: none of its documents count.
                result.errors.append(syntaxError(error, file: file))
                result.documents = []
                return result
            }
            guard let root else { break }
            defer { index += 1 }
            if case .scalar = root, tagName(root) == .null { continue }  // empty document between `---`
            if case .mapping(let m) = root, case .scalar(let kind)? = m["kind"], case .mapping(let meta)? = m["metadata"],
               case .scalar(let name)? = meta["name"] {
                result.declared.insert(kind.string + "/" + name.string)
            }
            let (doc, errors) = parseDocument(root, file: file)
            result.errors += errors
            if let doc, errors.isEmpty { result.documents.append(doc) }
        }
        return result
    }

    static func syntaxError(_ error: any Error, file: String) -> SpecError {
        switch error as? YamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            return SpecError(file: file, line: mark.line, column: mark.column, path: "", message: message)
        case .reader(let problem, let offset, _, _):
            return SpecError(file: file, line: 0, column: 0, path: "", message: "cannot read the file: \(problem)\(offset.map { " at byte \($0)" } ?? "")")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams marks the first occurrence; the mistake is usually the second (the line added later).
            let first = context.mark
            let second = duplicates.first.flatMap { DuplicateKey.secondOccurrence(of: $0, after: first, in: context.text) }
            return SpecError(file: file, line: second?.line ?? first.line, column: second?.column ?? first.column, path: "",
                             message: "duplicate field \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) in one object"
                                + (second != nil ? " (first at line \(first.line))" : ""))
        default:
            return SpecError(file: file, line: 0, column: 0, path: "", message: "YAML error: \(error)")
        }
    }

    static func parseDocument(_ root: Node, file: String) -> (ParsedDocument?, [SpecError]) {
        let context = NodeDecodingContext(file: file)
        context.record(path: "", mark: root.mark)
        guard case .mapping(let mapping) = root else {
            return (nil, [context.error("", "a spec document must be an object with apiVersion, kind, metadata and spec, got \(describe(root))")])
        }
        func scalar(_ key: String) -> (String, Mark?)? {
            guard let node = mapping[key] else { return nil }
            if case .scalar(let s) = node { return (s.string, node.mark) }
            return ("", node.mark)
        }
        func at(_ mark: Mark?, _ path: String, _ message: String) -> SpecError {
            SpecError(file: file, line: mark?.line ?? root.mark?.line ?? 0, column: mark?.column ?? root.mark?.column ?? 0,
                      path: path, message: message)
        }
        guard let (apiVersion, apiMark) = scalar("apiVersion") else {
            return (nil, [at(root.mark, "apiVersion", "required field is missing (expected \(apiVersionV1Alpha1))")])
        }
        guard apiVersion == apiVersionV1Alpha1 else {
            return (nil, [at(apiMark, "apiVersion", "unknown apiVersion \"\(apiVersion)\": expected \(apiVersionV1Alpha1)")])
        }
        guard let (kind, kindMark) = scalar("kind") else {
            return (nil, [at(root.mark, "kind", "required field is missing (expected one of \(kindsInSpecFiles.joined(separator: ", ")))")])
        }
        if controllerKinds.contains(kind) {
            return (nil, [at(kindMark, "kind", "\(kind) objects are written by the controller and cannot be declared in a spec file")])
        }
        let decoder = NodeDecoder(node: root, codingPath: [], context: context)
        let decoded: SpecObject?
        do {
            switch kind {
            case TiKVClusterKind.kind:
                decoded = .tikvCluster(try SpecDocument<TiKVClusterKind>(from: decoder).resource)
            case StoreMaintenanceKind.kind:
                decoded = .storeMaintenance(try SpecDocument<StoreMaintenanceKind>(from: decoder).resource)
            case ApprovalKind.kind:
                decoded = .approval(try SpecDocument<ApprovalKind>(from: decoder).resource)
            default:
                return (nil, [at(kindMark, "kind", "unknown kind \"\(kind)\": expected one of \(kindsInSpecFiles.joined(separator: ", "))")])
            }
        } catch {
            context.recordFailure(error)
            decoded = nil
        }
        // Every mistake at once: fields that failed to decode (each replaced by a stand-in so decoding went on),
        // unknown fields, the name, and (once the object decoded) the spec's own rules.
        var errors = context.failures + unknownFields(context)
        let name: String? = switch mapping["metadata"] {
        case .mapping(let meta)?: if case .scalar(let s)? = meta["name"] { s.string } else { nil }
        default: nil
        }
        if let name, let problem = validateObjectName(name) {
            errors.append(context.error("metadata.name", problem))
        }
        guard let object = decoded else { return (nil, sorted(errors)) }
        var validator = Validator()
        switch object {
        case .tikvCluster(let o): o.spec.validate(&validator)
        case .storeMaintenance(let o):
            o.spec.validate(&validator)
            if let problem = validateObjectName(o.spec.cluster) { validator.fail("cluster", problem) }
        case .approval(let o): o.spec.validate(&validator)
        }
        // A field that failed holds a stand-in: what the rules say about it would be about the stand-in.
        let failed = context.failures.map(\.path)
        errors += validator.issues.filter { issue in !failed.contains { isWithin(issue.path, $0) } }
            .map { context.error($0.path, $0.message) }
        guard context.failures.isEmpty else { return (nil, sorted(errors)) }
        let namePos = context.position(of: "metadata.name")
        var positions: [String: ParsedDocument.Position] = [:]
        for path in ["spec.cluster", "spec.plan", "metadata.name"] {
            if let p = context.position(of: path) { positions[path] = .init(line: p.line, column: p.column) }
        }
        let doc = ParsedDocument(object: object, file: file, line: namePos?.line ?? 0, column: namePos?.column ?? 0, fieldPositions: positions)
        return (doc, sorted(errors))
    }

    static func unknownFields(_ context: NodeDecodingContext) -> [SpecError] {
        context.unknownFieldErrors().map { e in
            var e = e
            if let reason = systemFields[e.path] { e.message = reason }
            return e
        }
    }


    /// Whether `path` is `ancestor` or lies under it (`spec.pd` holds `spec.pd.urls[0]`); the empty path holds all.
    static func isWithin(_ path: String, _ ancestor: String) -> Bool {
        ancestor.isEmpty || path == ancestor || path.hasPrefix(ancestor + ".") || path.hasPrefix(ancestor + "[")
    }

    static func sorted(_ errors: [SpecError]) -> [SpecError] {
        errors.sorted { ($0.line, $0.column, $0.path) < ($1.line, $1.column, $1.path) }
    }

    /// Turns any decoding failure into a positioned error.
    static func positioned(_ error: any Error, context: NodeDecodingContext) -> SpecError {
        if let p = error as? PositionedDecodingError { return p.error }
        if let d = error as? DecodingError {
            switch d {
            case .dataCorrupted(let c):
                return context.error(pathString(c.codingPath), c.debugDescription)
            case .typeMismatch(let type, let c):
                return context.error(pathString(c.codingPath), "expected \(type): \(c.debugDescription)")
            case .valueNotFound(_, let c):
                return context.error(pathString(c.codingPath), "required field is null")
            case .keyNotFound(let key, let c):
                return context.error(pathString(c.codingPath + [key]), "required field is missing")
            @unknown default:
                return context.error("", "\(d)")
            }
        }
        return context.error("", "\(error)")
    }
}

/// The shape of a document in a spec file: like a stored object, but metadata has only what people set.
struct SpecDocument<K: APIKind>: Decodable {
    var metadata: SpecMetadata
    var spec: K.Spec

    struct SpecMetadata: Decodable {
        var name: String
        @Default<[String: String]> var labels: [String: String]
        @Default<[String: String]> var annotations: [String: String]
    }

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec }

    // Hand-written: apiVersion and kind must be present (the parser dispatched on them) but are not kept.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        _ = try c.decode(String.self, forKey: .apiVersion)
        _ = try c.decode(String.self, forKey: .kind)
        metadata = try c.decode(SpecMetadata.self, forKey: .metadata)
        spec = try c.decode(K.Spec.self, forKey: .spec)
    }

    var resource: Resource<K> {
        Resource(metadata: ObjectMeta(name: metadata.name, labels: metadata.labels, annotations: metadata.annotations), spec: spec)
    }
}
