@testable import Reconcilers

/// An independent reference for the leader planner: Edmonds–Karp on the explicit network
/// source → giver → region → receiver → sink (one node per region, no grouping), with each giver and
/// receiver at its largest quota. Its value is the most leader moves any legal plan can make.
enum ReferenceLeaderFlow {
    /// `allows`: whether PD's placement rules let the store lead the region (all stores when absent).
    static func maximumMoves(quotas: BalanceTargets.Quotas, regions: [RegionPlacement], operators: Set<UInt64>,
                             allows: (RegionPlacement, UInt64) -> Bool = { _, _ in true }) -> Int {
        var to: [Int] = [], cap: [Int] = [], adjacency: [[Int]] = [[], []]
        func node() -> Int { adjacency.append([]); return adjacency.count - 1 }
        func edge(_ u: Int, _ v: Int, _ c: Int) {
            adjacency[u].append(to.count); to.append(v); cap.append(c)
            adjacency[v].append(to.count); to.append(u); cap.append(0)
        }
        let source = 0, sink = 1
        var giverNode: [UInt64: Int] = [:], receiverNode: [UInt64: Int] = [:]
        for g in quotas.givers { giverNode[g.id] = node(); edge(source, giverNode[g.id]!, g.may) }
        for r in quotas.receivers { receiverNode[r.id] = node(); edge(receiverNode[r.id]!, sink, r.may) }
        for r in regions where !r.inJointState && !operators.contains(r.id) {
            guard let g = giverNode[r.leaderStoreID] else { continue }
            let targets = r.voterStoreIDs.filter { $0 != r.leaderStoreID && !r.unhealthyStoreIDs.contains($0) && allows(r, $0) }.compactMap { receiverNode[$0] }
            guard !targets.isEmpty else { continue }
            let n = node()
            edge(g, n, 1)
            for t in targets { edge(n, t, 1) }
        }
        var flow = 0
        while true {
            var parentEdge = [Int](repeating: -1, count: adjacency.count)
            var queue = [source], i = 0
            var seen = [Bool](repeating: false, count: adjacency.count)
            seen[source] = true
            while i < queue.count && !seen[sink] {
                let u = queue[i]; i += 1
                for e in adjacency[u] where cap[e] > 0 && !seen[to[e]] {
                    seen[to[e]] = true
                    parentEdge[to[e]] = e
                    queue.append(to[e])
                }
            }
            guard seen[sink] else { return flow }
            var v = sink, pushed = Int.max
            while v != source { let e = parentEdge[v]; pushed = min(pushed, cap[e]); v = to[e ^ 1] }
            v = sink
            while v != source { let e = parentEdge[v]; cap[e] -= pushed; cap[e ^ 1] += pushed; v = to[e ^ 1] }
            flow += pushed
        }
    }
}
