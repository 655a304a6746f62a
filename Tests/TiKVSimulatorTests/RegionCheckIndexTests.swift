import Testing
@testable import TiKVSimulator

/// The maintained region-check index answers exactly what a full scan answers, through faults, moves,
/// splits and merges.
@Suite struct RegionCheckIndexTests {
    func expectIndexMatchesScan(_ c: ClusterState, _ when: String) {
        let ctx = c.regionCheckContext()
        for kind in ClusterState.RegionCheckKind.allCases {
            #expect(c.regionCheckSlots(kind) == c.scanRegionCheck(kind, ctx), "\(kind.rawValue) at \(when)")
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
