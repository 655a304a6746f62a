import PDWire

/// `evictSlowStoreSchedulerConfig` (v8.5.7:pkg/schedule/schedulers/evict_slow_store.go:72-94): what the
/// evict-slow-store scheduler persists and serves at `scheduler-config/evict-slow-store-scheduler/list`, plus
/// its two in-memory fields that time recovery.
public struct EvictSlowStoreConfig: Sendable, Equatable {
    /// `defaultRecoverySec` (evict_slow_trend.go:43).
    public static let defaultRecoverySeconds: UInt64 = 1800

    /// `recovery-duration`, seconds.
    public var recoverySeconds = Self.defaultRecoverySeconds
    /// `evict-stores`: the one disk-slow store being evicted, or none.
    public internal(set) var evictedStores: [UInt64] = []
    public var enableNetworkSlowStore = false
    public internal(set) var pausedNetworkSlowStores: [UInt64] = []
    public internal(set) var evictedNetworkSlowStores: [UInt64] = []
    /// `batch` (`EvictLeaderBatchSize`, evict_leader.go:43).
    public var batch = 3
    /// `lastSlowStoreCaptureTS` (Unix ns; 0 = Go's zero time).
    var lastSlowStoreCaptureNanos: Int64 = 0
    /// `isRecovered`: the evicted store's score was last seen at the recovery threshold.
    var isRecovered = false

    public init() {}

    /// `evictStore()` (evict_slow_store.go:156-163).
    public var evictStore: UInt64? { evictedStores.first }

    /// The `list` body (evict_slow_store.go:350-362), keys in struct order; `disabled` is promoted from the
    /// embedded `baseDefaultSchedulerConfig` (v8.5.7:pkg/schedule/schedulers/config.go:77-82).
    var listJSON: JSONValue {
        .object([("disabled", .bool(false)), ("recovery-duration", .uint(recoverySeconds)),
                 ("evict-stores", .array(evictedStores.map { .uint($0) })),
                 ("enable-network-slow-store", .bool(enableNetworkSlowStore)),
                 ("paused-network-slow-stores", .array(pausedNetworkSlowStores.map { .uint($0) })),
                 ("evicted-network-slow-stores", .array(evictedNetworkSlowStores.map { .uint($0) })),
                 ("batch", .int(Int64(batch)))])
    }
}
