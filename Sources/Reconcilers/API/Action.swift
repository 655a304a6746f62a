import Foundation

/// The registry of actions a plan step may take. Each has a risk tier, says whether it changes the
/// cluster, and whether PD treats it as fast (≥ 60 s timeout) or slow (≥ 10 min).
public enum ActionKind: String, Codable, Sendable, CaseIterable, SpecEnum {
    case transferLeader
    case transferPeer
    case addEvictLeaderScheduler
    case removeEvictLeaderScheduler
    case waitForLeadersDrained
    case offlineStore
    case cancelOfflineStore
    case waitForStoreRemoved
    case removeScheduler
    case setStoreWeight
    case waitForBalance
    /// PD's online unsafe recovery (`POST /admin/unsafe/remove-failed-stores`): the stores become Tombstone at once and
    /// the regions that lost their quorum to them are forced to a leader among the survivors. Whatever those stores
    /// alone held is lost.
    case removeFailedStores
    /// Waits until every listed store is alive again (a person restarts or reconnects them); sends nothing.
    case waitForStoresUp
    /// PD's admin `split-region` operator at the region's approximate middle. The step records the region's key range
    /// when planned: the split is observed when PD shows the region with another range (PD's own `IsFinish`).
    case splitRegion

    public var risk: RiskTier {
        switch self {
        // A split moves no data and is what TiKV does by itself at its size threshold; PD's merge checker may join the
        // halves again once they are small and cold.
        case .transferLeader, .removeEvictLeaderScheduler, .waitForLeadersDrained, .waitForStoreRemoved, .cancelOfflineStore,
             .removeScheduler, .waitForBalance, .waitForStoresUp, .splitRegion:
            .low
        // A store weight is undone by one call, like an evict-leader scheduler, but like it it steers PD's balancers:
        // a weight set wrong moves leaders or whole peers (data) across the cluster until someone notices.
        case .transferPeer, .addEvictLeaderScheduler, .setStoreWeight:
            .medium
        case .offlineStore, .removeFailedStores:
            .high
        }
    }

    /// Whether the step sends a PD mutation (waits only observe).
    public var mutates: Bool {
        switch self {
        case .waitForLeadersDrained, .waitForStoreRemoved, .waitForBalance, .waitForStoresUp: false
        default: true
        }
    }

    public var isSlow: Bool {
        switch self {
        // PD's balancers converge at their own pace (a few operators at a time): waiting for them is slow.
        // Bringing a host back, or PD's unsafe recovery collecting every store's report, takes minutes.
        case .transferPeer, .waitForLeadersDrained, .waitForStoreRemoved, .waitForBalance, .removeFailedStores, .waitForStoresUp: true
        default: false
        }
    }
}

/// One action with its parameters, encoded flat: `{kind: transferLeader, regionID: 24, toStoreID: 1}`.
public struct Action: Codable, Sendable, Equatable, Hashable {
    public var kind: ActionKind
    public var regionID: UInt64?
    public var storeID: UInt64?
    public var fromStoreID: UInt64?
    public var toStoreID: UInt64?
    public var scheduler: String?
    /// `setStoreWeight`: the weights PD must report for the store afterwards.
    public var leaderWeight: Double?
    public var regionWeight: Double?
    /// `waitForBalance`: what must be balanced, and within how many percent of each store's weighted share.
    public var balance: BalanceKind?
    public var maxSkewPercent: Double?
    /// `removeFailedStores`, `waitForStoresUp`: the stores, sorted.
    public var storeIDs: [UInt64]?
    /// `splitRegion`: the region's key range when the step was planned, as PD prints it (upper-case hex; "" is the
    /// open end).
    public var startKey: String?
    public var endKey: String?

    public init(kind: ActionKind, regionID: UInt64? = nil, storeID: UInt64? = nil, fromStoreID: UInt64? = nil,
                toStoreID: UInt64? = nil, scheduler: String? = nil, leaderWeight: Double? = nil, regionWeight: Double? = nil,
                balance: BalanceKind? = nil, maxSkewPercent: Double? = nil, storeIDs: [UInt64]? = nil,
                startKey: String? = nil, endKey: String? = nil) {
        self.kind = kind
        self.regionID = regionID
        self.storeID = storeID
        self.fromStoreID = fromStoreID
        self.toStoreID = toStoreID
        self.scheduler = scheduler
        self.leaderWeight = leaderWeight
        self.regionWeight = regionWeight
        self.balance = balance
        self.maxSkewPercent = maxSkewPercent
        self.storeIDs = storeIDs
        self.startKey = startKey
        self.endKey = endKey
    }

    public static func transferLeader(region: UInt64, from: UInt64?, to: UInt64) -> Action {
        Action(kind: .transferLeader, regionID: region, fromStoreID: from, toStoreID: to)
    }
    public static func transferPeer(region: UInt64, from: UInt64, to: UInt64) -> Action {
        Action(kind: .transferPeer, regionID: region, fromStoreID: from, toStoreID: to)
    }
    public static func store(_ kind: ActionKind, _ store: UInt64) -> Action { Action(kind: kind, storeID: store) }
    public static func setStoreWeight(_ store: UInt64, leader: Double, region: Double) -> Action {
        Action(kind: .setStoreWeight, storeID: store, leaderWeight: leader, regionWeight: region)
    }
    public static func waitForBalance(_ kind: BalanceKind, maxSkewPercent: Double) -> Action {
        Action(kind: .waitForBalance, balance: kind, maxSkewPercent: maxSkewPercent)
    }
    public static func stores(_ kind: ActionKind, _ stores: [UInt64]) -> Action {
        Action(kind: kind, storeIDs: Array(Set(stores)).sorted())
    }
    public static func splitRegion(_ region: UInt64, keys: RegionKeyRange) -> Action {
        Action(kind: .splitRegion, regionID: region, startKey: keys.start, endKey: keys.end)
    }

    /// `splitRegion`: the range the region had when the step was planned.
    public var keyRange: RegionKeyRange? {
        guard let startKey, let endKey else { return nil }
        return RegionKeyRange(start: startKey, end: endKey)
    }

    /// The parameters each kind requires; a suggested action missing one is invalid.
    public var missingParameters: [String] {
        var missing: [String] = []
        switch kind {
        case .transferLeader:
            if regionID == nil { missing.append("regionID") }
            if toStoreID == nil { missing.append("toStoreID") }
        case .transferPeer:
            if regionID == nil { missing.append("regionID") }
            if fromStoreID == nil { missing.append("fromStoreID") }
            if toStoreID == nil { missing.append("toStoreID") }
        case .addEvictLeaderScheduler, .removeEvictLeaderScheduler, .waitForLeadersDrained, .offlineStore, .cancelOfflineStore,
             .waitForStoreRemoved:
            if storeID == nil { missing.append("storeID") }
        case .removeScheduler:
            if scheduler == nil { missing.append("scheduler") }
        case .setStoreWeight:
            if storeID == nil { missing.append("storeID") }
            if leaderWeight == nil { missing.append("leaderWeight") }
            if regionWeight == nil { missing.append("regionWeight") }
        case .waitForBalance:
            if balance == nil { missing.append("balance") }
            if maxSkewPercent == nil { missing.append("maxSkewPercent") }
        case .removeFailedStores, .waitForStoresUp:
            if storeIDs?.isEmpty ?? true { missing.append("storeIDs") }
        case .splitRegion:
            if regionID == nil { missing.append("regionID") }
            if startKey == nil { missing.append("startKey") }
            if endKey == nil { missing.append("endKey") }
        }
        return missing
    }

    /// A one-line description for people: `transfer leader of region 24 from store 5 to store 1`.
    public var summary: String {
        let s = storeID.map(String.init) ?? "?"
        switch kind {
        case .transferLeader:
            let from = fromStoreID.map { " from store \($0)" } ?? ""
            return "transfer leader of region \(regionID.map(String.init) ?? "?")\(from) to store \(toStoreID.map(String.init) ?? "?")"
        case .transferPeer:
            return "move peer of region \(regionID.map(String.init) ?? "?") from store \(fromStoreID.map(String.init) ?? "?") to store \(toStoreID.map(String.init) ?? "?")"
        case .addEvictLeaderScheduler: return "evict leaders from store \(s) (add evict-leader-scheduler)"
        case .removeEvictLeaderScheduler: return "stop evicting leaders from store \(s) (remove evict-leader-scheduler-\(s))"
        case .waitForLeadersDrained: return "wait until store \(s) holds 0 leaders"
        case .offlineStore: return "take store \(s) offline (PD moves its regions away)"
        case .cancelOfflineStore: return "cancel taking store \(s) offline (set it Up)"
        case .waitForStoreRemoved: return "wait until store \(s) is empty and Tombstone"
        case .removeScheduler: return "remove scheduler \(scheduler ?? "?")"
        case .setStoreWeight:
            return "set store \(s)'s weights to leader \(leaderWeight.map(Self.weightText) ?? "?"), region \(regionWeight.map(Self.weightText) ?? "?")"
        case .waitForBalance:
            return "wait until PD brings every store's \(balance?.noun ?? "?") within \(maxSkewPercent.map(Self.weightText) ?? "?")% of its weighted share"
        case .removeFailedStores:
            return "remove failed stores \(storeListText) by PD's online unsafe recovery (data only they held is lost)"
        case .waitForStoresUp:
            return "wait until stores \(storeListText) are alive again"
        case .splitRegion:
            return "split region \(regionID.map(String.init) ?? "?") at its approximate middle"
        }
    }

    private var storeListText: String { storeIDs.map { $0.map(String.init).joined(separator: ", ") } ?? "?" }

    /// A weight as PD's JSON and pd-ctl show it: `2`, `0.5`.
    public static func weightText(_ w: Double) -> String {
        w == w.rounded() && abs(w) < 1e15 ? String(Int(w)) : "\(w)"
    }
}
