/// PD's hot-region scheduler, reduced to what decides its outcome: hot leaders (and, for writes, hot peers)
/// spread evenly over the stores.
extension ClusterState {
    /// PD counts a region hot when its byte rate over the last report exceeds 1 MiB/s.
    static let hotBytesPerSecond = 1_048_576.0

    /// Slots of regions PD sees as hot for reads or writes. O(regions).
    public func hotSlots(read: Bool) -> [Int] {
        reported.indices.filter { s in
            let r = reported[s]
            return r.known && Double(read ? r.readBytes : r.writtenBytes) / 60 >= Self.hotBytesPerSecond
        }
    }

    /// Every 10 s: for reads then writes, move one hot leader from the store with the most to a peer's store with
    /// fewer (spread > 1), and for writes a hot peer from the most loaded store to the least (spread > 2).
    mutating func runHotRegion() {
        let limit = config.int("hot-region-schedule-limit", default: 4)
        for read in [true, false] {
            guard operatorCount(desc: "balance-hot-region-scheduler") < limit else { return }
            let hot = hotSlots(read: read).filter { operators[reported[$0].id] == nil }
            guard !hot.isEmpty else { continue }
            let candidates = stores.indices.filter { storeFilterRefusal(.regionTarget, storeIndex: $0) == nil }
            var leaders = [UInt32: Int](), peers = [UInt32: Int]()
            for i in candidates { leaders[UInt32(stores[i].id)] = 0; peers[UInt32(stores[i].id)] = 0 }
            for s in hot {
                for p in reported[s].peers where peers[p.storeId] != nil {
                    peers[p.storeId, default: 0] += 1
                    if p.id == reported[s].leaderPeerId { leaders[p.storeId, default: 0] += 1 }
                }
            }
            guard let (maxStore, maxCount) = leaders.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) else { continue }
            // A hot leader on the busiest store goes to the peer store with the fewest hot leaders.
            var moved = false
            for s in hot where reported[s].leaderStoreId == maxStore {
                let r = reported[s]
                let target = r.peers.filter { p in
                    p.role == .voter && !p.pending && p.downSeconds == 0 && allowLeader(p, in: r)
                        && (leaders[p.storeId].map { $0 + 1 < maxCount } ?? false)
                }.min { (leaders[$0.storeId] ?? 0, $0.storeId) < (leaders[$1.storeId] ?? 0, $1.storeId) }
                guard let to = target?.storeId else { continue }
                try? addOperator(slot: s, desc: "balance-hot-region-scheduler", brief: "transfer leader: store \(maxStore) to \(to)",
                                 kind: [.hotRegion, .leader], steps: [.transferLeader(from: maxStore, to: to)])
                moved = true
                break
            }
            guard !read, !moved else { continue }
            guard let (src, most) = peers.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }),
                  let (dst, least) = peers.min(by: { ($0.value, $0.key) < ($1.value, $1.key) }), most - least > 2 else { continue }
            guard let s = hot.first(where: { reported[$0].peers.index(ofStore: src) != nil && reported[$0].peers.index(ofStore: dst) == nil
                && !reported[$0].isInJointState && !reported[$0].hasPendingPeers && keepsLocation(reported[$0], from: src, to: dst) }) else { continue }
            let (steps, kind) = movePeerSteps(reported[s], from: src, to: dst)
            try? addOperator(slot: s, desc: "balance-hot-region-scheduler", brief: "mv peer: store [\(src)] to [\(dst)]",
                             kind: kind.union(.hotRegion), steps: steps)
        }
    }
}
