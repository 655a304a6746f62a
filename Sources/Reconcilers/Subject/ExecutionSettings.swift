/// What the executor obeys for one subject in one pass: people's settings, read from the subject's own object
/// (a TiKV cluster's spec). Built inside this module only, as the executor's pipeline is (`ExecutedSubject`).
public struct ExecutionSettings: Sendable, Equatable {
    public var mode: ClusterMode
    public var paused: Bool
    public var maintenanceWindows: [MaintenanceWindow]
    public var limits: Limits
    public var approval: ApprovalPolicy
    public var execution: ExecutionPolicy
}
