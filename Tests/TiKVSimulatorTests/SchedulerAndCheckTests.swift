import Foundation
import Testing
@testable import TiKVSimulator

@Suite struct SchedulerTests {
    /// Every leader on store 1 (a skewed start), or every peer on stores 1–3 of six.
    static func skewedLeaders(paused: Bool = false) throws -> ClusterState {
        var c = ClusterState.generated(stores: 4, regions: 400, seed: 21)
        if paused { try c.pauseScheduler(name: "all", delaySeconds: 3600) }
        _ = try c.inject(Fault(kind: .leaderSkew, store: 1))
        c.advance(seconds: 1)
        return c
    }

    func spread(_ xs: [Int]) -> Int { (xs.max() ?? 0) - (xs.min() ?? 0) }

    @Test func balanceLeaderConvergesASkewedCluster() throws {
        var c = try Self.skewedLeaders()
        #expect(spread(c.storeStats.map(\.leaderCount)) > 100)
        c.advance(seconds: 1800)
        let counts = c.storeStats.map(\.leaderCount)
        // Within PD's tolerance of 5 leaders (plus the one in flight) of each other.
        #expect(spread(counts) <= 12, "\(counts)")
    }

    @Test func pausedBalanceLeaderDoesNothing() throws {
        var c = try Self.skewedLeaders(paused: true)
        let before = c.storeStats.map(\.leaderCount)
        c.advance(seconds: 600)
        #expect(c.storeStats.map(\.leaderCount) == before)
        #expect(!c.records.values.contains { $0.desc == "balance-leader-scheduler" })
        // Resuming (delay 0) lets it work again.
        try c.pauseScheduler(name: "balance-leader-scheduler", delaySeconds: 0)
        c.advance(seconds: 60)
        #expect(c.storeStats.map(\.leaderCount) != before)
    }

    static func emptyNewStores() -> ClusterState {
        // Three loaded stores and three empty ones joining.
        var c = ClusterState.generated(stores: 3, regions: 300, seed: 4)
        for id in 4...6 {
            let s = c.stores[0]
            c.addStore(StoreRecord(id: UInt64(id), address: "tikv-\(id - 1).tikv-peer.sim.svc:20160",
                                   statusAddress: "tikv-\(id - 1).tikv-peer.sim.svc:20180", startTimestamp: s.startTimestamp,
                                   capacityBytes: s.capacityBytes, availableBytes: s.capacityBytes, usedBytes: 0,
                                   lastHeartbeatNanos: c.nowNanos))
        }
        return c
    }

    @Test func balanceRegionFillsNewStores() throws {
        var c = Self.emptyNewStores()
        c.advance(seconds: 3600)
        let counts = c.storeStats.map(\.regionCount)
        let mean = Double(counts.reduce(0, +)) / Double(counts.count)
        #expect(counts.allSatisfy { abs(Double($0) - mean) <= mean * 0.1 }, "\(counts)")
        #expect(c.truth.allSatisfy { $0.peers.count == 3 })
        // The per-store index follows every move.
        for (i, st) in c.stores.enumerated() {
            let scanned = Set(c.reported.indices.filter { c.reported[$0].peers.index(ofStore: UInt32(st.id)) != nil }.map(Int32.init))
            #expect(c.storeSlots[i] == scanned)
        }
    }

    @Test func pausedBalanceRegionDoesNothing() throws {
        var c = Self.emptyNewStores()
        try c.pauseScheduler(name: "balance-region-scheduler", delaySeconds: 7200)
        c.advance(seconds: 600)
        #expect(c.storeStats[3...].allSatisfy { $0.regionCount == 0 })
    }
}

@Suite struct RegionCheckTests {
    func check(_ c: ClusterState, _ name: String) -> [UInt64] {
        c.reported.filter { $0.known && c.regionMatches(check: name, $0) }.map(\.id)
    }

    @Test func deadStoreGivesDownAndPendingPeersThenReplacementClearsThem() throws {
        var c = ClusterState.generated(stores: 4, regions: 80, seed: 2)
        try c.config.set("schedule.max-store-down-time", to: .string("15m"))
        #expect(check(c, "down-peer").isEmpty && check(c, "miss-peer").isEmpty)
        _ = try c.inject(Fault(kind: .kill, store: 4))
        let onDead = Set(c.truth.filter { $0.peers.index(ofStore: 4) != nil }.map(\.id))
        c.advance(seconds: 12 * 60)
        #expect(Set(check(c, "down-peer")) == onDead)
        #expect(Set(check(c, "pending-peer")) == onDead)
        c.advance(seconds: 90 * 60)
        #expect(check(c, "down-peer").isEmpty)
        #expect(check(c, "miss-peer").isEmpty)
        #expect(check(c, "extra-peer").isEmpty)
        #expect(!c.truth.contains { $0.peers.index(ofStore: 4) != nil })
    }

    @Test func missPeerAfterPeerRemovalIsMadeUp() throws {
        var c = ClusterState.generated(stores: 4, regions: 20, seed: 8)
        let r = c.reported[3]
        let victim = try #require(r.peers.first { $0.id != r.leaderPeerId })
        try c.createAdminOperator(.removePeer(region: r.id, store: UInt64(victim.storeId)))
        c.advance(seconds: 1)
        #expect(check(c, "miss-peer") == [r.id])
        c.advance(seconds: 120)
        #expect(check(c, "miss-peer").isEmpty)
    }

    @Test func offlinePeersWhileRemovingThenNone() throws {
        var c = ClusterState.generated(stores: 4, regions: 40, seed: 5)
        let onStore = Set(c.reported.filter { $0.peers.index(ofStore: 2) != nil }.map(\.id))
        try c.removeStore(2, force: false)
        #expect(Set(check(c, "offline-peer")) == onStore)
        c.advance(seconds: 3600)
        #expect(check(c, "offline-peer").isEmpty)
        #expect(c.store(2)?.state == .tombstone)
    }

    @Test func learnerAndPendingDuringAddLearner() throws {
        var c = ClusterState.generated(stores: 4, regions: 20, seed: 9)
        let slot = try #require(c.reported.indices.first { c.reported[$0].peers.index(ofStore: 4) == nil })
        let rid = c.reported[slot].id
        c.stores[3].snapshotBytesPerSecond = 1024 // a very slow snapshot, so the learner stays pending
        try c.createAdminOperator(.addLearner(region: rid, store: 4))
        c.advance(seconds: 1)
        #expect(check(c, "learner-peer") == [rid])
        #expect(check(c, "pending-peer") == [rid])
        #expect(check(c, "extra-peer") == [rid])
    }

    @Test func emptyRegionsAreTheOneMiBOnes() {
        let c = ClusterState.fixtureClusterA()
        #expect(Set(check(c, "empty-region")) == [2, 20])
        #expect(Set(check(c, "oversized-region")) == [24])
    }
}
