import Foundation
import PDWire

/// What the executor reads in one pass over one TiKV cluster.
public typealias ExecutionInput = SubjectExecutionInput<TiKVSubject>

/// What the executor reads in one pass over one subject.
public struct SubjectExecutionInput<S: Subject>: Sendable {
    public var snapshot: S.Snapshot
    /// Every plan of the subject after this pass's planning.
    public var plans: [SubjectPlan<S>]
    public var votes: [ApprovalVote]
    public var killSwitch: Bool
    /// What the subject read for this pass besides the snapshot.
    public var reads: S.PassReads
    public var actionsLastHour: Int
    public var now: Date
    public var maxSnapshotAge: TimeInterval

    public init(snapshot: S.Snapshot, plans: [SubjectPlan<S>], votes: [ApprovalVote], killSwitch: Bool, reads: S.PassReads,
                actionsLastHour: Int = 0, now: Date, maxSnapshotAge: TimeInterval = 60) {
        self.snapshot = snapshot
        self.plans = plans
        self.votes = votes
        self.killSwitch = killSwitch
        self.reads = reads
        self.actionsLastHour = actionsLastHour
        self.now = now
        self.maxSnapshotAge = maxSnapshotAge
    }

    /// The settings this pass obeys, from what it read.
    public var settings: ExecutionSettings { S.settings(of: reads) }
}

/// What the executor reads of a TiKV cluster besides its snapshot.
public struct TiKVPassReads: Sendable {
    public var cluster: TiKVCluster
    /// Fresh placements of the regions named by the steps in progress (see `regionsToObserve`).
    public var regions: [UInt64: RegionPlacement]
    /// PD's latest operator on each of those regions (`GET /operators/{region}`); absent when PD has none.
    public var regionOperators: [UInt64: RegionOperatorObservation]
    /// The regions of each store a step about to start would take offline (see `storesToObserve`), read
    /// for this pass: the quorum gate judges them right before the call.
    public var storeRegions: [UInt64: [RegionPlacement]]

    public init(cluster: TiKVCluster, regions: [UInt64: RegionPlacement] = [:], regionOperators: [UInt64: RegionOperatorObservation] = [:],
                storeRegions: [UInt64: [RegionPlacement]] = [:]) {
        self.cluster = cluster
        self.regions = regions
        self.regionOperators = regionOperators
        self.storeRegions = storeRegions
    }
}

extension SubjectExecutionInput where S == TiKVSubject {
    public init(cluster: TiKVCluster, snapshot: ClusterSnapshot, plans: [RemediationPlan], votes: [ApprovalVote], killSwitch: Bool,
                regions: [UInt64: RegionPlacement] = [:], regionOperators: [UInt64: RegionOperatorObservation] = [:],
                storeRegions: [UInt64: [RegionPlacement]] = [:], actionsLastHour: Int = 0, now: Date, maxSnapshotAge: TimeInterval = 60) {
        self.init(snapshot: snapshot, plans: plans, votes: votes, killSwitch: killSwitch,
                  reads: TiKVPassReads(cluster: cluster, regions: regions, regionOperators: regionOperators, storeRegions: storeRegions),
                  actionsLastHour: actionsLastHour, now: now, maxSnapshotAge: maxSnapshotAge)
    }

    public var cluster: TiKVCluster {
        get { reads.cluster }
        set { reads.cluster = newValue }
    }
    public var regions: [UInt64: RegionPlacement] {
        get { reads.regions }
        set { reads.regions = newValue }
    }
    public var regionOperators: [UInt64: RegionOperatorObservation] {
        get { reads.regionOperators }
        set { reads.regionOperators = newValue }
    }
    public var storeRegions: [UInt64: [RegionPlacement]] {
        get { reads.storeRegions }
        set { reads.storeRegions = newValue }
    }
}

/// PD's latest operator on a region, as `GET /operators/{region}` reports it. PD answers with whatever ran
/// last there, from any producer (its balancers and checkers, a rejected admin POST, an operator it cancelled
/// as stale), so the executor recognises its own by what it is, not by when it appeared.
public struct RegionOperatorObservation: Sendable, Equatable {
    /// On PD's clock.
    public var createdAt: Date?
    /// SUCCESS, TIMEOUT, CANCEL, REPLACE: the operator is over.
    public var ended: Bool
    public var status: String
    /// PD's `desc`, e.g. `admin-transfer-leader`, `balance-leader-scheduler`.
    public var description: String
    /// The operator's kind includes `admin`: it came from the HTTP API, as the controller's do.
    public var isAdmin: Bool
    public var steps: [OperatorStep]

    public init(createdAt: Date?, ended: Bool, status: String, description: String = "", isAdmin: Bool = false,
                steps: [OperatorStep] = []) {
        self.createdAt = createdAt
        self.ended = ended
        self.status = status
        self.description = description
        self.isAdmin = isAdmin
        self.steps = steps
    }
}
