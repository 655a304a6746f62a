import PDWire

/// How many distinct people must approve a plan, per risk tier. 0 makes the tier automatic.
public struct ApprovalPolicy: Codable, Sendable, Equatable, DefaultInitializable {
    @Default<TierPolicy> public var low: TierPolicy
    @Default<TierPolicy> public var medium: TierPolicy
    @Default<TierPolicy> public var high: TierPolicy
    /// An approval stops counting this long after it was given.
    @Default<Hours1> public var ttl: GoDuration

    public init() {}
    public init(low: TierPolicy = .init(), medium: TierPolicy = .init(), high: TierPolicy = .init(), ttl: GoDuration = Hours1.defaultValue) {
        self.low = low
        self.medium = medium
        self.high = high
        self.ttl = ttl
    }
    public func tier(_ risk: RiskTier) -> TierPolicy {
        switch risk {
        case .low: low
        case .medium: medium
        case .high: high
        }
    }
    func validate(_ v: inout Validator) {
        v.nested("low") { low.validate(&$0) }
        v.nested("medium") { medium.validate(&$0) }
        v.nested("high") { high.validate(&$0) }
        v.duration("ttl", ttl, min: .minutes(1), max: .hours(24 * 30))
    }
}

public struct TierPolicy: Codable, Sendable, Equatable, DefaultInitializable {
    /// Distinct people who must approve; 0 means plans of this tier need no person.
    @Default<Int1> public var requiredApprovals: Int
    public init() {}
    public init(requiredApprovals: Int) { self.requiredApprovals = requiredApprovals }
    func validate(_ v: inout Validator) { v.range("requiredApprovals", requiredApprovals, 0...5) }
}
