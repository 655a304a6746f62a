/// What the executor obeys for one subject in one pass: people's settings, read from the subject's own object
/// (a TiKV cluster's spec).
public struct ExecutionSettings: Sendable, Equatable {
    public var mode: ClusterMode
    public var paused: Bool
    public var maintenanceWindows: [MaintenanceWindow]
    public var limits: Limits
    public var approval: ApprovalPolicy
    public var execution: ExecutionPolicy

    public init(mode: ClusterMode, paused: Bool, maintenanceWindows: [MaintenanceWindow], limits: Limits, approval: ApprovalPolicy,
                execution: ExecutionPolicy) {
        self.mode = mode
        self.paused = paused
        self.maintenanceWindows = maintenanceWindows
        self.limits = limits
        self.approval = approval
        self.execution = execution
    }
}
