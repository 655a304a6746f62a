/// PD's store limits as `/config` shows them (`schedule.store-limit`, `schedule.store-limit-version`): per store, how
/// many add-peer operators per minute it may take (v8.5.7:pkg/core/storelimit/store_limit.go).
public struct StoreLimitSettings: Sendable, Hashable {
    /// `storelimit.Unlimited`: a rate at or above it never throttles.
    public static let unlimited = 100_000_000.0
    /// PD's default rate for a store `store-limit` does not list yet (`DefaultStoreLimit`, 15 per minute).
    public static let defaultRate = 15.0

    /// `v1` token buckets; under `v2` (sliding windows fed by TiKV's snapshot reports) PD's state cannot be
    /// estimated from the outside, and the controller does not try.
    public var version: String
    /// Add-peer operators per minute, by store.
    public var addPeerPerMinute: [UInt64: Double]

    public init(version: String = "v1", addPeerPerMinute: [UInt64: Double] = [:]) {
        self.version = version
        self.addPeerPerMinute = addPeerPerMinute
    }

    public func addPeerRate(_ store: UInt64) -> Double { addPeerPerMinute[store] ?? Self.defaultRate }
}
