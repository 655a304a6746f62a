import PDWire

/// `placement.Rule`, `LabelConstraint` and `RuleGroup` (v8.5.7:pkg/schedule/placement/rule.go:25-122,
/// label_constraint.go:24-95) as the simulator stores them, with PD's JSON shapes.
extension PlacementRuleSet {
    /// `PeerRoleType` (rule.go:28-37).
    public enum Role: String, Sendable {
        case voter, leader, follower, learner
    }

    /// `LabelConstraintOp` (label_constraint.go:28-39); any other text is kept so validation can name it.
    public struct LabelConstraint: Sendable, Equatable {
        public var key: String
        public var op: String
        public var values: [String]
        public init(key: String, op: String, values: [String] = []) {
            self.key = key
            self.op = op
            self.values = values
        }

        /// `MatchStore` (label_constraint.go:53-67): a missing label is the empty value.
        func matches(_ labels: [(key: String, value: String)]) -> Bool {
            let v = labels.first { $0.key == key }?.value ?? ""
            switch op {
            case "in": return !v.isEmpty && values.contains(v)
            case "notIn": return v.isEmpty || !values.contains(v)
            case "exists": return !v.isEmpty
            case "notExists": return v.isEmpty
            default: return false
            }
        }

        var json: JSONValue {
            var pairs: [(String, JSONValue)] = []
            if !key.isEmpty { pairs.append(("key", .string(key))) }
            if !op.isEmpty { pairs.append(("op", .string(op))) }
            if !values.isEmpty { pairs.append(("values", .array(values.map { .string($0) }))) }
            return .object(pairs)
        }
    }

    public struct Rule: Sendable, Equatable {
        public var groupId: String
        public var id: String
        public var index: Int = 0
        public var override = false
        /// As given (hex); `startKey`/`endKey` are the decoded bytes, set by validation.
        public var startKeyHex = ""
        public var endKeyHex = ""
        public var roleText: String
        public var isWitness = false
        public var count: Int
        public var labelConstraints: [LabelConstraint] = []
        public var locationLabels: [String] = []
        public var isolationLevel = ""
        public var version: UInt64 = 0
        public var createTimestamp: UInt64 = 0
        var startKey: [UInt8] = []
        var endKey: [UInt8] = []

        public init(groupId: String, id: String, role: Role, count: Int, labelConstraints: [LabelConstraint] = [],
                    startKeyHex: String = "", endKeyHex: String = "") {
            self.groupId = groupId
            self.id = id
            self.roleText = role.rawValue
            self.count = count
            self.labelConstraints = labelConstraints
            self.startKeyHex = startKeyHex
            self.endKeyHex = endKeyHex
        }

        public var role: Role? { Role(rawValue: roleText) }
        public var key: RuleKey { RuleKey(group: groupId, id: id) }
        var coversAllKeys: Bool { startKey.isEmpty && endKey.isEmpty }

        /// `MatchLabelConstraints` (label_constraint.go:81-95): every constraint holds, and the store has no
        /// exclusive label (`engine`, `exclusive`, `$…`) that the constraints do not name — so plain rules never
        /// place peers on TiFlash stores.
        func matchesStore(_ labels: [(key: String, value: String)]) -> Bool {
            for l in labels where Self.isExclusive(l.key) && !labelConstraints.contains(where: { $0.key == l.key }) { return false }
            return labelConstraints.allSatisfy { $0.matches(labels) }
        }

        static func isExclusive(_ key: String) -> Bool { key.hasPrefix("$") || key == "engine" || key == "exclusive" }

        /// Go's encoding of `Rule`, keys in struct order, omitempty as tagged (rule.go:56-74).
        var json: JSONValue {
            var p: [(String, JSONValue)] = [("group_id", .string(groupId)), ("id", .string(id))]
            if index != 0 { p.append(("index", .int(Int64(index)))) }
            if override { p.append(("override", .bool(true))) }
            p += [("start_key", .string(startKeyHex)), ("end_key", .string(endKeyHex)), ("role", .string(roleText)),
                  ("is_witness", .bool(isWitness)), ("count", .int(Int64(count)))]
            if !labelConstraints.isEmpty { p.append(("label_constraints", .array(labelConstraints.map(\.json)))) }
            if !locationLabels.isEmpty { p.append(("location_labels", .array(locationLabels.map { .string($0) }))) }
            if !isolationLevel.isEmpty { p.append(("isolation_level", .string(isolationLevel))) }
            if version != 0 { p.append(("version", .uint(version))) }
            if createTimestamp != 0 { p.append(("create_timestamp", .uint(createTimestamp))) }
            return .object(p)
        }

        /// Go's `json.Unmarshal` into a `Rule`: unknown keys ignored, a wrongly typed field is an error worded
        /// as Go words it.
        static func decode(_ v: JSONValue) throws(DecodeError) -> Rule {
            guard case .object(let pairs) = v else { throw DecodeError(got: v, field: nil, goType: "placement.Rule") }
            var r = Rule(groupId: "", id: "", role: .voter, count: 0)
            r.roleText = ""
            for (k, value) in pairs {
                switch k {
                case "group_id": r.groupId = try str(value, "group_id")
                case "id": r.id = try str(value, "id")
                case "index": r.index = try int(value, "index")
                case "override": r.override = try bool(value, "override")
                case "start_key": r.startKeyHex = try str(value, "start_key")
                case "end_key": r.endKeyHex = try str(value, "end_key")
                case "role": r.roleText = try str(value, "role")
                case "is_witness": r.isWitness = try bool(value, "is_witness")
                case "count": r.count = try int(value, "count")
                case "isolation_level": r.isolationLevel = try str(value, "isolation_level")
                case "location_labels":
                    guard case .array(let a) = value else { if value == .null { continue }; throw DecodeError(got: value, field: k, goType: "[]string") }
                    r.locationLabels = try a.map { x throws(DecodeError) in try str(x, k) }
                case "label_constraints":
                    if value == .null { continue }
                    guard case .array(let a) = value else { throw DecodeError(got: value, field: k, goType: "[]placement.LabelConstraint") }
                    r.labelConstraints = try a.map { x throws(DecodeError) in
                        guard case .object(let cp) = x else { throw DecodeError(got: x, field: k, goType: "placement.LabelConstraint") }
                        var c = LabelConstraint(key: "", op: "")
                        for (ck, cv) in cp {
                            switch ck {
                            case "key": c.key = try str(cv, "label_constraints.key")
                            case "op": c.op = try str(cv, "label_constraints.op")
                            case "values":
                                if cv == .null { continue }
                                guard case .array(let vs) = cv else { throw DecodeError(got: cv, field: "label_constraints.values", goType: "[]string") }
                                c.values = try vs.map { y throws(DecodeError) in try str(y, "label_constraints.values") }
                            default: continue
                            }
                        }
                        return c
                    }
                default: continue
                }
            }
            return r
        }

        private static func str(_ v: JSONValue, _ f: String) throws(DecodeError) -> String {
            if case .string(let s) = v { return s }
            if v == .null { return "" }
            throw DecodeError(got: v, field: f, goType: "string")
        }
        private static func int(_ v: JSONValue, _ f: String) throws(DecodeError) -> Int {
            switch v {
            case .int(let i): return Int(i)
            case .uint(let u) where u <= UInt64(Int.max): return Int(u)
            case .null: return 0
            default: throw DecodeError(got: v, field: f, goType: "int")
            }
        }
        private static func bool(_ v: JSONValue, _ f: String) throws(DecodeError) -> Bool {
            if case .bool(let b) = v { return b }
            if v == .null { return false }
            throw DecodeError(got: v, field: f, goType: "bool")
        }
    }

    /// `json: cannot unmarshal <kind> into Go struct field Rule.<field> of type <type>`.
    public struct DecodeError: Error, Sendable {
        var got: JSONValue
        var field: String?
        var goType: String
        var message: String {
            let kind: String
            switch got {
            case .string: kind = "string"
            case .bool: kind = "bool"
            case .int, .uint, .double: kind = "number"
            case .array: kind = "array"
            case .object: kind = "object"
            case .null: kind = "null"
            }
            if let field { return "json: cannot unmarshal \(kind) into Go struct field Rule.\(field) of type \(goType)" }
            return "json: cannot unmarshal \(kind) into Go value of type \(goType)"
        }
    }

    /// `RuleGroup` (rule.go:118-135): a group with index 0 and no override is the default and is not stored.
    public struct Group: Sendable, Equatable {
        public var id: String
        public var index = 0
        public var override = false
        var isDefault: Bool { index == 0 && !override }
    }

    /// `Rule.Key()`: (group, id), unique across the rule set.
    public struct RuleKey: Hashable, Sendable, Comparable {
        public var group: String
        public var id: String
        public init(group: String, id: String) {
            self.group = group
            self.id = id
        }
        public static func < (a: RuleKey, b: RuleKey) -> Bool { (a.group, a.id) < (b.group, b.id) }
    }
}
