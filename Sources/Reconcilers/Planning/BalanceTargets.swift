/// Each eligible store's weighted share of a count (leaders or regions) and the integer band it must
/// end in, computed exactly: weights are honoured to 1/1000 and shares are integer fractions, so
/// Σ lower ≤ total ≤ Σ upper always holds and a balanced state always exists.
///
/// With total N, weights wᵢ and W = Σ wᵢ, store i's share is qᵢ = N·wᵢ/W; its band is
/// [lowerᵢ, upperᵢ] = [⌊qᵢ⌋, ⌈qᵢ⌉]. One move takes one unit from one store to another, so reaching a
/// state where every store is inside its band needs at least
///
///     lowerBound = max( Σᵢ max(0, countᵢ − upperᵢ),  Σᵢ max(0, lowerᵢ − countᵢ) )
///
/// moves (every unit above a ceiling must leave, every unit missing under a floor must arrive), and
/// that many suffice when moves are unconstrained; the planner reaches it whenever legal moves allow.
public struct BalanceTargets: Sendable, Equatable {
    public struct Store: Sendable, Equatable {
        public var id: UInt64
        public var count: Int
        /// Weight in thousandths.
        public var weight: Int
        public var share: Double
        public var lower: Int
        public var upper: Int
        public var excess: Int { max(0, count - upper) }
        public var deficit: Int { max(0, lower - count) }
    }

    public let stores: [Store]
    public let total: Int

    /// `counts` are (store, count, weight); weights below 0 count as 0.
    public init(_ counts: [(id: UInt64, count: Int, weight: Double)]) {
        let sorted = counts.sorted { $0.id < $1.id }
        let total = sorted.reduce(0) { $0 + max(0, $1.count) }
        let weights = sorted.map { max(0, Int(($0.weight * 1000).rounded())) }
        let weightSum = weights.reduce(0, +)
        self.total = total
        stores = zip(sorted, weights).map { c, w in
            guard weightSum > 0 else {
                // No store wants anything: every count is its own target, nothing moves.
                return Store(id: c.id, count: c.count, weight: w, share: Double(c.count), lower: c.count, upper: c.count)
            }
            let numerator = total * w
            let lower = numerator / weightSum
            let upper = lower + (numerator % weightSum == 0 ? 0 : 1)
            return Store(id: c.id, count: c.count, weight: w, share: Double(numerator) / Double(weightSum), lower: lower, upper: upper)
        }
    }

    /// Σ of counts above their ceilings.
    public var excessOverUpper: Int { stores.reduce(0) { $0 + $1.excess } }
    /// Σ of counts missing under their floors.
    public var deficitUnderLower: Int { stores.reduce(0) { $0 + $1.deficit } }
    public var lowerBound: Int { max(excessOverUpper, deficitUnderLower) }

    /// How far a store is from its share, in percent of that share; a store that should hold nothing
    /// but holds something is infinitely skewed.
    public static func skewPercent(_ s: Store) -> Double {
        if s.share == 0 { return s.count == 0 ? 0 : .infinity }
        return abs(Double(s.count) - s.share) / s.share * 100
    }

    /// The most skewed store (ties: lowest id), nil when there are no stores.
    public var mostSkewed: Store? {
        stores.max { a, b in
            let (sa, sb) = (Self.skewPercent(a), Self.skewPercent(b))
            return sa != sb ? sa < sb : a.id > b.id
        }
    }

    /// Out of balance: some store is further than `maxSkewPercent` from its share and moves can help.
    public func exceeds(maxSkewPercent: Double) -> Bool {
        guard let worst = mostSkewed else { return false }
        return Self.skewPercent(worst) > maxSkewPercent && lowerBound > 0
    }

    /// How many units each store must (first) and may (then) give or take so that exactly
    /// `lowerBound` moves balance everything. If ceilings bind (A ≥ B), givers give exactly their
    /// excess and receivers must fill their floors first, then may go up to their ceilings; if floors
    /// bind (A < B), receivers take exactly their deficit and givers must shed their excess first,
    /// then may go down to their floors. Givers and receivers are disjoint.
    public struct Quotas: Sendable, Equatable {
        /// (store id, must, may) with must ≤ may, sorted by store id.
        public var givers: [(id: UInt64, must: Int, may: Int)]
        public var receivers: [(id: UInt64, must: Int, may: Int)]
        public static func == (a: Quotas, b: Quotas) -> Bool {
            a.givers.elementsEqual(b.givers) { $0 == $1 } && a.receivers.elementsEqual(b.receivers) { $0 == $1 }
        }
    }

    public var quotas: Quotas {
        let ceilingsBind = excessOverUpper >= deficitUnderLower
        var givers: [(id: UInt64, must: Int, may: Int)] = []
        var receivers: [(id: UInt64, must: Int, may: Int)] = []
        for s in stores {
            if ceilingsBind {
                if s.excess > 0 { givers.append((s.id, s.excess, s.excess)) }
                if s.count < s.upper { receivers.append((s.id, s.deficit, s.upper - s.count)) }
            } else {
                if s.count > s.lower { givers.append((s.id, s.excess, s.count - s.lower)) }
                if s.deficit > 0 { receivers.append((s.id, s.deficit, s.deficit)) }
            }
        }
        return Quotas(givers: givers, receivers: receivers)
    }
}
