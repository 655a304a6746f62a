/// An element of `GET /schedulers?status=paused&timestamp=true`.
public struct PausedScheduler: Hashable, Sendable, Decodable {
    public var name: String
    public var pausedAt: GoTime?
    public var resumeAt: GoTime?

    enum CodingKeys: String, CodingKey { case name, pausedAt = "paused_at", resumeAt = "resume_at" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        pausedAt = try c.decodeIfPresent(GoTime.self, forKey: .pausedAt)
        resumeAt = try c.decodeIfPresent(GoTime.self, forKey: .resumeAt)
    }
}

/// `GET /scheduler-config/evict-leader-scheduler/list`: the stores the single evict-leader
/// scheduler holds, with their key ranges.
public struct EvictLeaderSchedulerConfig: Hashable, Sendable, Decodable {
    public var storeKeyRanges: [UInt64: [SchedulerKeyRange]]
    public var batch: Int

    /// The evicted stores, sorted.
    public var storeIDs: [UInt64] { storeKeyRanges.keys.sorted() }

    enum CodingKeys: String, CodingKey { case storeKeyRanges = "store-id-ranges", batch }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try c.decodeIfPresent([String: [SchedulerKeyRange]].self, forKey: .storeKeyRanges) ?? [:]
        storeKeyRanges = try StoreKeyedMap.decode(raw, in: c, key: .storeKeyRanges)
        batch = try c.decodeIfPresent(Int.self, forKey: .batch) ?? 0
    }
}

/// `GET /scheduler-config/evict-slow-store-scheduler/list` (v8.5.7:pkg/schedule/schedulers/evict_slow_store.go:84-93):
/// the store PD is evicting because its slow score reached 100, and how long it waits before releasing it.
public struct EvictSlowStoreSchedulerConfig: Hashable, Sendable, Decodable {
    /// Stores PD evicts as slow (at most one at a time in v8.5), sorted.
    public var evictStores: [UInt64]
    /// Seconds a recovered store's score must stay normal before PD releases it.
    public var recoveryDurationSeconds: UInt64
    public var batch: Int

    enum CodingKeys: String, CodingKey { case evictStores = "evict-stores", recoveryDurationSeconds = "recovery-duration", batch }

    public init(evictStores: [UInt64] = [], recoveryDurationSeconds: UInt64 = 0, batch: Int = 0) {
        self.evictStores = evictStores
        self.recoveryDurationSeconds = recoveryDurationSeconds
        self.batch = batch
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Go encodes a nil slice as null.
        evictStores = (try c.decodeIfPresent([UInt64]?.self, forKey: .evictStores) ?? nil)?.sorted() ?? []
        recoveryDurationSeconds = try c.decodeIfPresent(UInt64.self, forKey: .recoveryDurationSeconds) ?? 0
        batch = try c.decodeIfPresent(Int.self, forKey: .batch) ?? 0
    }
}

public struct SchedulerKeyRange: Hashable, Sendable, Decodable {
    public var startKey: String
    public var endKey: String

    enum CodingKeys: String, CodingKey { case startKey = "start-key", endKey = "end-key" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        startKey = try c.decodeIfPresent(String.self, forKey: .startKey) ?? ""
        endKey = try c.decodeIfPresent(String.self, forKey: .endKey) ?? ""
    }
}
