/// Blast-radius limits.
public struct Limits: Codable, Sendable, Equatable, DefaultInitializable {
    /// PD mutations in flight at once for this cluster (PD's own leader-schedule-limit is 4).
    @Default<Int4> public var maxInFlightSteps: Int
    /// PD mutations per rolling hour.
    @Default<Int120> public var maxActionsPerHour: Int
    /// Stores under maintenance (evicted or going offline) at once.
    @Default<Int1> public var maxStoresInMaintenance: Int

    public init() {}
    public init(maxInFlightSteps: Int = Int4.defaultValue, maxActionsPerHour: Int = Int120.defaultValue,
                maxStoresInMaintenance: Int = Int1.defaultValue) {
        self.maxInFlightSteps = maxInFlightSteps
        self.maxActionsPerHour = maxActionsPerHour
        self.maxStoresInMaintenance = maxStoresInMaintenance
    }
    func validate(_ v: inout Validator) {
        v.range("maxInFlightSteps", maxInFlightSteps, 1...1000)
        v.range("maxActionsPerHour", maxActionsPerHour, 1...100_000)
        v.range("maxStoresInMaintenance", maxStoresInMaintenance, 1...100)
    }
}
