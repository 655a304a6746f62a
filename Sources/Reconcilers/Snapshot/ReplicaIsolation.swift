/// Regions whose voters share a `location-labels` level that PD could separate them at, counted over a bounded
/// sample of regions (the observer reads the first regions in key order; `exact` when that is every region).
///
/// PD scores a region's placement by how many label levels its stores differ at (v8.5.7:pkg/core/region.go
/// `GetDistinctScore`) and its checkers move a replica to a store that raises the score (replica_checker.go
/// `checkLocationReplacement`, rule_checker.go `fixBetterLocation`). So at each level, from the top: the voters'
/// distinct values there fall short of the fewer of their count and the distinct values the Up, alive stores offer →
/// PD could do better, and the region is counted at that level (its topmost shortfall only). At `isolation-level`
/// sharing a value at all is counted, since PD must never place two replicas there.
public struct ReplicaIsolation: Sendable, Hashable {
    public var locationLabels: [String]
    public var isolationLevel: String
    /// Regions read for the count.
    public var sampledRegions: Int
    /// The sample is every region PD has (fewer than the bound), so the count is exact.
    public var exact: Bool
    /// Per label name, the regions whose topmost shortfall is at that level.
    public var regionsByLevel: [String: Int]
    /// Per label name, the distinct values (of that level and every level above) among the Up, alive stores.
    public var distinctValues: [String: Int]
    /// The first regions counted, sorted (at most `sampleCap`).
    public var sample: [UInt64]

    public static let sampleCap = 10

    public init(locationLabels: [String] = [], isolationLevel: String = "", sampledRegions: Int = 0, exact: Bool = true,
                regionsByLevel: [String: Int] = [:], distinctValues: [String: Int] = [:], sample: [UInt64] = []) {
        self.locationLabels = locationLabels
        self.isolationLevel = isolationLevel
        self.sampledRegions = sampledRegions
        self.exact = exact
        self.regionsByLevel = regionsByLevel
        self.distinctValues = distinctValues
        self.sample = sample
    }

    public var violatingRegions: Int { regionsByLevel.values.reduce(0, +) }

    /// Counts regions one at a time, so the observer never holds the sample.
    public struct Tally: Sendable {
        let labels: [String]
        let isolationIndex: Int?
        /// Per store, its label path (value at each level); a store PD did not list is unknown and shares nothing.
        let paths: [UInt64: [String]]
        let available: [Int]
        var result: ReplicaIsolation

        public init(locationLabels: [String], isolationLevel: String, stores: [StoreSnapshot]) {
            labels = locationLabels
            isolationIndex = locationLabels.firstIndex(of: isolationLevel)
            let paths = Dictionary(stores.map { s in (s.id, locationLabels.map { s.labels[$0] ?? "" }) }, uniquingKeysWith: { a, _ in a })
            let up = stores.filter(\.isUpAndAlive).compactMap { paths[$0.id] }
            let available = locationLabels.indices.map { level in Set(up.map { $0[0...level] }).count }
            self.paths = paths
            self.available = available
            result = ReplicaIsolation(locationLabels: locationLabels, isolationLevel: isolationLevel,
                                      distinctValues: Dictionary(zip(locationLabels, available), uniquingKeysWith: { a, _ in a }))
        }

        /// The level a region's voters fall short at, nil when they are as separated as the stores allow.
        func shortfall(voterStoreIDs: [UInt64]) -> String? {
            let known = voterStoreIDs.compactMap { paths[$0] }
            // A voter on a store PD no longer lists shares nothing: count it as a distinct value at every level.
            let unknown = voterStoreIDs.count - known.count
            let n = voterStoreIDs.count
            guard n > 1 else { return nil }
            for level in labels.indices {
                let distinct = Set(known.map { $0[0...level] }).count + unknown
                let required = level == isolationIndex ? n : min(n, available[level])
                if distinct < required { return labels[level] }
            }
            return nil
        }

        public mutating func add(regionID: UInt64, voterStoreIDs: [UInt64]) {
            result.sampledRegions += 1
            guard !labels.isEmpty, let level = shortfall(voterStoreIDs: voterStoreIDs) else { return }
            result.regionsByLevel[level, default: 0] += 1
            if result.sample.count < ReplicaIsolation.sampleCap { result.sample.append(regionID) }
        }

        /// The count; `exact` when the sample held every region.
        public func finish(exact: Bool) -> ReplicaIsolation {
            var r = result
            r.exact = exact
            r.sample.sort()
            return r
        }
    }
}
