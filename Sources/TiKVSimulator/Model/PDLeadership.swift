/// The PD members' leadership: who serves, the election in progress, and whether the new leader's coordinator
/// is prepared. PD keeps its leader in an etcd key with a lease; followers watch it and proxy to the holder.
public struct PDLeadership: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// `ClusterState.leaderName` serves.
        case serving
        /// The leader died, but its key lives until its lease expires: followers still proxy to it and fail.
        case staleLease(deadLeader: String, untilNanos: Int64)
        /// No leader key: an election is running; followers answer `ErrRedirectNoLeader`.
        case electing(untilNanos: Int64)
    }

    public internal(set) var phase: Phase = .serving
    /// How long an election takes once the leader key is gone ("a few seconds"; a fault may set it).
    public internal(set) var electionNanos: Int64 = 3 * ClusterState.second
    /// The last leader, so an election prefers someone else (a resigning leader does not win again at once).
    public internal(set) var previousLeader = ""
    /// When the current leader took office; nil while the first leader serves.
    public internal(set) var leaderSinceNanos: Int64?
    /// Leader changes since the cluster was built.
    public internal(set) var changes = 0
    /// The coordinator's prepare checker (v8.5.7:pkg/schedule/prepare_checker.go:39-74): schedulers and checkers
    /// wait until the new leader heard enough region heartbeats.
    public internal(set) var prepared = true

    /// `leader-lease` default, 5 s (v8.5.7:server/config/config.go:178).
    static let leaseNanos: Int64 = 5 * ClusterState.second
    /// `collectTimeout` (v8.5.7:pkg/schedule/coordinator.go:47): prepared anyway after 5 minutes.
    static let collectTimeoutNanos: Int64 = 300 * ClusterState.second
    /// `core.CollectFactor` (v8.5.7:pkg/core/region.go:54).
    static let collectFactor = 0.9

    public init() {}
}

/// How one PD member answers a request that it would redirect to the leader (everything but the local-only
/// paths, v8.5.7:pkg/utils/apiutil/serverapi/middleware.go:192-214).
public enum PDMemberRole: Sendable, Equatable {
    /// The process is down: its listener refuses connections.
    case down
    /// The serving leader: answers itself.
    case leader
    /// A follower that knows the serving leader: proxies to it (the answer is the leader's).
    case follower
    /// No leader known (election): 503 `ErrRedirectNoLeader` (middleware.go:250-255).
    case noLeader
    /// Believes a dead leader still leads (its lease has not expired): the proxy cannot connect, 500 `ErrRedirect`
    /// (v8.5.7:pkg/utils/apiutil/apiutil.go:470-523).
    case redirectFails
}
