import Testing
@testable import TiKVSimulator

@Suite struct StateMachineTests {
    @Test func deadStoreGoesDisconnectedThenDownAndLosesLeaders() throws {
        var c = ClusterState.generated(stores: 4, regions: 200, seed: 7)
        let i = try #require(c.storeIndex(2))
        let fid = try c.inject(Fault(kind: .kill, store: 2))
        c.advance(seconds: 5)
        #expect(c.stateName(c.stores[i]) == "Up")
        c.advance(seconds: 30)
        #expect(c.stateName(c.stores[i]) == "Disconnected")
        // Leaders moved off the dead store in the truth, and PD saw it via the immediate heartbeat.
        #expect(!c.truth.contains { $0.leaderStoreId == 2 })
        #expect(c.storeStats[i].leaderCount == 0)
        // After 10 min its peers show up as down (and pending).
        c.advance(seconds: 11 * 60)
        #expect(c.reported.contains { r in r.peers.contains { $0.storeId == 2 && $0.downSeconds >= 600 && $0.pending } })
        c.advance(seconds: 20 * 60)
        #expect(c.stateName(c.stores[i]) == "Down")
        // Replacement starts after max-store-down-time (records stay 10 min, so look soon after).
        c.advance(seconds: 60)
        #expect(c.records.values.contains { $0.desc == "replace-rule-down-peer" } || c.operators.values.contains { $0.desc == "replace-rule-down-peer" })
        try c.revert(faultId: fid)
        c.advance(seconds: 15)
        #expect(c.stateName(c.stores[i]) == "Up")
    }

    @Test func offlineStoreDrainsToTombstone() throws {
        var c = ClusterState.generated(stores: 4, regions: 60, seed: 3)
        try c.removeStore(4, force: false)
        let i = try #require(c.storeIndex(4))
        #expect(c.stateName(c.stores[i]) == "Offline")
        #expect(c.stores[i].nodeState == .removing)
        c.advance(seconds: 3600)
        #expect(c.storeStats[i].regionCount == 0)
        #expect(c.stores[i].state == .tombstone && c.stores[i].nodeState == .removed)
        #expect(throws: PDError.self) { try c.removeStore(4, force: false) }
    }

    @Test func configurableMaxStoreDownTime() throws {
        var c = ClusterState.generated(stores: 3, regions: 10, seed: 1)
        try c.config.set("schedule.max-store-down-time", to: .string("1m"))
        #expect(c.config.maxStoreDownTimeNanos == 60 * ClusterState.second)
        _ = try c.inject(Fault(kind: .partition, store: 1))
        c.advance(seconds: 75)
        #expect(c.stateName(c.stores[0]) == "Down")
        #expect(throws: SimPDConfig.UpdateError.self) { try c.config.set("no-such-key", to: .int(1)) }
    }
}

@Suite struct OperatorTests {
    @Test func transferLeaderTakesATickAndReportsAtOnce() throws {
        var c = ClusterState.fixtureClusterA()
        c.cancelAllOperators()
        try c.createAdminOperator(.transferLeader(region: 8, toStore: 5))
        #expect(throws: PDError.addOperator) { try c.createAdminOperator(.transferLeader(region: 8, toStore: 1)) }
        let slot = try #require(c.slot(ofRegion: 8))
        #expect(c.reported[slot].leaderStoreId == 4)
        c.advance(seconds: 1)
        #expect(c.truth[slot].leaderStoreId == 5)
        #expect(c.reported[slot].leaderStoreId == 5)
        #expect(c.records[8]?.status == .success)
    }

    @Test func transferPeerUsesJointConsensusAndSnapshotTime() throws {
        var c = ClusterState.generated(stores: 4, regions: 20, seed: 9)
        let slot = try #require(c.reported.indices.first { c.reported[$0].peers.index(ofStore: 4) == nil })
        let r = c.reported[slot]
        let from = UInt64(r.peers[0].storeId)
        c.stores[3].snapshotBytesPerSecond = 1_048_576 // 1 MiB/s so the snapshot takes size seconds
        try c.createAdminOperator(.transferPeer(region: r.id, fromStore: from, toStore: 4))
        c.advance(seconds: 1)
        #expect(c.truth[slot].peers.contains { $0.storeId == 4 && $0.role == .learner && $0.pending })
        c.advance(seconds: Double(r.approximateSizeMiB) + 10)
        #expect(c.operators[r.id] == nil)
        #expect(c.truth[slot].peers.index(ofStore: UInt32(from)) == nil)
        #expect(c.truth[slot].peers.contains { $0.storeId == 4 && $0.role == .voter })
        #expect(c.truth[slot].confVer == r.confVer + 1 + 2 + 2 + 1)
    }

    @Test func refusals() throws {
        var c = ClusterState.fixtureClusterA()
        // PD checks for a voter before any store check (handler.go:418-421), so an unknown store reads as "no voter".
        #expect(throws: PDError(500, "region has no voter in store 9")) {
            try c.createAdminOperator(.transferLeader(region: 20, toStore: 9))
        }
        _ = try c.addScheduler(name: "evict-leader-scheduler", storeId: 1)
        #expect(throws: PDError(500, "cannot create operator: target leader is not allowed")) {
            try c.createAdminOperator(.transferLeader(region: 20, toStore: 1))
        }
        #expect(throws: PDError(500, "[PD:region:ErrRegionNotFound]region 999 not found")) {
            try c.createAdminOperator(.transferLeader(region: 999, toStore: 1))
        }
    }

    @Test func evictLeaderDrainsInBatches() throws {
        var c = ClusterState.generated(stores: 3, regions: 90, seed: 5)
        try c.pauseScheduler(name: "balance-leader-scheduler", delaySeconds: 3600)
        let i = try #require(c.storeIndex(1))
        let before = c.storeStats[i].leaderCount
        #expect(before > 3)
        #expect(try c.addScheduler(name: "evict-leader-scheduler", storeId: 1) == "The scheduler is created.")
        #expect(c.pauseLeaderTransferIn(1))
        c.advance(seconds: 1)
        #expect(c.storeStats[i].leaderCount >= before - 3)
        c.advance(seconds: 120)
        #expect(c.storeStats[i].leaderCount == 0)
        #expect(try c.removeScheduler(name: "evict-leader-scheduler-1") == .null)
        #expect(!c.pauseLeaderTransferIn(1))
    }
}
