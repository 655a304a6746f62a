/// PD's schedulers as the API sees them: instance names, pause windows, and the evict-leader store set.
public struct SchedulerSet: Sendable {
    public struct Entry: Sendable {
        public var name: String
        /// Persisted type name in `schedulers-v2` (e.g. `hot-region` for `balance-hot-region-scheduler`).
        public var persistedType: String
        public var pausedAtNanos: Int64?
        public var resumeAtNanos: Int64?
    }
    /// In creation order (PD lists them in Go map order; clients must not depend on it).
    public internal(set) var entries: [Entry] = []
    /// Stores held by the single evict-leader scheduler, sorted.
    public internal(set) var evictLeaderStores: [UInt64] = []
    public var evictLeaderBatch = 3
    /// The evict-slow-store scheduler's config and recovery clock.
    public internal(set) var evictSlowStore = EvictSlowStoreConfig()

    static let typeByName: [String: String] = [
        "balance-region-scheduler": "balance-region", "balance-leader-scheduler": "balance-leader",
        "balance-hot-region-scheduler": "hot-region", "evict-slow-store-scheduler": "evict-slow-store",
        "evict-stopping-store-scheduler": "evict-stopping-store", "evict-leader-scheduler": "evict-leader",
        "grant-leader-scheduler": "grant-leader", "shuffle-leader-scheduler": "shuffle-leader",
        "shuffle-region-scheduler": "shuffle-region", "shuffle-hot-region-scheduler": "shuffle-hot-region",
        "evict-slow-trend-scheduler": "evict-slow-trend", "random-merge-scheduler": "random-merge",
        "label-scheduler": "label", "balance-witness-scheduler": "balance-witness",
        "transfer-witness-leader-scheduler": "transfer-witness-leader",
    ]

    public static func defaults() -> SchedulerSet {
        var s = SchedulerSet()
        for n in ["balance-region-scheduler", "balance-leader-scheduler", "balance-hot-region-scheduler",
                  "evict-slow-store-scheduler", "evict-stopping-store-scheduler"] { s.add(n) }
        return s
    }

    public func contains(_ name: String) -> Bool { entries.contains { $0.name == name } }

    mutating func add(_ name: String) {
        guard !contains(name) else { return }
        entries.append(Entry(name: name, persistedType: Self.typeByName[name] ?? name))
    }

    mutating func remove(_ name: String) {
        entries.removeAll { $0.name == name }
        if name == "evict-leader-scheduler" { evictLeaderStores = [] }
    }

    /// A scheduler runs unless paused until a time not yet reached.
    public func isActive(_ name: String, now: Int64) -> Bool {
        guard let e = entries.first(where: { $0.name == name }) else { return false }
        if let r = e.resumeAtNanos, r > now { return false }
        return true
    }

    public func isPaused(_ e: Entry, now: Int64) -> Bool {
        if let r = e.resumeAtNanos { return r > now }
        return false
    }

    mutating func pause(_ name: String, delaySeconds: Int64, now: Int64) {
        guard let i = entries.firstIndex(where: { $0.name == name }) else { return }
        if delaySeconds <= 0 {
            entries[i].pausedAtNanos = nil
            entries[i].resumeAtNanos = nil
        } else {
            entries[i].pausedAtNanos = now
            entries[i].resumeAtNanos = now + delaySeconds * 1_000_000_000
        }
    }
}
