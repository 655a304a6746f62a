/// Which way one resource (leaders or regions) is balanced in this pass, and the PD scheduler state that
/// chose it. PD's balance-leader / balance-region schedulers run in every real cluster and undo any move
/// their scores disagree with, so while one runs the desired balance is PD configuration (store weights,
/// which its scores divide by), not moves the two would fight over.
public struct BalanceStrategyChoice: Sendable, Equatable {
    /// PD's balancer for the resource, as `GET /schedulers` and `?status=paused` show it.
    public enum SchedulerState: String, Sendable, Equatable {
        case running
        case paused
        /// Not in PD's scheduler list: removed (or never added).
        case absent
    }

    public enum Way: String, Sendable, Equatable {
        /// Store weights through `POST /store/{id}/weight`; PD's balancer moves.
        case weights
        /// Explicit transfer-leader / transfer-peer plans (`BalancePlanner`).
        case moves
    }

    public var kind: BalanceKind
    public var way: Way
    public var scheduler: SchedulerState

    /// PD's name of the balancer for `kind`.
    public static func schedulerName(_ kind: BalanceKind) -> String {
        kind == .leaders ? "balance-leader-scheduler" : "balance-region-scheduler"
    }

    public static func schedulerState(_ kind: BalanceKind, _ schedulers: SchedulerSnapshot) -> SchedulerState {
        let name = schedulerName(kind)
        guard schedulers.names.contains(name) else { return .absent }
        return schedulers.paused.contains(name) ? .paused : .running
    }

    /// `auto` follows PD: weights while its balancer runs, moves when it is paused or removed (nothing would act on
    /// weights, and nothing would fight the moves). `moves` and `weights` are what the spec asks for, whatever PD runs.
    public static func choose(_ strategy: BalanceStrategy, _ kind: BalanceKind, schedulers: SchedulerSnapshot) -> BalanceStrategyChoice {
        let state = schedulerState(kind, schedulers)
        let way: Way
        switch strategy {
        case .auto: way = state == .running ? .weights : .moves
        case .moves: way = .moves
        case .weights: way = .weights
        }
        return BalanceStrategyChoice(kind: kind, way: way, scheduler: state)
    }

    /// What `describe plan` and the plan's reason say, e.g. "PD's balance-leader-scheduler is running: balancing
    /// leaders through store weights".
    public func explanation(strategy: BalanceStrategy) -> String {
        let name = Self.schedulerName(kind)
        let state: String
        switch scheduler {
        case .running: state = "PD's \(name) is running"
        case .paused: state = "PD's \(name) is paused"
        case .absent: state = "PD's \(name) is not running (removed)"
        }
        let how = way == .weights ? "balancing \(kind.noun) through store weights" : "balancing \(kind.noun) through explicit moves"
        switch strategy {
        case .auto:
            return "\(state): \(how)"
        case .moves:
            return "spec.balance.strategy is moves: \(how)" + (scheduler == .running ? " (\(state) and may undo them)" : " (\(state))")
        case .weights:
            return "spec.balance.strategy is weights: \(how)"
                + (scheduler == .running ? " (\(state))" : " (\(state): nothing acts on the weights until it runs)")
        }
    }

    /// The standing of every resource the spec balances, for the cluster's status.
    public static func standings(_ policy: BalancePolicy, schedulers: SchedulerSnapshot) -> [BalanceStanding] {
        BalanceKind.allCases.filter { ($0 == .leaders ? policy.leaders : policy.regions).enabled }.map { kind in
            let c = choose(policy.strategy, kind, schedulers: schedulers)
            return BalanceStanding(resource: kind.rawValue, way: c.way.rawValue, pdScheduler: "\(schedulerName(kind)) \(c.scheduler.rawValue)",
                                   reason: c.explanation(strategy: policy.strategy))
        }
    }
}
