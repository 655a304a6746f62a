/// The fixtures' "cluster A" (`/work/shared/pd/fixtures/README.md`): 3 healthy stores, 6 regions, an admin
/// transfer-leader in flight on region 24, observed at 2025-06-10T08:00:00Z.
extension ClusterState {
    public static let fixtureObservationNanos: Int64 = 1_749_542_400 * second

    public static func fixtureClusterA() -> ClusterState {
        var c = ClusterState(nowNanos: fixtureObservationNanos, seed: 1)
        c.clusterId = 7_512_310_118_539_536_325
        c.pdStartTimestamp = 1_749_096_001
        c.raftBootstrapNanos = 1_749_096_003_118_824_117
        c.monotonicBaseNanos = 1_749_542_398_157_922_689 - 887_986_276_253_693
        let ids: [(String, UInt64)] = [("basic-pd-0", 5_263_158_093_541_312_339), ("basic-pd-1", 13_088_853_698_788_547_064),
                                       ("basic-pd-2", 16_543_726_103_518_624_891)]
        c.members = ids.map { name, id in
            SimPDMember(name: name, memberId: id, peerURLs: ["http://\(name).basic-pd-peer.tidb.svc:2380"],
                     clientURLs: ["http://\(name).basic-pd-peer.tidb.svc:2379"])
        }
        c.members[2].healthy = false
        c.leaderName = "basic-pd-1"

        // (id, ordinal, start ts, last heartbeat ns, available bytes, used bytes, slow-trend cause/result)
        let stores: [(UInt64, Int, Int64, Int64, UInt64, UInt64, Double, Double)] = [
            (1, 0, 1_749_096_005, 1_749_542_396_482_796_882, 1_056_151_298_048, 688_075_571, 0.000012, 612),
            (4, 1, 1_749_096_011, 1_749_542_391_995_078_623, 1_055_913_877_504, 702_545_920, 0.000024, 629),
            (5, 2, 1_749_096_013, 1_749_542_398_723_559_908, 1_056_372_752_384, 679_477_248, 0.000036, 646),
        ]
        for (id, ord, start, hb, avail, used, cause, result) in stores {
            let host = "basic-tikv-\(ord)"
            var s = StoreRecord(id: id, address: "\(host).basic-tikv-peer.tidb.svc:20160",
                                statusAddress: "\(host).basic-tikv-peer.tidb.svc:20180", labels: [("host", host)],
                                version: "8.5.1", gitHash: "0b35ea4c6d2db3a0fbd0a6cd6a5c8a7f2d3e1c99", deployPath: "/",
                                startTimestamp: start, capacityBytes: 1 << 40, availableBytes: avail, usedBytes: used,
                                lastHeartbeatNanos: hb)
            s.slowTrend = .init(causeValue: cause, causeRate: 0, resultValue: result, resultRate: 0)
            c.addStore(s)
        }
        // (id, start table, version, peer ids, leader peer, size, keys, kv, cpu, written, read, wkeys, rkeys)
        let regions: [(UInt64, UInt32, UInt64, [UInt64], UInt64, UInt32, UInt64, UInt32, UInt64, UInt64, UInt64, UInt64, UInt64)] = [
            (2, 0, 3, [3, 6, 7], 3, 1, 0, 0, 0, 0, 0, 0, 0),
            (8, 5, 4, [9, 10, 11], 10, 96, 893_114, 86, 41, 1_153_433, 25_165_824, 9117, 193_010),
            (12, 7, 5, [13, 14, 15], 15, 54, 412_876, 48, 9, 524_288, 3_145_728, 4096, 24576),
            (16, 9, 6, [17, 18, 19], 17, 120, 1_210_377, 108, 137, 2_097_152, 58_720_256, 16384, 458_752),
            (20, 11, 7, [21, 22, 23], 22, 1, 0, 0, 0, 0, 0, 0, 0),
            (24, 104, 7, [25, 26, 27], 27, 210, 2_094_771, 189, 212, 31_457_280, 8_388_608, 245_760, 65536),
        ]
        for r in regions {
            let peers = PeerList(zip(r.3, [UInt32(1), 4, 5]).map { Peer(id: $0.0, storeId: $0.1) })
            c.appendRegion(startCode: r.1 == 0 ? 0 : RegionKey.code(table: r.1),
                           RegionRecord(id: r.0, confVer: 5, version: r.2, peers: peers, leaderPeerId: r.4,
                                        approximateSizeMiB: r.5, approximateKvSizeMiB: r.7, approximateKeys: r.6,
                                        cpuUsage: r.8, writtenBytes: r.9, readBytes: r.10, writtenKeys: r.11, readKeys: r.12))
        }
        c.reserveIds(above: 1000)
        // Regions heartbeat in step with the fixture's clock: the next one is due a minute after observation.
        var op = SimOperator(regionId: 24, desc: "admin-transfer-leader", brief: "transfer leader: store 5 to 1",
                             kind: [.admin, .leader], epochVersion: 7, epochConfVer: 5, sizeMiB: 210,
                             steps: [.transferLeader(from: 5, to: 1)], createdAtNanos: 1_749_542_398_157_922_689,
                             startAtNanos: 1_749_542_398_158_134_191)
        op.stepStartedNanos = op.startAtNanos
        c.insertOperator(op)
        return c
    }
}
