import Foundation

/// PD's text form of one operator (`operator.Operator.String()`, API.md §1.3):
/// `<desc> {<brief>} (kind:<kinds>, region:<id>(<version>, <conf_ver>), createAt:<t>, startAt:<t>,
/// currentStep:<n>, size:<MiB>, steps:[0:{…}, …], timeout:[<d>])[ finished| timeout]`.
///
/// PD's JSON for operators is this string, and the `?object=1` form carries version-dependent kind
/// bits, so the text is the portable source.
public struct OperatorText: Hashable, Sendable {
    /// The producer: `admin-transfer-leader`, `balance-leader-scheduler`, `replace-rule-down-peer`, …
    public var desc: String
    /// `transfer leader: store 5 to 1`, `mv peer: store [6] to [5]`, …
    public var brief: String
    /// `OpKind.String()` split on commas: `["admin", "leader"]`.
    public var kinds: [String]
    public var regionID: UInt64
    /// The region epoch when the operator was created (the text lists version first).
    public var regionEpoch: RegionEpoch
    public var createdAt: GoTime?
    /// `nil` when not started (Go prints the zero time).
    public var startedAt: GoTime?
    public var currentStep: Int
    /// MiB.
    public var size: Int64
    public var steps: [OperatorStep]
    public var timeout: GoDuration?
    /// The text ends in ` finished` or ` timeout` once the operator has ended that way.
    public var ending: Ending

    public enum Ending: Hashable, Sendable { case none, finished, timedOut }

    public var isAdmin: Bool { kinds.contains("admin") }

    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String { "cannot parse PD operator text (\(reason)): \(text.prefix(200))" }
    }

    public init(parsing text: String) throws(ParseError) {
        var scanner = OperatorScanner(text: text)
        try self.init(scanner: &scanner)
        guard scanner.rest.isEmpty else { throw ParseError(text: text, reason: "unexpected trailing text") }
    }

    init(scanner s: inout OperatorScanner) throws(ParseError) {
        desc = try s.upTo(" {", what: "desc")
        brief = try s.upTo("} (kind:", what: "brief")
        kinds = try s.upTo(", region:", what: "kind").split(separator: ",").map { String($0).trimmingWhitespace() }
        let idText = try s.upTo("(", what: "region id")
        guard let id = UInt64(idText) else { throw s.error("region id \(idText)") }
        regionID = id
        let versionText = try s.upTo(", ", what: "epoch version")
        let confText = try s.upTo("), createAt:", what: "epoch conf_ver")
        guard let version = UInt64(versionText), let conf = UInt64(confText) else { throw s.error("epoch") }
        regionEpoch = RegionEpoch(confVer: conf, version: version)
        createdAt = GoTimeString.parse(try s.upTo(", startAt:", what: "createAt"))
        startedAt = GoTimeString.parse(try s.upTo(", currentStep:", what: "startAt")).flatMap { $0 == GoTime.zero ? nil : $0 }
        let stepText = try s.upTo(", size:", what: "currentStep")
        guard let step = Int(stepText) else { throw s.error("currentStep \(stepText)") }
        currentStep = step
        let sizeText = try s.upTo(", steps:[", what: "size")
        guard let size = Int64(sizeText) else { throw s.error("size \(sizeText)") }
        self.size = size
        steps = try Self.parseSteps(try s.upTo("], timeout:[", what: "steps"), scanner: s)
        timeout = try? GoDuration(parsing: try s.upTo("])", what: "timeout"))
        if s.consume(" finished") {
            ending = .finished
        } else if s.consume(" timeout") {
            ending = .timedOut
        } else {
            ending = .none
        }
    }

    /// `0:{add learner peer 1020 on store 5}, 1:{…}`: steps hold no braces, so split on `}, `.
    private static func parseSteps(_ text: String, scanner: OperatorScanner) throws(ParseError) -> [OperatorStep] {
        if text.isEmpty { return [] }
        var steps: [OperatorStep] = []
        for part in text.components(separatedBy: "}, ") {
            var p = Substring(part)
            if p.hasSuffix("}") { p = p.dropLast() }
            guard let brace = p.firstIndex(of: "{") else { throw scanner.error("step \(part)") }
            steps.append(OperatorStep(text: String(p[p.index(after: brace)...])))
        }
        return steps
    }
}

/// One operator step, typed for the kinds a controller acts on; anything else is kept as text.
public enum OperatorStep: Hashable, Sendable {
    case transferLeader(fromStore: UInt64, toStore: UInt64)
    case addPeer(peerID: UInt64, storeID: UInt64)
    case addLearner(peerID: UInt64, storeID: UInt64)
    case removePeer(storeID: UInt64)
    case other(String)

    public init(text: String) {
        let words = text.split(separator: " ")
        func n(_ i: Int) -> UInt64? { i < words.count ? UInt64(words[i]) : nil }
        if text.hasPrefix("transfer leader from store "), words.count == 8, let a = n(4), let b = n(7) {
            self = .transferLeader(fromStore: a, toStore: b)
        } else if text.hasPrefix("add peer "), words.count == 6, let p = n(2), let s = n(5) {
            self = .addPeer(peerID: p, storeID: s)
        } else if text.hasPrefix("add learner peer "), words.count == 7, let p = n(3), let s = n(6) {
            self = .addLearner(peerID: p, storeID: s)
        } else if text.hasPrefix("remove peer on store "), words.count == 5, let s = n(4) {
            self = .removePeer(storeID: s)
        } else {
            self = .other(text)
        }
    }
}

/// `pdpb.OperatorStatus` as `GET /operators/{region}` prints it.
public enum OperatorStatus: Hashable, Sendable {
    case running, success, timeout, cancel, replace
    /// A status PD printed as a number or a name this client does not know (e.g. `5` for CREATED).
    case other(String)

    public init(text: String) {
        switch text {
        case "RUNNING": self = .running
        case "SUCCESS": self = .success
        case "TIMEOUT": self = .timeout
        case "CANCEL": self = .cancel
        case "REPLACE": self = .replace
        default: self = .other(text)
        }
    }

    /// The operator has ended. An unknown status is not terminal, so callers keep polling.
    public var isTerminal: Bool {
        switch self {
        case .success, .timeout, .cancel, .replace: return true
        case .running, .other: return false
        }
    }
}

/// `GET /operators/{region_id}`: `"status: RUNNING, operator: <operator text>"`.
public struct OperatorWithStatus: Hashable, Sendable, TextDecodable {
    public var status: OperatorStatus
    public var op: OperatorText

    public init(parsing text: String) throws(OperatorText.ParseError) {
        var s = OperatorScanner(text: text)
        guard s.consume("status: ") else { throw s.error("missing status prefix") }
        status = OperatorStatus(text: try s.upTo(", operator: ", what: "status"))
        op = try OperatorText(scanner: &s)
        guard s.rest.isEmpty else { throw s.error("unexpected trailing text") }
    }

}

/// A cursor over operator text; every read names what it expected so errors say where parsing stopped.
struct OperatorScanner {
    let text: String
    var rest: Substring

    init(text: String) {
        self.text = text
        self.rest = Substring(text)
    }

    mutating func upTo(_ marker: String, what: String) throws(OperatorText.ParseError) -> String {
        guard let r = rest.range(of: marker) else { throw error("no \(what)") }
        let value = String(rest[..<r.lowerBound])
        rest = rest[r.upperBound...]
        return value
    }

    mutating func consume(_ prefix: String) -> Bool {
        guard rest.hasPrefix(prefix) else { return false }
        rest = rest.dropFirst(prefix.count)
        return true
    }

    func error(_ reason: String) -> OperatorText.ParseError { OperatorText.ParseError(text: text, reason: reason) }
}

/// Go's `time.Time.String()`: `2025-06-10 07:59:58.157922689 +0000 UTC m=+887986.276253693`.
enum GoTimeString {
    static func parse(_ text: String) -> GoTime? {
        let parts = text.split(separator: " ")
        guard parts.count >= 3 else { return nil }
        let offset = parts[2]
        guard offset.count == 5, let sign = offset.first, sign == "+" || sign == "-" else { return nil }
        let rfc = "\(parts[0])T\(parts[1])\(offset.prefix(3)):\(offset.suffix(2))"
        return try? GoTime(parsing: rfc)
    }
}
