/// PD's thresholds on TiKV's disk slow score, which TiKV's own disk probe keeps (1…100, whatever the client traffic)
/// and sends in every store heartbeat; PD reports 0 when a store sends none. `IsSlow` from 80
/// (v8.5.7:pkg/core/store.go `slowStoreThreshold`); evict-slow-store evicts a slow store's leaders at 100 and counts it
/// recovered at 1 (pkg/schedule/schedulers/evict_slow_store.go `slowStoreEvictThreshold`, `slowStoreRecoverThreshold`).
public enum PDSlowScore {
    public static let slow: UInt64 = 80
    public static let evict: UInt64 = 100
    public static let recovered: UInt64 = 1

    /// PD calls the store slow.
    public static func isSlow(_ score: UInt64) -> Bool { score >= slow }
    /// TiKV reports a score, and it is at its floor: the disk probe sees no slow I/O.
    public static func isRecovered(_ score: UInt64) -> Bool { score > 0 && score <= recovered }
}
