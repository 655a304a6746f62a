/// PD's store limit, version v1 (v8.5.7:pkg/core/storelimit/store_limit.go, server/config/persist_options.go:388-431,
/// 529-549): per store and per type a rate in operators per minute (the persisted `store-limit` config) and a token
/// bucket refilled continuously at that rate, which operator steps drain by their cost.
public struct StoreLimitTable: Sendable {
    public enum LimitType: String, Sendable, CaseIterable {
        case addPeer = "add-peer", removePeer = "remove-peer"
    }

    /// `storelimit.Unlimited`: a rate at or above it never throttles.
    public static let unlimited = 100_000_000.0
    /// Cost of one step on a region above `SmallRegionThreshold` (20 MiB) and on a smaller, non-empty one
    /// (store_limit.go:25-46); an empty region (≤ 1 MiB) costs nothing (influence.go:139-146).
    static func stepCost(regionSizeMiB: UInt32) -> Double {
        regionSizeMiB > 20 ? 1000 : regionSizeMiB > 1 ? 200 : 0
    }

    /// A v1 bucket (store_limit.go:107-125): burst max(1000, 1000 × rate/s), refill 1000 × rate/s, full on (re)set.
    struct Bucket: Sendable {
        var ratePerMin: Double
        var tokens: Double
        var atNanos: Int64

        var perSecond: Double { ratePerMin / 60 * 1000 }
        var burst: Double { ratePerMin >= StoreLimitTable.unlimited ? .infinity : max(1000, perSecond) }

        init(ratePerMin: Double, nowNanos: Int64) {
            self.ratePerMin = ratePerMin
            self.atNanos = nowNanos
            self.tokens = 0
            self.tokens = burst
        }

        func tokens(at now: Int64) -> Double {
            min(burst, tokens + perSecond * Double(max(0, now - atNanos)) / 1e9)
        }
    }

    /// `DefaultStoreLimit` (config.go:97), changed by `POST /stores/limit`.
    public internal(set) var defaults: [LimitType: Double] = [.addPeer: 15, .removePeer: 15]
    /// The persisted per-store rates (`schedule.store-limit`).
    public internal(set) var rates: [UInt64: [LimitType: Double]] = [:]
    /// `?ttlSecond=` overrides (`add-peer-{id}` TTL keys): rate and expiry; they win while alive.
    var ttlRates: [UInt64: [LimitType: (rate: Double, untilNanos: Int64)]] = [:]
    /// Rates saved by `RemoveStore` and put back when the store is set Up again (cluster.go:1556-1562, 1718-1734).
    var savedBeforeRemoval: [UInt64: [LimitType: Double]] = [:]
    var buckets: [UInt64: [LimitType: Bucket]] = [:]

    public init() {}

    /// The rate in force (`GetStoreLimitByType`): a live TTL override, else the persisted rate, else the default.
    public func rate(_ store: UInt64, _ type: LimitType, now: Int64) -> Double {
        if let t = ttlRates[store]?[type], t.untilNanos > now { return t.rate }
        return rates[store]?[type] ?? defaults[type] ?? 15
    }

    /// `AddStoreLimit` when PD first sees a store: it gets the default rates.
    mutating func addStore(_ id: UInt64) {
        if rates[id] == nil { rates[id] = defaults }
    }

    mutating func set(_ store: UInt64, _ type: LimitType, rate: Double) {
        var r = rates[store] ?? defaults
        r[type] = rate
        rates[store] = r
    }

    mutating func setAll(_ type: LimitType, rate: Double) {
        defaults[type] = rate
        for id in rates.keys { rates[id]?[type] = rate }
    }

    mutating func setTTL(_ store: UInt64, _ type: LimitType, rate: Double, untilNanos: Int64) {
        ttlRates[store, default: [:]][type] = (rate, untilNanos)
    }

    mutating func removeStore(_ id: UInt64) {
        rates[id] = nil
        ttlRates[id] = nil
        buckets[id] = nil
        savedBeforeRemoval[id] = nil
    }

    /// RemoveStore: remember the rates and lift remove-peer to unlimited so the drain is not throttled at the source.
    mutating func liftForRemoval(_ id: UInt64, now: Int64) {
        savedBeforeRemoval[id] = [.addPeer: rate(id, .addPeer, now: now), .removePeer: rate(id, .removePeer, now: now)]
        set(id, .removePeer, rate: Self.unlimited)
    }

    /// UpStore: restore what RemoveStore saved.
    mutating func restoreAfterRemoval(_ id: UInt64) {
        guard let saved = savedBeforeRemoval.removeValue(forKey: id) else { return }
        for (t, r) in saved { set(id, t, rate: r) }
    }

    /// The bucket at the rate in force; a changed rate resets it full, as `getOrCreateStoreLimit` does.
    private mutating func bucket(_ store: UInt64, _ type: LimitType, now: Int64) -> Bucket {
        let r = rate(store, type, now: now)
        if let b = buckets[store]?[type], b.ratePerMin == r { return b }
        let b = Bucket(ratePerMin: r, nowNanos: now)
        buckets[store, default: [:]][type] = b
        return b
    }

    /// `limit.Available`: enough tokens for `cost` now (a zero cost always fits).
    public mutating func available(_ store: UInt64, _ type: LimitType, cost: Double, now: Int64) -> Bool {
        guard cost > 0 else { return true }
        let b = bucket(store, type, now: now)
        return b.ratePerMin >= Self.unlimited || b.tokens(at: now) >= cost
    }

    /// The same question without touching the bucket (filters evaluate it read-only).
    public func peekAvailable(_ store: UInt64, _ type: LimitType, cost: Double, now: Int64) -> Bool {
        let r = rate(store, type, now: now)
        if r >= Self.unlimited || cost <= 0 { return true }
        guard let b = buckets[store]?[type], b.ratePerMin == r else { return true }
        return b.tokens(at: now) >= cost
    }

    /// `limit.Take` (`AllowN`): takes the tokens only when they are all there.
    mutating func take(_ store: UInt64, _ type: LimitType, cost: Double, now: Int64) {
        guard cost > 0, available(store, type, cost: cost, now: now), var b = buckets[store]?[type] else { return }
        guard b.ratePerMin < Self.unlimited else { return }
        b.tokens = b.tokens(at: now) - cost
        b.atNanos = now
        buckets[store]?[type] = b
    }
}
