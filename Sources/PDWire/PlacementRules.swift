/// An element of `GET /config/placement-rule` (`placement.GroupBundle`).
public struct PlacementRuleBundle: Hashable, Sendable, Decodable {
    public var groupID: String
    public var groupIndex: Int
    public var groupOverride: Bool
    public var rules: [PlacementRule]

    enum CodingKeys: String, CodingKey {
        case groupID = "group_id", groupIndex = "group_index", groupOverride = "group_override", rules
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        groupID = try c.decodeIfPresent(String.self, forKey: .groupID) ?? ""
        groupIndex = try c.decodeIfPresent(Int.self, forKey: .groupIndex) ?? 0
        groupOverride = try c.decodeIfPresent(Bool.self, forKey: .groupOverride) ?? false
        rules = try c.decodeIfPresent([PlacementRule].self, forKey: .rules) ?? []
    }
}

/// `placement.Rule`: how many peers of which role go where.
public struct PlacementRule: Hashable, Sendable, Decodable {
    public var groupID: String
    public var id: String
    public var index: Int
    public var override: Bool
    public var startKey: String
    public var endKey: String
    /// `voter`, `leader`, `follower` or `learner`.
    public var role: String
    public var isWitness: Bool
    public var count: Int
    /// Which stores the rule's peers may go to (`label_constraints`, omitted when empty).
    public var labelConstraints: [PlacementLabelConstraint]
    public var locationLabels: [String]
    public var isolationLevel: String

    enum CodingKeys: String, CodingKey {
        case groupID = "group_id", id, index, override, startKey = "start_key", endKey = "end_key", role
        case isWitness = "is_witness", count, labelConstraints = "label_constraints", locationLabels = "location_labels"
        case isolationLevel = "isolation_level"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        groupID = try c.decodeIfPresent(String.self, forKey: .groupID) ?? ""
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
        override = try c.decodeIfPresent(Bool.self, forKey: .override) ?? false
        startKey = try c.decodeIfPresent(String.self, forKey: .startKey) ?? ""
        endKey = try c.decodeIfPresent(String.self, forKey: .endKey) ?? ""
        role = try c.decodeIfPresent(String.self, forKey: .role) ?? ""
        isWitness = try c.decodeIfPresent(Bool.self, forKey: .isWitness) ?? false
        count = try c.decodeIfPresent(Int.self, forKey: .count) ?? 0
        labelConstraints = try c.decodeIfPresent([PlacementLabelConstraint].self, forKey: .labelConstraints) ?? []
        locationLabels = try c.decodeIfPresent([String].self, forKey: .locationLabels) ?? []
        isolationLevel = try c.decodeIfPresent(String.self, forKey: .isolationLevel) ?? ""
    }
}

/// `placement.LabelConstraint`: `in`, `notIn`, `exists` or `notExists` over one store label.
public struct PlacementLabelConstraint: Hashable, Sendable, Decodable {
    public var key: String
    public var op: String
    public var values: [String]

    enum CodingKeys: String, CodingKey { case key, op, values }

    public init(key: String, op: String, values: [String] = []) {
        self.key = key
        self.op = op
        self.values = values
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decodeIfPresent(String.self, forKey: .key) ?? ""
        op = try c.decodeIfPresent(String.self, forKey: .op) ?? ""
        values = try c.decodeIfPresent([String].self, forKey: .values) ?? []
    }
}
