import Testing
@testable import TiKVSimulator

/// PD's maintained region statistics answer what a full scan answers, through faults, moves, splits and merges,
/// except that offline-peer lags store-state changes (it is a subset of the scan).
@Suite struct RegionCheckIndexTests {
    func expectIndexMatchesScan(_ c: ClusterState, _ when: String) {
        let ctx = c.regionCheckContext()
        for kind in ClusterState.RegionCheckKind.allCases {
            if kind == .offlinePeer {
                // PD's statistics see a store go offline only as each region's heartbeat is saved again
                // (RegionStatsNeedUpdate ignores offline-peer), so they list a subset of a fresh scan.
                #expect(Set(c.regionCheckSlots(kind)).isSubset(of: c.scanRegionCheck(kind, ctx)), "\(kind.rawValue) at \(when)")
            } else {
                #expect(c.regionCheckSlots(kind) == c.scanRegionCheck(kind, ctx), "\(kind.rawValue) at \(when)")
            }
        }
    }

    @Test(arguments: ["makeup-down-replica", "delete-nodes", "kill", "region-split", "region-merge", "import-data"])
    func indexMatchesAScan(name: String) throws {
        var c = try ScenarioCatalog.load(name).makeCluster()
        expectIndexMatchesScan(c, "start")
        for step in 1...12 {
            c.advance(seconds: 300)
            expectIndexMatchesScan(c, "\(step * 300) s")
        }
    }

    @Test func lightChecksListWhatTheyShould() throws {
        var c = try ScenarioCatalog.load("makeup-down-replica").makeCluster()
        #expect(c.regionCheckSlots(.downPeer).isEmpty && c.regionCheckSlots(.missPeer).isEmpty)
        c.advance(seconds: 1200)
        // A dead store's peers show as down after 10 minutes.
        #expect(!c.regionCheckSlots(.downPeer).isEmpty)
        #expect(c.regionCheckSlots(.downPeer).allSatisfy { c.reported[$0].hasDownPeers })
    }
}

/// The maintained tally (region count, size and key histograms) equals a count over the reported view.
@Suite struct ReportedRegionTallyTests {
    @Test(arguments: ["makeup-down-replica", "region-merge", "import-data"])
    func tallyMatchesACount(name: String) throws {
        var c = try ScenarioCatalog.load(name).makeCluster()
        for _ in 0...6 {
            let known = c.reported.filter(\.known)
            #expect(c.knownRegionCount == known.count)
            for bound: Int64 in [1, 10] {
                var sizes: [Int64: Int64] = [:]
                for r in known { sizes[Int64(r.approximateSizeMiB) / bound * bound, default: 0] += 1 }
                #expect(c.tally.histogram(sizes: true, bound: bound).map { "\($0.0):\($0.1)" } == sizes.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" })
            }
            var keys: [Int64: Int64] = [:]
            for r in known { keys[Int64(r.approximateKeys) / 1000 * 1000, default: 0] += 1 }
            #expect(c.tally.histogram(sizes: false, bound: 1000).map { "\($0.0):\($0.1)" } == keys.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" })
            c.advance(seconds: 400)
        }
    }
}

/// The per-store loads the hotspot endpoints print, kept in step with reports, equal a pass over every region.
@Suite struct StoreLoadTests {
    @Test(arguments: ["hot-write", "hot-read", "import-data"])
    func loadsMatchAPass(name: String) throws {
        var c = try ScenarioCatalog.load(name).makeCluster()
        for _ in 0...4 {
            for i in c.stores.indices {
                let sid = UInt32(c.stores[i].id)
                var wb = 0.0, wk = 0.0, rb = 0.0, rk = 0.0
                for r in c.reported where r.known {
                    if r.peers.contains(where: { $0.storeId == sid }) { wb += Double(r.writtenBytes); wk += Double(r.writtenKeys) }
                    if r.leaderStoreId == sid { rb += Double(r.readBytes); rk += Double(r.readKeys) }
                }
                let w = c.storeLoad(index: i, write: true), rd = c.storeLoad(index: i, write: false)
                #expect(w.bytes == wb / 60 && w.keys == wk / 60 && rd.bytes == rb / 60 && rd.keys == rk / 60)
            }
            c.advance(seconds: 300)
        }
    }
}
