/// Dinic's maximum flow on an integer network, built for the balance planner: a few hundred store
/// nodes and up to a few hundred thousand region-group nodes. Edges are explored in insertion order,
/// so the same network always yields the same flow.
struct MaxFlow: Sendable {
    private var head: [Int32]
    private var next: [Int32] = []
    private var target: [Int32] = []
    /// Residual capacity per edge; edge e's reverse is e ^ 1.
    private var residual: [Int] = []
    private var level: [Int32] = []
    private var cursor: [Int32] = []

    init(nodes: Int) {
        head = Array(repeating: -1, count: nodes)
    }

    mutating func addNode() -> Int {
        head.append(-1)
        return head.count - 1
    }

    /// Adds u → v with `capacity` and returns the edge's index.
    @discardableResult
    mutating func addEdge(_ u: Int, _ v: Int, capacity: Int) -> Int {
        let e = target.count
        target.append(Int32(v)); residual.append(capacity); next.append(head[u]); head[u] = Int32(e)
        target.append(Int32(u)); residual.append(0); next.append(head[v]); head[v] = Int32(e + 1)
        return e
    }

    /// Raises an edge's capacity; a later `run` augments from the current flow.
    mutating func raiseCapacity(ofEdge e: Int, by delta: Int) {
        residual[e] += delta
    }

    /// The flow currently on edge `e`.
    func flow(onEdge e: Int) -> Int { residual[e ^ 1] }

    /// Augments until no path from `source` to `sink` remains; returns the flow added.
    mutating func run(from source: Int, to sink: Int) -> Int {
        var total = 0
        while buildLevels(source, sink) {
            cursor = head
            while true {
                let pushed = augment(source, sink, Int.max)
                if pushed == 0 { break }
                total += pushed
            }
        }
        return total
    }

    private mutating func buildLevels(_ source: Int, _ sink: Int) -> Bool {
        level = Array(repeating: -1, count: head.count)
        level[source] = 0
        var queue = [Int32(source)]
        var i = 0
        while i < queue.count {
            let u = Int(queue[i]); i += 1
            var e = head[u]
            while e >= 0 {
                let v = Int(target[Int(e)])
                if residual[Int(e)] > 0 && level[v] < 0 {
                    level[v] = level[u] + 1
                    queue.append(Int32(v))
                }
                e = next[Int(e)]
            }
        }
        return level[sink] >= 0
    }

    /// One blocking-flow path search. Recursion depth is bounded by the level of the sink, which in
    /// the planner's layered graph is a few times the number of stores.
    private mutating func augment(_ u: Int, _ sink: Int, _ limit: Int) -> Int {
        if u == sink { return limit }
        while cursor[u] >= 0 {
            let e = Int(cursor[u])
            let v = Int(target[e])
            if residual[e] > 0 && level[v] == level[u] + 1 {
                let pushed = augment(v, sink, min(limit, residual[e]))
                if pushed > 0 {
                    residual[e] -= pushed
                    residual[e ^ 1] += pushed
                    return pushed
                }
            }
            cursor[u] = next[e]
        }
        return 0
    }
}
