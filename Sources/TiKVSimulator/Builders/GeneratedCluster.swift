/// A synthetic cluster of N stores and R regions with 3 replicas each, deterministic for a seed. Stores are labelled
/// `zone: z(i mod 3 + 1)`, `host: tikv-i`; with `locationLabels` PD's `location-labels` is set and replicas are placed
/// across them as PD would (`LabelledPlacement`), otherwise at random.
extension ClusterState {
    public static func generated(stores n: Int, regions count: Int, seed: UInt64, nowNanos: Int64 = 1_749_542_400 * second,
                                 replicas: Int = 3, locationLabels: [String] = []) -> ClusterState {
        var c = ClusterState(nowNanos: nowNanos, seed: seed)
        let nowSec = nowNanos / second
        c.pdStartTimestamp = nowSec - 3600
        c.raftBootstrapNanos = (nowSec - 3600) * second
        c.monotonicBaseNanos = (nowSec - 3600) * second
        for i in 0..<3 {
            let name = "sim-pd-\(i)"
            c.members.append(SimPDMember(name: name, memberId: 0x8000_0000_0000_0000 | c.rng.next(),
                                      peerURLs: ["http://\(name).sim-pd-peer.sim.svc:2380"],
                                      clientURLs: ["http://\(name).sim-pd-peer.sim.svc:2379"]))
        }
        c.leaderName = "sim-pd-0"
        c.clusterId = c.rng.next()
        var sizes = [Int64](repeating: 0, count: n)
        var rng = c.rng
        // Peers first, so each store's used space is known before it is added.
        var regionSpecs: [(PeerList, UInt64, UInt32, UInt64)] = []
        regionSpecs.reserveCapacity(count)
        var nextId: UInt64 = UInt64(n) + 1
        let k = min(replicas, n)
        let labelled = locationLabels.isEmpty ? nil
            : LabelledPlacement(locationLabels: locationLabels, labels: (0..<n).map { ["zone": "z\($0 % 3 + 1)", "host": "tikv-\($0)"] })
        if !locationLabels.isEmpty { try? c.config.set("replication.location-labels", to: .string(locationLabels.joined(separator: ","))) }
        for _ in 0..<count {
            let rid = nextId
            nextId += 1
            var chosen: [Int] = labelled?.choose(k, of: n, rng: &rng) ?? []
            while chosen.count < k {
                let s = Int(rng.next() % UInt64(n))
                if !chosen.contains(s) { chosen.append(s) }
            }
            var peers = PeerList()
            for s in chosen {
                peers.append(Peer(id: nextId, storeId: UInt32(s + 1)))
                nextId += 1
            }
            let size = UInt32(1 + rng.next() % 96)
            for s in chosen { sizes[s] += Int64(size) }
            let leader = peers[Int(rng.next() % UInt64(k))].id
            regionSpecs.append((peers, leader, size, rid))
        }
        for i in 0..<n {
            let used = UInt64(sizes[i]) << 20
            let capacity: UInt64 = max(1 << 40, used * 2)
            let hb = nowNanos - Int64(rng.next() % 10) * second - Int64(rng.next() % 1_000_000_000)
            c.addStore(StoreRecord(id: UInt64(i + 1), address: "tikv-\(i).tikv-peer.sim.svc:20160",
                                   statusAddress: "tikv-\(i).tikv-peer.sim.svc:20180",
                                   labels: [("zone", "z\(i % 3 + 1)"), ("host", "tikv-\(i)")],
                                   gitHash: "0b35ea4c6d2db3a0fbd0a6cd6a5c8a7f2d3e1c99",
                                   startTimestamp: nowSec - 86400, capacityBytes: capacity,
                                   availableBytes: capacity - used, usedBytes: used, lastHeartbeatNanos: hb))
        }
        c.truth.reserveCapacity(count)
        c.reported.reserveCapacity(count)
        c.keyOrder.reserveCapacity(count)
        for (i, spec) in regionSpecs.enumerated() {
            let code = i == 0 ? 0 : RegionKey.code(table: 100 + UInt32(i / 1000), handle: UInt32(i % 1000) * 1000)
            let written = rng.next() % (4 << 20), read = rng.next() % (16 << 20)
            c.appendRegion(startCode: code, RegionRecord(
                id: spec.3, confVer: UInt64(k) + 2, version: UInt64(i / 1000) + 1, peers: spec.0, leaderPeerId: spec.1,
                approximateSizeMiB: spec.2, approximateKvSizeMiB: spec.2 * 9 / 10, approximateKeys: UInt64(spec.2) * 9000,
                cpuUsage: rng.next() % 100, writtenBytes: written, readBytes: read, writtenKeys: written / 128, readKeys: read / 128))
        }
        c.rng = rng
        c.reserveIds(above: nextId)
        return c
    }
}
