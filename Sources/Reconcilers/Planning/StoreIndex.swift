/// Dense indices for store ids, looked up a few million times per planning pass: a flat table when
/// ids are small (they are, in practice), a dictionary otherwise.
struct StoreIndex: Sendable {
    private var table: [Int32] = []
    private var map: [UInt64: Int32] = [:]
    private let useTable: Bool

    init(_ ids: [UInt64]) {
        let maxID = ids.max() ?? 0
        useTable = maxID < 1 << 20
        if useTable {
            table = Array(repeating: -1, count: Int(maxID) + 1)
            for (i, id) in ids.enumerated() { table[Int(id)] = Int32(i) }
        } else {
            for (i, id) in ids.enumerated() { map[id] = Int32(i) }
        }
    }

    /// The index of `id`, or -1.
    @inline(__always) func callAsFunction(_ id: UInt64) -> Int32 {
        if useTable { return id < UInt64(table.count) ? table[Int(id)] : -1 }
        return map[id] ?? -1
    }
}
