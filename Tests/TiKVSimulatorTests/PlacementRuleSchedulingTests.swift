import Testing
@testable import TiKVSimulator

/// Placement rules beyond the default as PD's schedulers, rule checker and region statistics see them, over
/// virtual time. Generated stores carry `zone` z1, z2, z3 in turn (stores 3 and 6 are z3).
@Suite struct PlacementRuleSchedulingTests {
    typealias Rule = PlacementRuleSet.Rule

    /// A leader operator's brief ends with its target store.
    func movesOntoAny(_ op: SimOperator, _ stores: Set<UInt32>) -> Bool {
        op.kind.contains(.leader) && stores.contains { op.brief.hasSuffix("to \($0)") }
    }

    func z3Peers(_ c: ClusterState) -> Set<UInt32> { Set(c.stores.filter { $0.labels.contains { $0 == ("zone", "z3") } }.map { UInt32($0.id) }) }

    /// Voters outside z3 lead; the z3 replica is a follower rule (PD's way to say "z3 never leads"). The rule
    /// checker moves leaders off z3 (`fix-follower-role`), balance-leader never moves one back, and the shared
    /// `allowLeader` refuses z3 peers as leader targets.
    @Test func followerRuleKeepsLeadersOffZ3() throws {
        var c = ClusterState.generated(stores: 6, regions: 300, seed: 12)
        let notZ3 = PlacementRuleSet.LabelConstraint(key: "zone", op: "notIn", values: ["z3"])
        let inZ3 = PlacementRuleSet.LabelConstraint(key: "zone", op: "in", values: ["z3"])
        try c.changeRules(set: [Rule(groupId: "pd", id: "default", role: .voter, count: 2, labelConstraints: [notZ3]),
                                Rule(groupId: "pd", id: "z3", role: .follower, count: 1, labelConstraints: [inZ3])], delete: [])
        #expect(c.config.maxReplicas == 2)
        let z3 = z3Peers(c)
        #expect(c.storeStats.indices.contains { z3.contains(UInt32(c.stores[$0].id)) && c.storeStats[$0].leaderCount > 0 })
        c.advance(seconds: 60)
        #expect(c.operators.values.contains { $0.desc == "fix-follower-role" } || c.records.values.contains { $0.desc == "fix-follower-role" })
        c.advance(seconds: 3600)
        for i in c.stores.indices where z3.contains(UInt32(c.stores[i].id)) {
            #expect(c.storeStats[i].leaderCount == 0, "store \(c.stores[i].id): \(c.storeStats.map(\.leaderCount))")
        }
        #expect(!c.records.values.contains { $0.desc == "balance-leader-scheduler" && movesOntoAny($0, z3) })
        // Every region fits: two voters outside z3 and one in it; the statistics agree.
        #expect(c.regionCheckSlots(.missPeer).isEmpty && c.regionCheckSlots(.extraPeer).isEmpty)
        let r = try #require(c.reported.first { $0.known && $0.peers.contains { z3.contains($0.storeId) } })
        let z3Peer = try #require(r.peers.first { z3.contains($0.storeId) })
        #expect(!c.allowLeader(z3Peer, in: r))
    }

    /// label-property `reject-leader` (filters.go:457-464): no scheduler moves a leader onto a z3 store; the
    /// leaders already there stay (only the optional label-scheduler moves them).
    @Test func rejectLeaderLabelPropertyRefusesZ3AsATarget() throws {
        var c = ClusterState.generated(stores: 6, regions: 300, seed: 13)
        c.config.setLabelProperty("reject-leader", key: "zone", value: "z3")
        let z3 = z3Peers(c)
        _ = try c.inject(Fault(kind: .leaderSkew, store: 1))
        _ = try c.addScheduler(name: "evict-leader-scheduler", storeId: 1)
        c.advance(seconds: 1800)
        let onto = c.records.values.filter { movesOntoAny($0, z3) }
        #expect(onto.isEmpty, "\(onto.map { $0.brief })")
        // Evict-leader empties store 1 except where every other voter is on z3: with no allowed target, PD's
        // eviction leaves those leaders (CONFORMANCE §4).
        let stuck = c.reported.filter { $0.known && $0.leaderStoreId == 1 }
        #expect(stuck.count == c.storeStats[0].leaderCount)
        #expect(stuck.allSatisfy { r in r.peers.allSatisfy { $0.storeId == 1 || z3.contains($0.storeId) } })
        let r = try #require(c.reported.first { $0.known && $0.peers.contains { z3.contains($0.storeId) } && !z3.contains($0.leaderStoreId ?? 0) })
        let p = try #require(r.peers.first { z3.contains($0.storeId) })
        #expect(!c.allowLeader(p, in: r))
        #expect(c.storeFilterRefusal(.leaderTarget, storeIndex: try #require(c.storeIndex(UInt64(p.storeId)))) == .rejectLeader)
    }

    /// PD's optional label-scheduler moves the leaders already on reject-leader stores away.
    @Test func labelSchedulerMovesLeadersOffRejectLeaderStores() throws {
        var c = ClusterState.generated(stores: 6, regions: 300, seed: 16)
        c.config.setLabelProperty("reject-leader", key: "zone", value: "z3")
        let z3 = z3Peers(c)
        let onZ3 = { (c: ClusterState) in c.stores.indices.filter { z3.contains(UInt32(c.stores[$0].id)) }.map { c.storeStats[$0].leaderCount } }
        c.advance(seconds: 600)
        #expect(onZ3(c).allSatisfy { $0 > 0 }, "without label-scheduler the leaders stay: \(onZ3(c))")
        _ = try c.addScheduler(name: "label-scheduler", storeId: nil)
        c.advance(seconds: 30)
        #expect(c.records.values.contains { $0.desc == "label-reject-leader" })
        c.advance(seconds: 1200)
        #expect(onZ3(c) == [0, 0], "\(c.storeStats.map(\.leaderCount))")
    }

    /// A TiFlash-style learner rule. Without a TiFlash store every region misses its learner (miss-peer, as PD's
    /// statistics count the rule's learner in the desired total); once one joins, the rule checker adds a learner
    /// there on every region, learner-peer lists them and miss-peer empties. Voters never go to it, and it
    /// never leads.
    @Test func tiflashLearnerRuleWithAndWithoutATiFlashStore() throws {
        var c = ClusterState.generated(stores: 3, regions: 120, seed: 14)
        var learner = Rule(groupId: "tiflash", id: "learner", role: .learner, count: 1,
                           labelConstraints: [.init(key: "engine", op: "in", values: ["tiflash"])])
        // PD refuses the rule while no store can take it…
        #expect(throws: PDError.self) { try c.changeRules(set: [learner], delete: []) }
        // …but keeps one loaded from its storage before the TiFlash store joined.
        try PlacementRuleSet.adjust(&learner, groupId: "", storeLabels: [], maxReplicas: 3)
        try c.placement.commit(set: [learner], delete: [], nowSeconds: 0)
        c.advance(seconds: 60)
        // The rule's learner counts in the desired total. PD's statistics list a region once they observe it again (a
        // saved heartbeat; a rule change alone refreshes no miss-peer entry), so the fresh evaluation is what they
        // converge to.
        #expect(c.scanRegionCheck(.missPeer, c.regionCheckContext()).count == c.regionCount)
        #expect(c.regionCheckSlots(.learnerPeer).isEmpty)
        let s = c.stores[0]
        c.addStore(StoreRecord(id: 4, address: "tiflash-0.tiflash-peer.sim.svc:3930", statusAddress: "tiflash-0.tiflash-peer.sim.svc:20292",
                               labels: [("engine", "tiflash")], startTimestamp: s.startTimestamp, capacityBytes: s.capacityBytes,
                               availableBytes: s.capacityBytes, usedBytes: 0, lastHeartbeatNanos: c.nowNanos))
        c.advance(seconds: 3600)
        #expect(c.regionCheckSlots(.missPeer).isEmpty)
        #expect(c.regionCheckSlots(.learnerPeer).count == c.regionCount)
        let tiflash = try #require(c.storeIndex(4))
        #expect(c.storeStats[tiflash].learnerCount == c.regionCount && c.storeStats[tiflash].leaderCount == 0)
        #expect(c.truth.allSatisfy { r in r.peers.filter { $0.storeId == 4 }.allSatisfy { $0.role == .learner } })
        #expect(c.truth.allSatisfy { $0.peers.filter { $0.role == .voter }.count == 3 })
    }

    /// Rules for a key range apply only to the regions inside it; a region across the boundary matches none,
    /// so PD counts it extra-peer until it is split (region_collection.go:199-208 with an empty rule list).
    @Test func rangedRuleAppliesInsideItsRange() throws {
        var c = ClusterState.generated(stores: 4, regions: 3000, seed: 15)
        // Slot 1500's region starts the range; the range ends where slot 2499's region ends.
        let startHex = RegionKey.hex(code: c.startCode(slot: 1500)), endHex = RegionKey.hex(code: c.endCode(slot: 2499))
        let ranged = Rule(groupId: "pd", id: "four", role: .voter, count: 4, startKeyHex: startHex, endKeyHex: endHex)
        var override = ranged
        override.override = true
        try c.changeRules(set: [override], delete: [])
        #expect(c.placement.uniform == nil)
        #expect(c.desiredReplicas(slot: 1500) == 4 && c.desiredReplicas(slot: 2499) == 4)
        #expect(c.desiredReplicas(slot: 1499) == 3 && c.desiredReplicas(slot: 2500) == 3)
        #expect(c.regionCheckSlots(.missPeer).count == 1000)
    }
}
