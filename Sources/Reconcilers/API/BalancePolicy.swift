/// The desired distribution of leaders and regions across stores.
public struct BalancePolicy: Codable, Sendable, Equatable, DefaultInitializable {
    @Default<BalanceTarget.Defaults<Percent10>> public var leaders: BalanceTarget
    @Default<BalanceTarget.Defaults<Percent15>> public var regions: BalanceTarget
    /// Relative weights per store; a store absent here weighs 1.
    @Default<[StoreWeight]> public var storeWeights: [StoreWeight]
    /// How the desired balance is reached: through PD's own balancers and store weights, or explicit moves.
    @Default<BalanceStrategy> public var strategy: BalanceStrategy

    public init() {}
    public init(leaders: BalanceTarget = BalanceTarget.Defaults<Percent10>.defaultValue,
                regions: BalanceTarget = BalanceTarget.Defaults<Percent15>.defaultValue,
                storeWeights: [StoreWeight] = [], strategy: BalanceStrategy = BalanceStrategy.defaultValue) {
        self.leaders = leaders
        self.regions = regions
        self.storeWeights = storeWeights
        self.strategy = strategy
    }
    func validate(_ v: inout Validator) {
        v.nested("leaders") { leaders.validate(&$0) }
        v.nested("regions") { regions.validate(&$0) }
        var seen = Set<UInt64>()
        for (i, w) in storeWeights.enumerated() {
            v.nested("storeWeights[\(i)]") { w.validate(&$0) }
            if !seen.insert(w.storeID).inserted {
                v.fail("storeWeights[\(i)].storeID", "store \(w.storeID) is listed twice")
            }
        }
    }
}

/// How the controller reaches the desired balance (`spec.balance.strategy`).
///
/// PD's balance-leader and balance-region schedulers run in every real cluster and undo any move that does
/// not agree with their scores, so explicit moves made while they run are fought. Their scores divide by the
/// store weights, so the desired (weighted) balance is PD configuration whenever PD balances.
public enum BalanceStrategy: String, Codable, Sendable, CaseIterable, SpecEnum, DefaultValue {
    /// Per resource: weights while PD's balancer for it runs (listed and not paused), moves otherwise. The default.
    case auto
    /// Always explicit transfer-leader / transfer-peer plans.
    case moves
    /// Always store weights, even while PD's balancer is paused (the plan then waits for it).
    case weights

    public static var defaultValue: BalanceStrategy { .auto }
}

public struct BalanceTarget: Codable, Sendable, Equatable, DecodableOverDefaults {
    public var enabled: Bool
    /// A store further than this from its weighted share (in percent of that share) is out of balance.
    public var maxSkewPercent: Double

    public init(enabled: Bool = true, maxSkewPercent: Double) {
        self.enabled = enabled
        self.maxSkewPercent = maxSkewPercent
    }

    /// The default of one balance target (`@Default<BalanceTarget.Defaults<Percent10>>`).
    public enum Defaults<MaxSkew: DefaultValue>: DefaultValue where MaxSkew.Wrapped == Double {
        public static var defaultValue: BalanceTarget { BalanceTarget(maxSkewPercent: MaxSkew.defaultValue) }
    }

    enum CodingKeys: String, CodingKey { case enabled, maxSkewPercent }

    // Stays hand-written: leaders and regions allow different skews, so a field left out takes the default of
    // the target that holds it (`BalancePolicy`), which a per-type default cannot say.
    public init(from decoder: any Decoder, over defaults: BalanceTarget) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? defaults.enabled
        maxSkewPercent = try c.decodeIfPresent(Double.self, forKey: .maxSkewPercent) ?? defaults.maxSkewPercent
    }
    /// A target read on its own, outside `balance`: 10 % skew.
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, over: Defaults<Percent10>.defaultValue)
    }
    func validate(_ v: inout Validator) {
        v.range("maxSkewPercent", maxSkewPercent, 1.0...100.0)
    }
}

public struct StoreWeight: Codable, Sendable, Equatable {
    public var storeID: UInt64
    @Default<Double1> public var leader: Double
    @Default<Double1> public var region: Double

    public init(storeID: UInt64, leader: Double = Double1.defaultValue, region: Double = Double1.defaultValue) {
        self.storeID = storeID
        self.leader = leader
        self.region = region
    }
    func validate(_ v: inout Validator) {
        if storeID == 0 { v.fail("storeID", "must be a store id (≥ 1)") }
        v.range("leader", leader, 0.0...100.0)
        v.range("region", region, 0.0...100.0)
    }
}
