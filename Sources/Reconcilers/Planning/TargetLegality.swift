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
///
/// PD's placement rules (when enabled) decide per region: a leader may only go to a store some leader or voter
/// rule of the region admits (builder.go:930-940), and the controller moves a peer only to a store some rule of a
/// role the peer can fill admits (anything else is an orphan PD's rule checker removes again). A store no rule
/// lets lead (or hold) anything is refused as a store. A target at its store limit is not refused but waits
/// (`limitWait`): PD's v1 token bucket refills within seconds.
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
        /// No placement rule lets the store lead (or hold) anything; `rules` names the rules considered.
        case placementRule(role: Role, rules: String)

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
            case .placementRule(.leader, let rules): "no leader or voter placement rule admits its labels (\(rules))"
            case .placementRule(.peer, let rules): "no placement rule admits its labels (\(rules))"
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
            case .placementRule: "PlacementRule"
            }
        }
    }

    /// TiKV's store heartbeat interval (`pd-store-heartbeat-tick-interval`, 10 s).
    public static let heartbeatInterval: TimeInterval = 10
    /// `slowStoreThreshold` in PD's `core/store.go`.
    public static let slowScoreLine = PDSlowScore.slow

    public let snapshot: ClusterSnapshot
    /// The time heartbeat ages are measured at: the observation's end.
    public let now: Date
    public let maintained: Set<UInt64>
    public let unsettled: Set<UInt64>

    /// Per placement-rule piece and store, what the piece's rules admit there (`Admits`); empty when no rule is in force.
    let admitted: [[UInt64: Admits]]
    /// With one piece, what its rules admit on every store: the planners' fast path over a million regions.
    let admittedEverywhere: Admits

    /// What a piece's rules let a store hold.
    struct Admits: OptionSet, Hashable {
        let rawValue: UInt8
        static let leader = Admits(rawValue: 1)
        static let voter = Admits(rawValue: 2)
        static let learner = Admits(rawValue: 4)
    }

    public init(snapshot: ClusterSnapshot, now: Date? = nil, maintained: Set<UInt64> = [], unsettled: Set<UInt64> = []) {
        self.snapshot = snapshot
        self.now = now ?? snapshot.completedAt
        self.maintained = maintained
        self.unsettled = unsettled
        // Pieces × stores is small (a few pieces, tens of stores): computed once, so a million regions cost a lookup each.
        admitted = snapshot.placement.inForce ? snapshot.placement.segments.map { segment in
            var byStore: [UInt64: Admits] = [:]
            for s in snapshot.stores {
                var a: Admits = []
                for r in segment.apply where r.matches(s.labels) {
                    if r.mayLead { a.insert(.leader) }
                    if r.admits(learner: false) { a.insert(.voter) }
                    if r.admits(learner: true) { a.insert(.learner) }
                }
                byStore[s.id] = a
            }
            return byStore
        } : []
        admittedEverywhere = admitted.count == 1 ? admitted[0].values.reduce(Admits([.leader, .voter, .learner])) { $0.intersection($1) } : []
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
            if !admitted.isEmpty, !admitted.contains(where: { $0[id, default: []].contains(.leader) }) {
                return .placementRule(role: .leader, rules: ruleNames { $0.mayLead })
            }
        case .peer:
            if isLowSpace(s) { return .lowSpace(availablePercent: Int(s.availablePercent ?? 0)) }
            if !admitted.isEmpty, !admitted.contains(where: { !$0[id, default: []].isEmpty }) {
                return .placementRule(role: .peer, rules: ruleNames { _ in true })
            }
        }
        return nil
    }

    /// The rules in force that `include` keeps, by name and what they ask, for refusals.
    func ruleNames(_ include: (PlacementRuleTable.Rule) -> Bool) -> String {
        var seen = Set<String>()
        let rules = snapshot.placement.segments.flatMap(\.apply).filter { include($0) && seen.insert($0.name).inserted }
        guard !rules.isEmpty else { return "none applies" }
        return rules.prefix(4).map(\.summary).joined(separator: "; ") + (rules.count > 4 ? "; …" : "")
    }

    /// Why PD's placement rules keep this region's leader (`leader`) or a peer (`learner` says which role) off a store.
    public struct PlacementRefusal: Sendable, Hashable, CustomStringConvertible {
        public var text: String
        /// The rules decided (the step is dropped); otherwise something needed was not observed (it waits).
        public var isDecided: Bool
        public var description: String { text }
    }

    /// nil when the rules allow it or no rule is in force. Rules that were not read, or ranged rules with no keys for
    /// the region, refuse too (undecided): unknown is never legal.
    public func placementRefusal(region: RegionPlacement, store: UInt64, as role: Role, learner: Bool = false) -> PlacementRefusal? {
        let table = snapshot.placement
        guard table.enabled else { return nil }
        guard table.rules != nil else { return PlacementRefusal(text: "PD's placement rules are enabled but were not read", isDecided: false) }
        let piece: Int
        switch table.lookup(region.keys) {
        case .segment(let i): piece = i
        case .spansBoundary:
            return PlacementRefusal(text: "region \(region.id) spans a placement-rule range boundary: PD builds no operator for it until it is split there",
                                    isDecided: true)
        case .keysUnknown:
            return PlacementRefusal(text: "region \(region.id)'s keys were not observed, and ranged placement rules need them", isDecided: false)
        }
        let admits = piece < admitted.count ? admitted[piece][store, default: []] : []
        let rules = table.segments[piece].apply
        let wanted: Admits = role == .leader ? .leader : learner ? .learner : .voter
        guard !admits.contains(wanted) else { return nil }
        let kind = role == .leader ? "leader or voter" : learner ? "learner" : "voter"
        let named = rules.filter { role == .leader ? $0.mayLead : $0.admits(learner: learner) }.map(\.summary).joined(separator: "; ")
        return PlacementRefusal(text: "no \(kind) rule of region \(region.id) admits store \(store)'s labels (\(named.isEmpty ? "it has none" : named))",
                                isDecided: true)
    }

    /// Fast form for planners: the placement rules let `store` take this region's leader (or a peer of the role).
    public func placementAllows(region: RegionPlacement, store: UInt64, as role: Role, learner: Bool = false) -> Bool {
        guard snapshot.placement.enabled else { return true }
        let wanted: Admits = role == .leader ? .leader : learner ? .learner : .voter
        if admittedEverywhere.contains(wanted) { return true }
        guard snapshot.placement.rules != nil, case .segment(let i) = snapshot.placement.lookup(region.keys), i < admitted.count else { return false }
        return admitted[i][store, default: []].contains(wanted)
    }

    public func isLegal(_ id: UInt64, as role: Role) -> Bool { refusal(store: id, as: role) == nil }

    /// PD's `IsLowSpace`: available below (1 − low-space-ratio) of capacity.
    public func isLowSpace(_ s: StoreSnapshot) -> Bool {
        guard s.capacityBytes > 0 else { return false }
        return Double(s.availableBytes) < (1 - snapshot.settings.lowSpaceRatio) * Double(s.capacityBytes)
    }

    /// Why a move's target is not legal for its region: the store rule, then PD's placement rules for the region. A
    /// step with such a target is dropped, not retried (`rule` names what removed it). nil when legal, and when the
    /// region was not observed (that is for `moveRefusal` to say).
    public func targetRefusal(_ action: Action, region: RegionPlacement?) -> (rule: String, text: String)? {
        guard let to = action.toStoreID else { return nil }
        let role: Role = action.kind == .transferLeader ? .leader : .peer
        if let r = refusal(store: to, as: role) {
            return (r.rule, r.description)
        }
        guard let region, snapshot.placement.inForce else { return nil }
        let learner = action.fromStoreID.map { region.learnerStoreIDs.contains($0) } ?? false
        // Only what the rules decided drops the step; rules or keys not read are unknown, which waits.
        guard let p = placementRefusal(region: region, store: to, as: role, learner: learner), p.isDecided else { return nil }
        return ("PlacementRule", p.text)
    }

    /// Why a region-level move cannot go where it is aimed, from the region as freshly observed: the store rule for
    /// the target, what PD's builder refuses on the region itself (a transfer to the store that already leads builds
    /// no step; the target must hold a healthy voter; a peer target must hold none), then the placement rules.
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
        let learner = action.fromStoreID.map { region.learnerStoreIDs.contains($0) } ?? false
        return placementRefusal(region: region, store: to, as: role, learner: learner).map { $0.isDecided ? "PlacementRule: \($0)" : $0.text }
    }

    /// A peer target at PD's add-peer store limit right now (`StoreLimitEstimate`): the step waits for tokens
    /// rather than being dropped. `sizeMiB` sets the step's cost as PD counts it; nil for a store-wide reading at
    /// a normal region's cost, as PD's own filter asks (filters.go `exceedAddLimit`).
    public func limitWait(store id: UInt64, regionSizeMiB: Int64? = nil) -> StoreLimitEstimate.Wait? {
        StoreLimitEstimate(snapshot: snapshot).wait(store: id, regionSizeMiB: regionSizeMiB, at: now)
    }

    /// Every store's standing as a leader and a peer target, for the cluster's status.
    /// A peer target at its store limit is legal but waits; its standing says so.
    public var standings: [StoreTargets] {
        snapshot.stores.filter { !$0.isTombstone }.map(\.id).sorted().map { id in
            StoreTargets(storeID: id, leader: refusal(store: id, as: .leader)?.statusText,
                         peer: refusal(store: id, as: .peer)?.statusText ?? limitWait(store: id)?.statusText)
        }
    }

    /// One line per store that is not a legal target for `role`, for plan reasons and `describe`.
    public func exclusions(as role: Role, among ids: [UInt64]? = nil) -> [(store: UInt64, refusal: Refusal)] {
        (ids ?? snapshot.stores.map(\.id)).sorted().compactMap { id in refusal(store: id, as: role).map { (id, $0) } }
    }
}
