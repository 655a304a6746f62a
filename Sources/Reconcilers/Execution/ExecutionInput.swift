import Foundation
import PDWire

/// What the executor reads in one pass over one cluster.
public struct ExecutionInput: Sendable {
    public var cluster: TiKVCluster
    public var snapshot: ClusterSnapshot
    /// Every plan of the cluster after this pass's planning.
    public var plans: [RemediationPlan]
    public var votes: [ApprovalVote]
    public var killSwitch: Bool
    /// Fresh placements of the regions named by the steps in progress (see `regionsToObserve`).
    public var regions: [UInt64: RegionPlacement]
    /// PD's latest operator on each of those regions (`GET /operators/{region}`); absent when PD has none.
    public var regionOperators: [UInt64: RegionOperatorObservation]
    /// The regions of each store a step about to start would take offline (see `storesToObserve`), read
    /// for this pass: the quorum gate judges them right before the call.
    public var storeRegions: [UInt64: [RegionPlacement]]
    public var actionsLastHour: Int
    public var now: Date
    public var maxSnapshotAge: TimeInterval

    public init(cluster: TiKVCluster, snapshot: ClusterSnapshot, plans: [RemediationPlan], votes: [ApprovalVote], killSwitch: Bool,
                regions: [UInt64: RegionPlacement] = [:], regionOperators: [UInt64: RegionOperatorObservation] = [:],
                storeRegions: [UInt64: [RegionPlacement]] = [:], actionsLastHour: Int = 0, now: Date, maxSnapshotAge: TimeInterval = 60) {
        self.cluster = cluster
        self.snapshot = snapshot
        self.plans = plans
        self.votes = votes
        self.killSwitch = killSwitch
        self.regions = regions
        self.regionOperators = regionOperators
        self.storeRegions = storeRegions
        self.actionsLastHour = actionsLastHour
        self.now = now
        self.maxSnapshotAge = maxSnapshotAge
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
