import Foundation

/// PD's add-peer store limit (v1) for one store, as far as the controller can know it from one observation.
///
/// PD keeps a token bucket per store (v8.5.7:pkg/core/storelimit/store_limit.go:134-157): `store-limit`'s rate r
/// operators per minute becomes r/60 per second; the bucket holds max(1000, 1000·r/60) tokens and refills at
/// 1000·r/60 per second; a rate of 0 or ≥ 1e8 never throttles. Every operator PD admits takes, for each step adding
/// a peer or learner to the store, 1000 tokens for a region above 20 MiB, 200 above 1 MiB, none for an empty one
/// (operator_controller.go:570-583, influence.go AdjustStepCost) — admin operators too, although their Urgent
/// priority lets them past the check itself (operator_controller.go:1012-1040). PD's own schedulers and checkers
/// skip a store whose bucket cannot pay a normal region (filters.go `exceedAddLimit`), so a controller move that
/// empties it delays PD's replica repairs there.
///
/// PD does not publish the bucket. The estimate replays the operators PD runs now (`GET /operators`: their start
/// times, sizes and add-peer steps) into a bucket that was full before the first of them. That is exact for what
/// PD shows; operators that already finished are gone from the list and their tokens (refilled within
/// 1000/(1000·r/60) s per normal region: 4 s at the default 15/min) are not counted. TTL overrides of the rate
/// (`?ttlSecond=`) are not in `/config` either. Under `store-limit-version` v2 PD's sliding windows follow TiKV's
/// snapshot reports, which the controller cannot see: no estimate, no wait.
public struct StoreLimitEstimate: Sendable {
    /// `storelimit.RegionInfluence` / `SmallRegionInfluence` (store_limit.go:25-46).
    public static let normalCost = 1000.0
    public static let smallCost = 200.0

    /// A step adding a peer of a region of this size costs this many tokens (`AdjustStepCost`).
    public static func cost(sizeMiB: Int64) -> Double {
        sizeMiB > 20 ? normalCost : sizeMiB > 1 ? smallCost : 0
    }

    /// Why a peer target waits: its bucket holds fewer tokens than the step costs.
    public struct Wait: Sendable, Hashable, CustomStringConvertible {
        public var store: UInt64
        public var ratePerMinute: Double
        public var tokens: Double
        public var cost: Double
        /// Operators PD runs now that took this store's tokens.
        public var operators: Int
        /// Seconds until the bucket holds `cost` again.
        public var seconds: TimeInterval

        public var rule: String { "StoreLimit" }

        public var description: String {
            "at its add-peer store limit (\(Self.rate(ratePerMinute))/min): about \(Int(tokens)) of the \(Int(cost)) tokens a step needs "
                + "after \(operators) running operator(s) adding peers there; refilled in \(Int(seconds.rounded(.up)))s"
        }

        /// Without the token count, which changes every pass, so a steady status stays identical.
        public var statusText: String {
            "\(rule): at its add-peer store limit (\(Self.rate(ratePerMinute)) operators/min) after \(operators) running operator(s) adding peers there"
        }

        static func rate(_ r: Double) -> String { r == r.rounded() ? String(Int(r)) : String(format: "%.2f", r) }
    }

    public let snapshot: ClusterSnapshot

    public init(snapshot: ClusterSnapshot) {
        self.snapshot = snapshot
    }

    /// The bucket for a rate: capacity and refill per second; nil when the rate never throttles.
    public static func bucket(ratePerMinute r: Double) -> (capacity: Double, refill: Double)? {
        guard r > 0, r < StoreLimitSettings.unlimited else { return nil }
        let perSecond = r / 60
        return (perSecond > 1 ? perSecond * normalCost : normalCost, perSecond * normalCost)
    }

    /// The tokens PD's bucket for `store` holds at `now`, replaying the running operators; nil when no limit applies.
    public func tokens(store: UInt64, at now: Date) -> (tokens: Double, capacity: Double, refill: Double, operators: Int)? {
        guard snapshot.settings.storeLimits.version == "v1",
              let b = Self.bucket(ratePerMinute: snapshot.settings.storeLimits.addPeerRate(store)) else { return nil }
        // An operator without a readable time counts as admitted now: the cautious reading.
        let takes = snapshot.operators.compactMap { op -> (at: Date, cost: Double)? in
            let n = op.addsPeerOn.filter { $0 == store }.count
            let cost = Double(n) * Self.cost(sizeMiB: op.sizeMiB)
            return cost > 0 ? (min(op.admittedAt ?? now, now), cost) : nil
        }.sorted { $0.at < $1.at }
        var tokens = b.capacity
        var last = takes.first?.at ?? now
        for t in takes {
            tokens = min(b.capacity, tokens + b.refill * t.at.timeIntervalSince(last))
            last = t.at
            // `AllowN` takes only what is there (ratelimit.go): an Urgent operator past an empty bucket takes nothing.
            if tokens >= t.cost { tokens -= t.cost }
        }
        tokens = min(b.capacity, tokens + b.refill * max(0, now.timeIntervalSince(last)))
        return (tokens, b.capacity, b.refill, takes.count)
    }

    /// The wait for a step adding a peer of a region of `regionSizeMiB` (a normal region's cost when nil) to `store`.
    public func wait(store: UInt64, regionSizeMiB: Int64?, at now: Date) -> Wait? {
        let cost = regionSizeMiB.map { Self.cost(sizeMiB: $0) } ?? Self.normalCost
        guard cost > 0, let t = tokens(store: store, at: now), t.tokens < cost else { return nil }
        return Wait(store: store, ratePerMinute: snapshot.settings.storeLimits.addPeerRate(store), tokens: t.tokens, cost: cost,
                    operators: t.operators, seconds: (cost - t.tokens) / t.refill)
    }
}
