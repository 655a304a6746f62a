import Testing
@testable import TiKVSimulator

/// How running operators end over virtual time: TIMEOUT on a lagging leader-transfer target, CANCEL as stale, CANCEL
/// for an add that lost the epoch race, and records that overwrite each other.
@Suite struct OperatorLifecycleTests {
    static func cluster(stores: Int = 4) throws -> ClusterState {
        var c = ClusterState.generated(stores: stores, regions: 60, seed: 13)
        for name in ["balance-leader-scheduler", "balance-region-scheduler", "balance-hot-region-scheduler"] {
            try c.pauseScheduler(name: name, delaySeconds: 86_400)
        }
        c.advance(seconds: 20)
        return c
    }

    static func region(_ c: ClusterState) throws -> (RegionRecord, follower: UInt32, absent: UInt32) {
        for r in c.reported where r.known && r.peers.count == 3 {
            guard let l = r.leaderStoreId, let f = r.peers.first(where: { $0.storeId != l })?.storeId,
                  let a = c.stores.map({ UInt32($0.id) }).first(where: { r.peers.index(ofStore: $0) == nil }) else { continue }
            return (r, f, a)
        }
        throw PDError(0, "no region")
    }

    // TiKV refuses leadership to a lagging follower; PD times the step out (step.go fast step: 60 s).
    @Test func transferToASlowTargetEndsTimeoutAtTheStepTimeout() throws {
        var c = try Self.cluster()
        let (r, follower, _) = try Self.region(c)
        let fault = try c.inject(Fault(kind: .slow, store: UInt64(follower), factor: 10))
        try c.createAdminOperator(.transferLeader(region: r.id, toStore: UInt64(follower)))
        c.advance(seconds: 59)
        #expect(c.operators[r.id]?.status == .running)
        c.advance(seconds: 2)
        let rec = try #require(c.records[r.id])
        #expect(rec.status == .timeout && rec.text(monotonicBase: 0).hasSuffix(" timeout"))
        #expect(c.reported[try #require(c.slot(ofRegion: r.id))].leaderStoreId != follower)
        // Once the store is fast again the same transfer succeeds in a tick.
        try c.revert(faultId: fault)
        try c.createAdminOperator(.transferLeader(region: r.id, toStore: UInt64(follower)))
        c.advance(seconds: 2)
        #expect(c.records[r.id]?.status == .success)
    }

    // A store that came back lags for a while (logsCaughtUpAtNanos); the step waits, then succeeds.
    @Test func transferToARestartedTargetWaitsForItsLogs() throws {
        var c = try Self.cluster()
        let (r, follower, _) = try Self.region(c)
        let kill = try c.inject(Fault(kind: .kill, store: UInt64(follower)))
        c.advance(seconds: 5)
        try c.revert(faultId: kill)
        c.advance(seconds: 2)
        try c.createAdminOperator(.transferLeader(region: r.id, toStore: UInt64(follower)))
        c.advance(seconds: 5)
        #expect(c.operators[r.id] != nil)
        c.advance(seconds: 30)
        #expect(c.records[r.id]?.status == .success)
    }

    // operator_controller.go:208-241 with step.go:1094-1103: an add-learner towards a store down longer than
    // max-store-down-time is cancelled at the next region heartbeat, before its 10-minute timeout.
    @Test func operatorTowardsADownStoreIsCancelledAsStale() throws {
        var c = try Self.cluster()
        try c.config.set("schedule.max-store-down-time", to: .string("2m"))
        let (r, _, absent) = try Self.region(c)
        try c.createAdminOperator(.addLearner(region: r.id, store: UInt64(absent)))
        _ = try c.inject(Fault(kind: .kill, store: UInt64(absent)))
        c.advance(seconds: 100)
        #expect(c.operators[r.id] != nil)
        var cancelled: SimOperator?
        for _ in 0..<120 where cancelled == nil {
            c.advance(seconds: 1)
            if let rec = c.records[r.id], rec.desc == "admin-add-learner" { cancelled = rec }
        }
        let rec = try #require(cancelled)
        #expect(rec.status == .cancel && c.endedOperatorCounts["admin-add-learner CANCEL"] == 1)
        // v8.5.7 prints no cancel reason in the operator text.
        #expect(!rec.recordText(monotonicBase: 0).contains("stale"))
        // The rule checker then removes the orphan learner, and its record overwrites the CANCEL one.
        c.advance(seconds: 30)
        #expect(c.records[r.id]?.desc == "remove-orphan-peer")
    }

    // operator_controller.go:226-239: conf_ver moved by something the steps do not explain → CANCEL.
    @Test func operatorWhoseRegionChangedUnderItIsCancelled() throws {
        var c = try Self.cluster()
        let (r, _, absent) = try Self.region(c)
        let i = try #require(c.storeIndex(UInt64(absent)))
        c.stores[i].snapshotBytesPerSecond = 1 // the add-learner step stays in flight
        try c.createAdminOperator(.addLearner(region: r.id, store: UInt64(absent)))
        c.advance(seconds: 2)
        let slot = try #require(c.slot(ofRegion: r.id))
        c.truth[slot].confVer += 1 // another conf change PD did not order
        c.heartbeatRegion(slot: slot)
        #expect(c.operators[r.id] == nil && c.records[r.id]?.status == .cancel)
    }

    // operator_controller.go:444-462, 775: the region's epoch changed between PD's read and the add → ErrAddOperator,
    // and the refused operator's CANCEL record overwrites the region's previous record.
    @Test func epochRaceRefusesTheAddAndOverwritesTheRecord() throws {
        var c = try Self.cluster()
        let (r, follower, _) = try Self.region(c)
        try c.createAdminOperator(.transferLeader(region: r.id, toStore: UInt64(follower)))
        c.advance(seconds: 2)
        #expect(c.records[r.id]?.status == .success)
        let slot = try #require(c.slot(ofRegion: r.id))
        let leader = try #require(c.reported[slot].leaderStoreId)
        let op = try c.buildAdminOperator(.removePeer(region: r.id, store: UInt64(try #require(c.reported[slot].peers.first { $0.storeId != leader }?.storeId))))
        // PD hears of a split or conf change before the add.
        c.truth[slot].version += 1
        c.heartbeatRegion(slot: slot)
        #expect(throws: PDError.addOperator) { try c.admitOperator(op) }
        let rec = try #require(c.records[r.id])
        #expect(rec.status == .cancel && rec.desc == "admin-remove-peer" && rec.neverStarted)
    }

    // Priority levels (kind.go; operator.go:93-96; evict_leader.go:385; rule_checker.go:232, 307-310).
    @Test func priorityFollowsTheProducer() {
        #expect(OperatorPriority.of(desc: "admin-transfer-leader", kind: [.admin, .leader]) == .urgent)
        #expect(OperatorPriority.of(desc: "evict-leader-scheduler", kind: [.leader]) == .urgent)
        #expect(OperatorPriority.of(desc: "evict-slow-store-scheduler", kind: [.leader]) == .urgent)
        #expect(OperatorPriority.of(desc: "replace-rule-offline-peer", kind: [.replica, .region]) == .high)
        #expect(OperatorPriority.of(desc: "add-rule-peer", kind: [.replica, .region]) == .high)
        #expect(OperatorPriority.of(desc: "balance-leader-scheduler", kind: [.leader]) == .medium)
        #expect(OperatorPriority.of(desc: "shuffle-leader-scheduler", kind: [.leader]) == .low)
    }

    // An admin operator replaces a Medium one (REPLACE record); a Medium one cannot replace an admin one.
    @Test func onlyAStrictlyHigherPriorityReplaces() throws {
        var c = try Self.cluster()
        let (r, follower, _) = try Self.region(c)
        let slot = try #require(c.slot(ofRegion: r.id))
        let leader = try #require(r.leaderStoreId)
        try c.addOperator(slot: slot, desc: "balance-leader-scheduler", brief: "transfer leader: store \(leader) to \(follower)",
                          kind: [.leader], steps: [.transferLeader(from: leader, to: follower)])
        try c.createAdminOperator(.transferLeader(region: r.id, toStore: UInt64(follower)))
        #expect(c.records[r.id]?.status == .replaced && c.operators[r.id]?.desc == "admin-transfer-leader")
        #expect(throws: PDError.addOperator) {
            try c.addOperator(slot: slot, desc: "balance-leader-scheduler", brief: "", kind: [.leader], steps: [.transferLeader(from: leader, to: follower)])
        }
    }
}
