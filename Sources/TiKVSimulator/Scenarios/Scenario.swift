import Foundation
import PDWire
import Yams

/// A simulation scenario as a YAML data file (`Scenarios/*.yaml`): an initial cluster, timed events, and the
/// condition that counts as success. See `Scenarios/README.md` for the format.
///
/// Besides `expect.all` (checked once every event has happened), `expect.milestones` lists `{by: <duration>,
/// all: [conditions]}`: each must hold at some check no later than `by` from the start, so a scenario can state
/// what happens on the way (a store evicted before it recovers). Conditions for PD's protective schedulers:
/// `slow-score: {store, at-least, at-most}` (the score PD last heard), `evicted-slow-stores: [ids]`
/// (evict-slow-store's `evict-stores`, and the stores marked slow-evicted), `store-leaders-at-least: {store, min}`.
public struct Scenario: Sendable, Decodable {
    public var name: String
    public var description: String = ""
    /// Where the case comes from (e.g. PD's `tools/pd-simulator/cases/balance_leader.go`).
    public var source: String?
    /// Set when the simulator cannot run the case; says why.
    public var unsupported: String?
    public var cluster: ClusterSpec
    /// Schedulers PD runs; nil keeps PD's defaults.
    public var schedulers: [String]?
    /// `POST /config` items applied before the start, e.g. `schedule.max-store-down-time: 5m`.
    public var config: [String: ConfigValue]?
    public var events: [Event] = []
    public var expect: Expectation?

    enum CodingKeys: String, CodingKey { case name, description, source, unsupported, cluster, schedulers, config, events, expect }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        source = try c.decodeIfPresent(String.self, forKey: .source)
        unsupported = try c.decodeIfPresent(String.self, forKey: .unsupported)
        cluster = try c.decode(ClusterSpec.self, forKey: .cluster)
        schedulers = try c.decodeIfPresent([String].self, forKey: .schedulers)
        config = try c.decodeIfPresent([String: ConfigValue].self, forKey: .config)
        events = try c.decodeIfPresent([Event].self, forKey: .events) ?? []
        expect = try c.decodeIfPresent(Expectation.self, forKey: .expect)
    }

    public struct ClusterSpec: Sendable, Decodable {
        public var stores: Int
        /// Extra empty stores that join at the start (PD's add-nodes).
        public var emptyStores: Int?
        /// Labels per store, by position; cycled when shorter than the store list.
        public var labels: [[String: String]]?
        public var capacity: ByteSize?
        public var regions: Int
        public var replicas: Int?
        /// MiB per region; nil keeps the generator's random 1–96 MiB.
        public var regionSize: UInt32?
        public var regionKeys: UInt64?
        public var layout: Layout?
        public var seed: UInt64?
        /// TiKV's split thresholds (MiB, keys); absent or 0 never splits.
        public var splitSize: UInt32?
        public var splitKeys: UInt64?
        /// Runs PD's merge checker (off unless set, so other scenarios never merge).
        public var merge: Bool?
        /// First table id of the generated keys (default 100); PD's import-data writes into a table past them.
        public var firstTable: UInt32?

        enum CodingKeys: String, CodingKey {
            case stores, labels, capacity, regions, replicas, layout, seed, merge
            case emptyStores = "empty-stores", regionSize = "region-size", regionKeys = "region-keys"
            case splitSize = "split-size", splitKeys = "split-keys", firstTable = "first-table"
        }
    }

    /// How peers are placed (PD's cases place them by formula).
    public enum Layout: String, Sendable, Decodable {
        /// Seeded random placement and leaders.
        case random
        /// Peer j of region i on store ((i+j) mod N)+1, leader peer 0 (most PD cases).
        case roundRobin = "round-robin"
        /// PD's balance-leader case: peer 0 (the leader) on store N, peer j on ((i+j) mod (N−1))+1.
        case leadersOnLast = "leaders-on-last"
    }

    /// A config value as YAML gives it: a number, a string or a flag.
    public enum ConfigValue: Sendable, Decodable {
        case number(Double), text(String), flag(Bool)
        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .flag(b) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else { self = .text(try c.decode(String.self)) }
        }
        var json: JSONValue {
            switch self {
            case .number(let d): d == d.rounded() ? .int(Int64(d)) : .double(d)
            case .text(let s): .string(s)
            case .flag(let b): .bool(b)
            }
        }
    }

    /// One timed event. Exactly one action is set.
    public struct Event: Sendable, Decodable {
        public var at: GoDuration
        /// A fault as `POST /sim/v1/faults` takes it.
        public var fault: FaultSpec?
        /// Reverts the fault injected by the event at this 0-based position in `events`.
        public var revert: Int?
        /// `DELETE /store/{id}`: take the store offline.
        public var removeStore: UInt64?
        /// Hot flow on `count` regions led by `store`.
        public var hotRegions: HotSpec?
        /// PD's `write-flow-on-spot`: writes aimed at one key.
        public var writeFlowOnSpot: SpotSpec?
        /// `POST /store/{id}/limit` (with `store`) or `POST /stores/limit`.
        public var storeLimit: LimitSpec?

        enum CodingKeys: String, CodingKey {
            case at, fault, revert
            case removeStore = "remove-store", hotRegions = "hot-regions", writeFlowOnSpot = "write-flow-on-spot"
            case storeLimit = "store-limit"
        }
    }

    /// A store-limit change: `rate` operators per minute, `type` add-peer or remove-peer (absent: both).
    public struct LimitSpec: Sendable, Decodable {
        public var rate: Double
        public var type: String?
        public var store: UInt64?
    }

    /// Writes of `mib` MiB per simulated second (one tick) into the region holding key `t{table}_r{handle}`
    /// (handle 0: the table prefix `t{table}`), for `for` (absent: until the end).
    public struct SpotSpec: Sendable, Decodable {
        public var table: UInt32
        public var handle: UInt32?
        public var mib: UInt64
        public var duration: GoDuration?

        enum CodingKeys: String, CodingKey { case table, handle, mib, duration = "for" }
    }

    public struct FaultSpec: Sendable, Decodable {
        public var kind: String
        public var store: UInt64?
        public var region: UInt64?
        public var factor: Double?
        public var percent: Double?
        public var flow: String?
        public var period: Int64?
        /// pd-member-down: the member's name.
        public var member: String?
        /// clock-skew: PD's offset; pd-leader-change: the election's length.
        public var seconds: Double?
    }

    public struct HotSpec: Sendable, Decodable {
        public var flow: String
        public var store: UInt64
        public var count: Int
        public var factor: Double?
    }

    /// Success: every condition holds at some check within `within` of simulated time, after every event; and
    /// each milestone's conditions all held together at some check no later than its `by` (from the start, events
    /// or not) — how a scenario states what must happen on the way (e.g. a store evicted before it recovers).
    public struct Expectation: Sendable, Decodable {
        public var within: GoDuration
        public var all: [Condition]
        /// The conditions must not all hold before this time (e.g. a drain the store limits make slow).
        public var notBefore: GoDuration?
        public var milestones: [Milestone]?

        enum CodingKeys: String, CodingKey { case within, all, notBefore = "not-before", milestones }
    }

    public struct Milestone: Sendable, Decodable {
        public var by: GoDuration
        public var all: [Condition]
    }

    /// One success condition; exactly one field is set.
    public struct Condition: Sendable, Decodable {
        /// Every live store's leader count within ±x of the mean (PD's `isUniform` for x = 0.05).
        public var leadersBalanced: Double?
        /// Every live store's region (peer) count within ±x of the mean.
        public var regionsBalanced: Double?
        public var storeState: StoreStateCheck?
        /// These region checks (`miss-peer`, `down-peer`, …) list no region.
        public var noRegions: [String]?
        /// max − min hot-region leaders over live stores.
        public var hotLeaderSpread: SpreadCheck?
        /// max − min hot-region peers over live stores.
        public var hotPeerSpread: SpreadCheck?
        /// A store leads at most this many regions.
        public var storeLeaders: StoreCountCheck?
        /// A store's region count relative to the mean of the others, at most.
        public var storeRegionsBelowMean: StoreRatioCheck?
        /// No operator in flight, and none finished within this long (PD does not churn).
        public var quietFor: GoDuration?
        /// Every live store holds at least this many region peers (PD's region-split checker).
        public var storeRegionsAtLeast: Int?
        /// The peers over live stores total about `count` (PD's `isUniform(total, count)` with tolerance `within`).
        public var totalPeers: TotalCheck?
        /// PD's import-data measure: Σ over live stores of (store's % of all peers − 100/N)² / 100, at most this.
        public var peerShareDeviation: Double?
        /// PD's leader changed at least this many times, and a leader serves now.
        public var pdLeaderChanges: Int?
        /// PD's clock runs this many seconds off the cluster's, and store heartbeat times on the wire carry it.
        public var pdClockSkew: Double?
        /// PD's view places at most `max` region peers on the store.
        public var storePeers: StoreCountCheck?
        /// At least `min` operators of producer `desc` ended with `status` (SUCCESS, CANCEL, TIMEOUT, REPLACE) since
        /// the start, as PD's `pd_schedule_operators_count` counts them.
        public var operatorsEnded: EndedCheck?
        /// The slow score PD last heard from a store, within bounds.
        public var slowScore: SlowScoreCheck?
        /// evict-slow-store's `evict-stores` is exactly this list (`[]`: no store held), and exactly these stores
        /// carry the slow-evicted mark.
        public var evictedSlowStores: [UInt64]?
        /// A store leads at least this many regions.
        public var storeLeadersAtLeast: StoreCountMinCheck?
        /// PD's view holds between `min` and `max` regions with two voters sharing a value of `label`.
        public var regionsSharingLabel: LabelShareCheck?
        /// Exactly these PD members are unhealthy in `/health` (`[]`: every member healthy).
        public var pdUnhealthyMembers: [String]?

        enum CodingKeys: String, CodingKey {
            case leadersBalanced = "leaders-balanced", regionsBalanced = "regions-balanced", storeState = "store-state"
            case noRegions = "no-regions", hotLeaderSpread = "hot-leader-spread", hotPeerSpread = "hot-peer-spread"
            case storeLeaders = "store-leaders", storeRegionsBelowMean = "store-regions-below-mean", quietFor = "quiet-for"
            case storeRegionsAtLeast = "store-regions-at-least", totalPeers = "total-peers", peerShareDeviation = "peer-share-deviation"
            case pdLeaderChanges = "pd-leader-changes", pdClockSkew = "pd-clock-skew"
            case storePeers = "store-peers", operatorsEnded = "operators-ended"
            case slowScore = "slow-score", evictedSlowStores = "evicted-slow-stores", storeLeadersAtLeast = "store-leaders-at-least"
            case regionsSharingLabel = "regions-sharing-label", pdUnhealthyMembers = "pd-unhealthy-members"
        }
    }

    public struct StoreStateCheck: Sendable, Decodable {
        public var store: UInt64
        public var state: String
    }
    public struct SpreadCheck: Sendable, Decodable {
        public var flow: String
        public var max: Int
    }
    public struct StoreCountCheck: Sendable, Decodable {
        public var store: UInt64
        public var max: Int
    }
    public struct EndedCheck: Sendable, Decodable {
        public var desc: String
        public var status: String
        public var min: Int
    }
    public struct SlowScoreCheck: Sendable, Decodable {
        public var store: UInt64
        public var atLeast: UInt64?
        public var atMost: UInt64?
        enum CodingKeys: String, CodingKey { case store, atLeast = "at-least", atMost = "at-most" }
    }
    public struct StoreCountMinCheck: Sendable, Decodable {
        public var store: UInt64
        public var min: Int
    }
    public struct LabelShareCheck: Sendable, Decodable {
        public var label: String
        public var min: Int?
        public var max: Int?
    }
    public struct TotalCheck: Sendable, Decodable {
        public var count: Int
        public var within: Double
    }
    public struct StoreRatioCheck: Sendable, Decodable {
        public var store: UInt64
        public var ratio: Double
    }

    public enum LoadError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String { if case .invalid(let s) = self { return s }; return "" }
    }

    public static func parse(yaml: String) throws -> Scenario {
        let s: Scenario
        do { s = try YAMLDecoder().decode(Scenario.self, from: yaml) } catch { throw LoadError.invalid("scenario YAML: \(error)") }
        try s.validate()
        return s
    }

    func validate() throws {
        guard cluster.stores >= 1, cluster.regions >= 1 else { throw LoadError.invalid("\(name): needs stores and regions") }
        for (i, e) in events.enumerated() {
            let set = [e.fault != nil, e.revert != nil, e.removeStore != nil, e.hotRegions != nil, e.writeFlowOnSpot != nil,
                       e.storeLimit != nil].filter { $0 }.count
            guard set == 1 else { throw LoadError.invalid("\(name): event \(i) must have exactly one action") }
            if let r = e.revert, !(0..<i).contains(r) || events[r].fault == nil {
                throw LoadError.invalid("\(name): event \(i) reverts \(r), which is not an earlier fault")
            }
            if let f = e.fault, Fault.Kind(rawValue: f.kind) == nil { throw LoadError.invalid("\(name): unknown fault kind \(f.kind)") }
        }
        let conditions = (expect?.all ?? []) + (expect?.milestones ?? []).flatMap(\.all)
        for (i, c) in conditions.enumerated() {
            let set = [c.leadersBalanced != nil, c.regionsBalanced != nil, c.storeState != nil, c.noRegions != nil,
                       c.hotLeaderSpread != nil, c.hotPeerSpread != nil, c.storeLeaders != nil, c.storeRegionsBelowMean != nil, c.quietFor != nil,
                       c.storeRegionsAtLeast != nil, c.totalPeers != nil, c.peerShareDeviation != nil,
                       c.pdLeaderChanges != nil, c.pdClockSkew != nil, c.storePeers != nil, c.operatorsEnded != nil,
                       c.slowScore != nil, c.evictedSlowStores != nil, c.storeLeadersAtLeast != nil,
                       c.regionsSharingLabel != nil, c.pdUnhealthyMembers != nil]
            guard set.filter({ $0 }).count == 1 else { throw LoadError.invalid("\(name): condition \(i) must have exactly one check") }
        }
    }
}
