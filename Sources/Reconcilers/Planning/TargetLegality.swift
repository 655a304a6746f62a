import Foundation
import PDWire

/// Whether a store may receive a region's leader or a new peer right now. One rule for every planner
/// choosing targets and for the gates re-checking each step on the freshest snapshot just before its PD
/// call, so the controller never plans what PD would refuse nor fights what PD is doing.
///
/// It follows PD's store state filter for leader and region targets as far as `/stores`, the schedulers and
/// `/config` show it (v8.5.7:pkg/schedule/filter/filters.go:490-512; builder.go:900-940 for leaders): not
/// Tombstone, not removing (Offline), not Disconnected or Down, not paused for leaders by evict-leader or
/// PD's own evict-slow-store, not busy, no `reject-leader` label. It adds the controller's own caution: a
/// heartbeat older than twice the store heartbeat interval is going stale even before PD says Disconnected
/// (measured against the observation's time), a slow score at PD's slow-store line (80, `core.IsSlow`,
/// v8.5.7:pkg/core/store.go:41,276-279) takes no leaders and no data, a store under a maintenance takes
/// nothing, a store whose health is in question (an open slow or flapping ticket, recent flaps) takes no
/// leaders, and a store below PD's low-space line takes no peers.
public struct TargetLegality: Sendable {
    public enum Role: String, Sendable {
        case leader
        case peer
    }

    /// Why a store is not a legal target; its text is what `describe` shows.
    public enum Refusal: Sendable, Hashable, CustomStringConvertible {
        case notInCluster
        case notUp(stateName: String)
        case notAlive(StoreLiveness)
        case staleHeartbeat(seconds: Int)
        case evictLeader
        case evictSlowStore
        case slowScore(UInt64)
        case busy
        case rejectLeaderLabel(key: String, value: String)
        case lowSpace(availablePercent: Int)
        case maintenance
        case unsettled

        public var description: String {
            switch self {
            case .notInCluster: "not in the cluster"
            case .notUp(let state): "PD state \(state), not Up"
            case .notAlive(let l): "heartbeat says \(l.rawValue)"
            case .staleHeartbeat(let s): "last heartbeat \(s)s ago (more than twice the \(Int(TargetLegality.heartbeatInterval))s interval)"
            case .evictLeader: "held by evict-leader-scheduler"
            case .evictSlowStore: "PD's evict-slow-store-scheduler is evicting it"
            case .slowScore(let v): "slow score \(v) (PD's slow-store line is \(TargetLegality.slowScoreLine))"
            case .busy: "TiKV reports it busy"
            case .rejectLeaderLabel(let k, let v): "label \(k)=\(v) is a reject-leader label"
            case .lowSpace(let p): "\(p)% space available, below PD's low-space line"
            case .maintenance: "under a StoreMaintenance"
            case .unsettled: "its health is in question (an open slow or flapping ticket, or recent restarts)"
            }
        }

        /// `Rule: why` for status objects, without readings that change every pass (a heartbeat's exact age), so a
        /// steady cluster keeps an identical status.
        public var statusText: String {
            switch self {
            case .staleHeartbeat: "\(rule): last heartbeat more than twice the \(Int(TargetLegality.heartbeatInterval))s interval ago"
            default: "\(rule): \(self)"
            }
        }

        /// The rule's short name, for tables.
        public var rule: String {
            switch self {
            case .notInCluster: "NotInCluster"
            case .notUp: "NotUp"
            case .notAlive: "NotAlive"
            case .staleHeartbeat: "StaleHeartbeat"
            case .evictLeader: "EvictLeader"
            case .evictSlowStore: "EvictSlowStore"
            case .slowScore: "SlowScore"
            case .busy: "Busy"
            case .rejectLeaderLabel: "RejectLeader"
            case .lowSpace: "LowSpace"
            case .maintenance: "Maintenance"
            case .unsettled: "Unsettled"
            }
        }
    }

    /// TiKV's store heartbeat interval (`pd-store-heartbeat-tick-interval`, 10 s).
    public static let heartbeatInterval: TimeInterval = 10
    /// `slowStoreThreshold` in PD's `core/store.go`.
    public static let slowScoreLine: UInt64 = 80

    public let snapshot: ClusterSnapshot
    /// The time heartbeat ages are measured at: the observation's end.
    public let now: Date
    public let maintained: Set<UInt64>
    public let unsettled: Set<UInt64>

    public init(snapshot: ClusterSnapshot, now: Date? = nil, maintained: Set<UInt64> = [], unsettled: Set<UInt64> = []) {
        self.snapshot = snapshot
        self.now = now ?? snapshot.completedAt
        self.maintained = maintained
        self.unsettled = unsettled
    }

    /// The first rule that rules `store` out as a target for `role`, or nil when it is legal.
    public func refusal(store id: UInt64, as role: Role) -> Refusal? {
        guard let s = snapshot.store(id) else { return .notInCluster }
        if s.isTombstone || s.state != .up { return .notUp(stateName: s.stateName) }
        if s.liveness != .alive { return .notAlive(s.liveness) }
        if let age = s.heartbeatAge(at: now), age > 2 * Self.heartbeatInterval { return .staleHeartbeat(seconds: Int(age)) }
        if maintained.contains(id) { return .maintenance }
        if s.isBusy { return .busy }
        if snapshot.schedulers.evictSlowStores.contains(id) { return .evictSlowStore }
        if s.slowScore >= Self.slowScoreLine { return .slowScore(s.slowScore) }
        switch role {
        case .leader:
            if snapshot.schedulers.evictLeaderStores.contains(id) { return .evictLeader }
            if let l = snapshot.settings.rejectLeaderLabels.first(where: { s.labels[$0.key] == $0.value }) {
                return .rejectLeaderLabel(key: l.key, value: l.value)
            }
            if unsettled.contains(id) { return .unsettled }
        case .peer:
            if isLowSpace(s) { return .lowSpace(availablePercent: Int(s.availablePercent ?? 0)) }
        }
        return nil
    }

    public func isLegal(_ id: UInt64, as role: Role) -> Bool { refusal(store: id, as: role) == nil }

    /// PD's `IsLowSpace`: available below (1 − low-space-ratio) of capacity.
    public func isLowSpace(_ s: StoreSnapshot) -> Bool {
        guard s.capacityBytes > 0 else { return false }
        return Double(s.availableBytes) < (1 - snapshot.settings.lowSpaceRatio) * Double(s.capacityBytes)
    }

    /// Why a region-level move cannot go where it is aimed, from the region as freshly observed: the store
    /// rule for the target, then what PD's builder refuses on the region itself (a transfer to the store that
    /// already leads builds no step; the target must hold a healthy voter; a peer target must hold none).
    /// nil when the move is legal; a region not observed is not legal (the caller fails closed).
    public func moveRefusal(_ action: Action, region: RegionPlacement?) -> String? {
        guard let to = action.toStoreID else { return "the action names no target store" }
        let role: Role = action.kind == .transferLeader ? .leader : .peer
        if let r = refusal(store: to, as: role) { return "target store \(to) is not a legal \(role.rawValue) target: \(r)" }
        guard let region else { return "region \(action.regionID.map(String.init) ?? "?") was not observed" }
        if region.inJointState { return "region \(region.id) is in a joint state (a membership change is in progress)" }
        switch action.kind {
        case .transferLeader:
            if region.leaderStoreID == to { return "store \(to) already leads region \(region.id)" }
            if !region.voterStoreIDs.contains(to) { return "store \(to) holds no voter of region \(region.id)" }
            if region.unhealthyStoreIDs.contains(to) { return "region \(region.id)'s peer on store \(to) is down or pending" }
        case .transferPeer:
            if region.storeIDs.contains(to) { return "store \(to) already holds a peer of region \(region.id)" }
        default:
            break
        }
        return nil
    }

    /// Every store's standing as a leader and a peer target, for the cluster's status.
    public var standings: [StoreTargets] {
        snapshot.stores.filter { !$0.isTombstone }.map(\.id).sorted().map { id in
            StoreTargets(storeID: id, leader: refusal(store: id, as: .leader)?.statusText, peer: refusal(store: id, as: .peer)?.statusText)
        }
    }

    /// One line per store that is not a legal target for `role`, for plan reasons and `describe`.
    public func exclusions(as role: Role, among ids: [UInt64]? = nil) -> [(store: UInt64, refusal: Refusal)] {
        (ids ?? snapshot.stores.map(\.id)).sorted().compactMap { id in refusal(store: id, as: role).map { (id, $0) } }
    }
}
