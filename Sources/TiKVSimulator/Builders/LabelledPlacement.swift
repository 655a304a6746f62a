/// Where a new cluster's replicas go when PD's `location-labels` is set: as PD places them, each replica on the store
/// whose labels differ most from the stores already chosen (v8.5.7:pkg/core/region.go `GetDistinctScore`, used by the
/// replica and rule checkers' store selection), ties broken at random. Random placement ignored the labels, so with
/// `location-labels: zone,host` 1,761 of 3,000 simulated regions started with two peers in one zone.
struct LabelledPlacement {
    /// Per store (by index), its value at each location label, topmost first.
    let paths: [[String]]

    init(locationLabels: [String], labels: [[String: String]]) {
        paths = labels.map { l in locationLabels.map { l[$0] ?? "" } }
    }

    /// PD's distinct score of a store against those chosen: for each chosen store, the levels from the first one they
    /// differ at down to the last (0 when they share every level), summed.
    func distinctScore(_ store: Int, against chosen: [Int]) -> Int {
        chosen.reduce(0) { sum, other in
            guard let level = paths[store].indices.first(where: { paths[store][$0] != paths[other][$0] }) else { return sum }
            return sum + paths[store].count - level
        }
    }

    /// `k` distinct stores of `n`, each the most distinct from the ones before it; `rng` orders the candidates so
    /// equally good stores are chosen at random.
    func choose(_ k: Int, of n: Int, rng: inout SplitMix64) -> [Int] {
        var order = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        var chosen: [Int] = []
        while chosen.count < min(k, n) {
            var best: (store: Int, score: Int)?
            for s in order where !chosen.contains(s) {
                let score = distinctScore(s, against: chosen)
                if best.map({ score > $0.score }) ?? true { best = (s, score) }
            }
            guard let b = best else { break }
            chosen.append(b.store)
        }
        return chosen
    }
}
