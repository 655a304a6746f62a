import Foundation

/// What a person signs to approve or reject one revision of a plan: the exact bytes an OpenSSH `SSHSIG` signature
/// (namespace `operator.tikv/approval`) covers. Every field that decides what the signature may count for is in it,
/// so a signature cannot be moved to another cluster, plan, revision or decision, outlive its expiry, or be claimed
/// by another principal.
///
/// The text is canonical: a header line, then `key: value` lines in a fixed order, each ending in a newline. It is
/// rebuilt from the fields, never taken from what a client sent, so two encodings of the same approval cannot differ.
public struct ApprovalPayload: Sendable, Equatable {
    /// The `ssh-keygen -Y sign -n` namespace: a signature made for git commits or another tool never verifies here.
    public static let namespace = "operator.tikv/approval"
    static let header = "operator.tikv approval v1"
    /// Reasons are for people reading the audit; a cap keeps a payload small enough to review before signing.
    public static let maxReasonLength = 512

    public var cluster: String
    public var plan: String
    public var revision: String
    public var decision: ApprovalDecision
    /// Who signs, in `PersonName`'s normal form; the allowed-signers file must list this principal for the key.
    public var principal: String
    public var signedAt: Date
    public var expiresAt: Date
    public var reason: String?

    public init(cluster: String, plan: String, revision: String, decision: ApprovalDecision, principal: String,
                signedAt: Date, expiresAt: Date, reason: String? = nil) {
        self.cluster = cluster
        self.plan = plan
        self.revision = revision
        self.decision = decision
        self.principal = principal
        self.signedAt = signedAt
        self.expiresAt = expiresAt
        self.reason = reason
    }

    public enum Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed(String)
        case field(String, String)

        public var description: String {
            switch self {
            case .malformed(let why): "approval payload is malformed: \(why)"
            case .field(let name, let why): "approval payload field \(name): \(why)"
            }
        }
    }

    /// The signed bytes, as UTF-8.
    public var canonicalText: String {
        var lines = [
            Self.header,
            "cluster: \(cluster)",
            "plan: \(plan)",
            "revision: \(revision)",
            "decision: \(decision.rawValue)",
            "principal: \(principal)",
            "signed-at: \(Self.format(signedAt))",
            "expires-at: \(Self.format(expiresAt))",
        ]
        if let reason { lines.append("reason: \(reason)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Checks every field the way the controller will before it counts anything, so a client refuses to sign what
    /// could never count.
    public func validate() throws(Invalid) {
        if let problem = validateObjectName(cluster) { throw .field("cluster", problem) }
        if let problem = validateObjectName(plan) { throw .field("plan", problem) }
        if !isPlanRevision(revision) { throw .field("revision", "\"\(revision)\" is not 16 lower-case hex digits") }
        do {
            let name = try PersonName(validating: principal)
            if name.value != principal { throw Invalid.field("principal", "\"\(principal)\" is not in its normal form \"\(name.value)\"") }
        } catch let error as PersonName.Invalid {
            throw .field("principal", error.description)
        } catch let error as Invalid {
            throw error
        } catch {
            throw .field("principal", "\(error)")
        }
        if expiresAt <= signedAt { throw .field("expires-at", "must be after signed-at") }
        if let reason {
            if reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw .field("reason", "must be one line without control characters")
            }
            if reason.count > Self.maxReasonLength { throw .field("reason", "must be at most \(Self.maxReasonLength) characters") }
        }
    }

    /// Reads a canonical payload back; anything not exactly canonical is refused, so what was signed is what is read.
    public init(parsing text: String) throws(Invalid) {
        guard text.hasSuffix("\n") else { throw .malformed("it must end with a newline") }
        var lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == Self.header else { throw .malformed("the first line must be \"\(Self.header)\"") }
        lines.removeFirst()
        let order = ["cluster", "plan", "revision", "decision", "principal", "signed-at", "expires-at", "reason"]
        var values: [String: String] = [:]
        var next = 0
        for line in lines {
            guard let colon = line.range(of: ": ") else { throw .malformed("line \"\(line)\" is not \"key: value\"") }
            let key = String(line[..<colon.lowerBound])
            guard let position = order[next...].firstIndex(of: key) else {
                throw .malformed(order.contains(key) ? "field \(key) is repeated or out of order" : "unknown field \(key)")
            }
            values[key] = String(line[colon.upperBound...])
            next = position + 1
        }
        func required(_ key: String) throws(Invalid) -> String {
            guard let value = values[key] else { throw .malformed("field \(key) is missing") }
            return value
        }
        guard let decision = ApprovalDecision(rawValue: try required("decision")) else {
            throw .field("decision", "must be approve or reject")
        }
        guard let signedAt = Self.parse(try required("signed-at")) else { throw .field("signed-at", "expected 2006-01-02T15:04:05Z") }
        guard let expiresAt = Self.parse(try required("expires-at")) else { throw .field("expires-at", "expected 2006-01-02T15:04:05Z") }
        self.init(cluster: try required("cluster"), plan: try required("plan"), revision: try required("revision"),
                  decision: decision, principal: try required("principal"), signedAt: signedAt, expiresAt: expiresAt,
                  reason: values["reason"])
        try validate()
        guard canonicalText == text else { throw .malformed("it is not in canonical form") }
    }

    /// Whole seconds in UTC: what a person reads in the payload is the instant that counts.
    public static func format(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(.iso8601)
    }

    static func parse(_ text: String) -> Date? {
        guard text.count == 20, text.hasSuffix("Z") else { return nil }
        return try? Date(text, strategy: .iso8601)
    }
}
