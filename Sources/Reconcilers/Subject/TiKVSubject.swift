import Foundation

/// TiKV operated through PD: the first subject. Its actions are `Action`s, its requests PD calls (`PDCall`), its
/// observation a `ClusterSnapshot`; a step's effect and gates also read the region the step names and, for a step
/// taking a store offline, that store's regions, read for this very pass.
public enum TiKVSubject: Subject {
    public struct StepReads: Sendable {
        /// The region the step names, freshly observed; nil when it names none or it was not fetched.
        public var region: RegionPlacement?
        /// For a step that removes a store's peers (offline): the store's regions, read for this call.
        public var storeRegions: [RegionPlacement]?

        public init(region: RegionPlacement?, storeRegions: [RegionPlacement]? = nil) {
            self.region = region
            self.storeRegions = storeRegions
        }
    }

    public typealias PassReads = TiKVPassReads
    /// A region whose PD operator the kill switch cancels.
    public typealias Cancellation = UInt64

    public static let service = "PD"

    public static func summary(of action: Action) -> String { action.summary }

    public static func logFields(of action: Action) -> [String: String] {
        var fields: [String: String] = [:]
        if let r = action.regionID { fields["region"] = "\(r)" }
        if let s = action.storeID { fields["store"] = "\(s)" }
        if let ids = action.storeIDs { fields["store"] = ids.map(String.init).joined(separator: ",") }
        if let s = action.fromStoreID { fields["fromStore"] = "\(s)" }
        if let s = action.toStoreID { fields["toStore"] = "\(s)" }
        return fields
    }

    public static func risk(of action: Action) -> RiskTier { action.kind.risk }

    /// PD's online unsafe recovery gives up whatever the failed stores alone held: two people, whatever the policy.
    public static func minimumApprovals(of action: Action) -> Int { action.kind == .removeFailedStores ? 2 : 0 }

    public static func mutates(_ action: Action) -> Bool { action.kind.mutates }

    public static func isSlow(_ action: Action) -> Bool { action.kind.isSlow }

    public static func request(for action: Action) -> PDCall? { PDCall.forAction(action) }

    public static func unsendable(_ action: Action) -> String {
        "the step's action lacks \(action.missingParameters.joined(separator: ", ")): it can never be sent"
    }

    public static func settings(of reads: TiKVPassReads) -> ExecutionSettings {
        let spec = reads.cluster.spec
        return ExecutionSettings(mode: spec.mode, paused: spec.paused, maintenanceWindows: spec.maintenanceWindows, limits: spec.limits,
                                 approval: spec.approval, execution: spec.execution)
    }

    /// The region the action names, and for a step taking a store offline, that store's regions.
    public static func stepReads(for action: Action, in reads: TiKVPassReads) -> StepReads {
        StepReads(region: action.regionID.flatMap { reads.regions[$0] },
                  storeRegions: action.kind == .offlineStore ? action.storeID.flatMap { reads.storeRegions[$0] } : nil)
    }

    /// A running region move's PD operator.
    public static func cancellation(for action: Action) -> UInt64? {
        PlanExecution.isRegionLevel(action.kind) ? action.regionID : nil
    }

    public static func effect(of action: Action, on snapshot: ClusterSnapshot, reads: StepReads) -> StepEffect.Verdict {
        StepEffect.check(action, snapshot: snapshot, region: reads.region)
    }

    /// After the core's gates: PD must know the region's leader, the preconditions (quorum, targets, stores in
    /// maintenance) must hold, a peer target must have room under PD's store limit, and no PD operator may already
    /// run on the region.
    public static func gate(_ action: Action, snapshot: ClusterSnapshot, reads: StepReads, limits: Limits,
                            now: Date) -> (gate: Gate, why: String)? {
        // A region whose leader PD does not know is unobserved, not illegal: a new PD leader loads regions from storage
        // without their leaders (v8.5.7:server/cluster/cluster.go:795-827) until each region's next heartbeat (up to a
        // minute), and refuses every operator on them ("cannot build operator for region with no leader"). Sending
        // then would spend one of the step's attempts on a refusal PD's failover made certain (the crash loop under PD
        // failover failed plans this way); a precondition would fail the plan after a step timeout. Wait instead.
        if PlanExecution.isRegionLevel(action.kind), let r = reads.region, r.leaderStoreID == 0 {
            return (.snapshot, "PD does not know region \(r.id)'s leader yet (a new PD leader learns it from the region's next heartbeat)")
        }
        if let problem = Preconditions.check(action, snapshot: snapshot, region: reads.region, limits: limits,
                                             storeRegions: reads.storeRegions, now: now) {
            return (.preconditions, problem)
        }
        // PD would admit the admin move past an empty bucket (Urgent), but it takes the tokens PD's own replica repairs
        // on that store need: wait until PD's limit has room (`StoreLimitEstimate`).
        if let wait = storeLimitWait(action, snapshot: snapshot, region: reads.region, now: now) {
            return (.storeLimit, "target store \(wait.store) is \(wait)")
        }
        if let id = action.regionID, let op = snapshot.operators.first(where: { $0.regionID == id }) {
            return (.idempotency, "region \(id) already has a PD operator in flight (\(op.description)); waiting for it to finish")
        }
        return nil
    }

    /// A peer move's target at its add-peer store limit now, for the region's size.
    static func storeLimitWait(_ action: Action, snapshot: ClusterSnapshot, region: RegionPlacement?, now: Date) -> StoreLimitEstimate.Wait? {
        guard action.kind == .transferPeer, let to = action.toStoreID else { return nil }
        return TargetLegality(snapshot: snapshot, now: now).limitWait(store: to, regionSizeMiB: region?.approximateSizeMiB)
    }
}

extension ClusterSnapshot: SubjectSnapshot {}
