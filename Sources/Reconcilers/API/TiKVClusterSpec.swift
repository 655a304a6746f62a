import Foundation
import PDWire

/// What the controller may do to a cluster.
public enum ClusterMode: String, Codable, Sendable, CaseIterable, SpecEnum, DefaultValue {
    /// Compute and show tickets and plans; never change the cluster. The default.
    case observe
    /// Also record, per step, the exact PD request that would be sent; send nothing.
    case dryRun
    /// Send PD requests for approved plans.
    case execute

    public static var defaultValue: ClusterMode { .observe }
}

/// Desired state of one TiKV cluster: where to observe it, what "healthy" and "balanced" mean,
/// and how much the controller may do on its own.
public struct TiKVClusterSpec: Codable, Sendable, Equatable, SpecValidatable {
    public var pd: PDEndpoint
    public var prometheus: PrometheusEndpoint?
    @Default<ClusterMode> public var mode: ClusterMode
    @Default<False> public var paused: Bool
    @Default<Seconds30> public var resyncPeriod: GoDuration
    @Default<Invariants> public var invariants: Invariants
    @Default<BalancePolicy> public var balance: BalancePolicy
    @Default<ApprovalPolicy> public var approval: ApprovalPolicy
    @Default<Limits> public var limits: Limits
    @Default<[MaintenanceWindow]> public var maintenanceWindows: [MaintenanceWindow]
    @Default<ExecutionPolicy> public var execution: ExecutionPolicy
    @Default<DiagnosisConfig> public var diagnosis: DiagnosisConfig

    public init(pd: PDEndpoint, prometheus: PrometheusEndpoint? = nil, mode: ClusterMode = ClusterMode.defaultValue,
                paused: Bool = False.defaultValue, resyncPeriod: GoDuration = Seconds30.defaultValue, invariants: Invariants = .init(),
                balance: BalancePolicy = .init(), approval: ApprovalPolicy = .init(), limits: Limits = .init(),
                maintenanceWindows: [MaintenanceWindow] = [], execution: ExecutionPolicy = .init(), diagnosis: DiagnosisConfig = .init()) {
        self.pd = pd
        self.prometheus = prometheus
        self.mode = mode
        self.paused = paused
        self.resyncPeriod = resyncPeriod
        self.invariants = invariants
        self.balance = balance
        self.approval = approval
        self.limits = limits
        self.maintenanceWindows = maintenanceWindows
        self.execution = execution
        self.diagnosis = diagnosis
    }

    public func validate(_ v: inout Validator) {
        v.nested("pd") { pd.validate(&$0) }
        if let prometheus { v.nested("prometheus") { prometheus.validate(&$0) } }
        v.duration("resyncPeriod", resyncPeriod, min: .seconds(1), max: .hours(1))
        v.nested("invariants") { invariants.validate(&$0) }
        v.nested("balance") { balance.validate(&$0) }
        v.nested("approval") { approval.validate(&$0) }
        v.nested("limits") { limits.validate(&$0) }
        for (i, w) in maintenanceWindows.enumerated() {
            v.nested("maintenanceWindows[\(i)]") { w.validate(&$0) }
        }
        v.nested("execution") { execution.validate(&$0) }
        v.nested("diagnosis") { diagnosis.validate(&$0) }
    }
}
