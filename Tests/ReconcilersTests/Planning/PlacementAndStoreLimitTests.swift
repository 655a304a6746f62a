import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// The legality rule's two PD inputs beyond the store filter: placement rules (who may lead or hold a region) and
/// the add-peer store limit (a wait, not a refusal).
@Suite struct PlacementAndStoreLimitTests {
    typealias F = PlanningFixtures
    typealias Rule = PlacementRuleTable.Rule

    /// Four stores in zones z1…z4: the legality rule's own fixture.
    static func snapshot(_ edit: (inout ClusterSnapshot) -> Void = { _ in }) -> ClusterSnapshot {
        TargetLegalityTests.snapshot(edit)
    }

    /// Store 4's zone holds followers only: two voters elsewhere, one follower in z4.
    static let followersInZ4 = [
        Rule(groupID: "pd", id: "default", role: "voter", count: 2,
             labelConstraints: [PlacementLabelConstraint(key: "zone", op: "notIn", values: ["z4"])]),
        Rule(groupID: "pd", id: "z4-follower", role: "follower", count: 1,
             labelConstraints: [PlacementLabelConstraint(key: "zone", op: "in", values: ["z4"])]),
    ]

    static func region(_ id: UInt64, leader: UInt64, voters: [UInt64], learners: [UInt64] = [], keys: RegionKeyRange? = nil) -> RegionPlacement {
        RegionPlacement(id: id, leaderStoreID: leader, voterStoreIDs: voters, learnerStoreIDs: learners, approximateSizeMiB: 96, keys: keys)
    }

    // MARK: placement rules

    @Test func aStoreNoRuleLetsLeadIsNoLeaderTargetButTakesPeers() {
        let s = Self.snapshot { $0.placement = PlacementRuleTable(enabled: true, rules: Self.followersInZ4) }
        let legality = TargetLegality(snapshot: s)
        guard case .placementRule(.leader, let rules)? = legality.refusal(store: 4, as: .leader) else {
            Issue.record("store 4 should be refused as a leader target")
            return
        }
        #expect(rules.contains("pd/default"))
        #expect(legality.refusal(store: 4, as: .leader)?.rule == "PlacementRule")
        #expect(legality.refusal(store: 4, as: .peer) == nil)
        #expect(legality.refusal(store: 1, as: .leader) == nil)
        // The standing names the rule and why.
        let standing = legality.standings.first { $0.storeID == 4 }
        #expect(standing?.leader?.hasPrefix("PlacementRule: no leader or voter placement rule admits its labels (pd/default (voter ×2: zone notIn [z4]))") == true)
        // Disabled rules bind nothing, whatever they say.
        let off = Self.snapshot { $0.placement = PlacementRuleTable(enabled: false, rules: Self.followersInZ4) }
        #expect(TargetLegality(snapshot: off).refusal(store: 4, as: .leader) == nil)
    }

    @Test func aTransferLeaderToAFollowerOnlyPeerIsRefusedNamingTheRule() {
        let s = Self.snapshot { $0.placement = PlacementRuleTable(enabled: true, rules: Self.followersInZ4) }
        let legality = TargetLegality(snapshot: s)
        let r = Self.region(7, leader: 1, voters: [1, 2, 4])
        let refusal = legality.moveRefusal(.transferLeader(region: 7, from: 1, to: 4), region: r)
        // The store-level refusal comes first and names the rules.
        #expect(refusal?.hasPrefix("target store 4 is not a legal leader target: no leader or voter placement rule admits its labels (pd/default") == true)
        #expect(legality.targetRefusal(.transferLeader(region: 7, from: 1, to: 4), region: r)?.rule == "PlacementRule")
        #expect(legality.moveRefusal(.transferLeader(region: 7, from: 1, to: 2), region: r) == nil)
        // Peers: z3 fits pd/default; z4's follower rule admits a voter too (the controller matches labels and roles,
        // not counts: PD's rule checker decides which peer is surplus).
        #expect(legality.moveRefusal(.transferPeer(region: 7, from: 2, to: 3), region: r) == nil)
        let r2 = Self.region(8, leader: 1, voters: [1, 2, 3])
        #expect(legality.moveRefusal(.transferPeer(region: 8, from: 3, to: 4), region: r2) == nil)
    }

    @Test func rangedRulesDecideByTheRegionsKeys() {
        // Keys 0x…: [“”, 74A0) default voters anywhere; [74A0, 74B0) leaders only in z1; [74B0, “”) default again.
        let rules = [
            Rule(groupID: "pd", id: "default", role: "voter", count: 3),
            Rule(groupID: "table", id: "z1-leader", groupIndex: 1, groupOverride: true, startKey: "74a0", endKey: "74b0", role: "leader", count: 1,
                 labelConstraints: [PlacementLabelConstraint(key: "zone", op: "in", values: ["z1"])]),
            Rule(groupID: "table", id: "followers", groupIndex: 1, groupOverride: true, startKey: "74a0", endKey: "74b0", role: "follower", count: 2),
        ]
        let s = Self.snapshot { $0.placement = PlacementRuleTable(enabled: true, rules: rules) }
        #expect(s.placement.needsRegionKeys)
        #expect(s.placement.segments.map(\.start) == ["", "74A0", "74B0"])
        #expect(s.placement.segments[1].apply.map(\.name) == ["table/followers", "table/z1-leader"])
        let legality = TargetLegality(snapshot: s)
        let inside = Self.region(1, leader: 1, voters: [1, 2, 3], keys: RegionKeyRange(start: "74A1", end: "74A2"))
        let outside = Self.region(2, leader: 1, voters: [1, 2, 3], keys: RegionKeyRange(start: "74B1", end: ""))
        let across = Self.region(3, leader: 1, voters: [1, 2, 3], keys: RegionKeyRange(start: "749F", end: "74A5"))
        let unkeyed = Self.region(4, leader: 1, voters: [1, 2, 3])
        let move = { (r: RegionPlacement) in Action.transferLeader(region: r.id, from: 1, to: 2) }
        // Inside the table only z1 leads; the group override drops pd/default there.
        #expect(legality.moveRefusal(move(inside), region: inside)?.hasPrefix("PlacementRule: no leader or voter rule of region 1 admits store 2's labels (table/z1-leader") == true)
        #expect(legality.targetRefusal(move(inside), region: inside)?.rule == "PlacementRule")
        #expect(legality.moveRefusal(move(outside), region: outside) == nil)
        // Across a boundary PD builds nothing; without keys the controller cannot tell and waits (no drop).
        #expect(legality.moveRefusal(move(across), region: across)?.contains("spans a placement-rule range boundary") == true)
        #expect(legality.targetRefusal(move(across), region: across)?.rule == "PlacementRule")
        #expect(legality.moveRefusal(move(unkeyed), region: unkeyed)?.contains("keys were not observed") == true)
        #expect(legality.targetRefusal(move(unkeyed), region: unkeyed) == nil)
        // No store is ruled out as a whole: store 2 may lead outside the table.
        #expect(legality.refusal(store: 2, as: .leader) == nil)
    }

    @Test func peerTargetsMustMatchARuleOfThePeersRole() {
        // TiFlash-like: a learner rule for `engine=tiflash`; store 4 carries that exclusive label.
        let rules = [
            Rule(groupID: "pd", id: "default", role: "voter", count: 3),
            Rule(groupID: "tiflash", id: "learners", role: "learner", count: 1,
                 labelConstraints: [PlacementLabelConstraint(key: "engine", op: "in", values: ["tiflash"])]),
        ]
        let s = Self.snapshot {
            $0.placement = PlacementRuleTable(enabled: true, rules: rules)
            $0.stores[3].labels["engine"] = "tiflash"
        }
        let legality = TargetLegality(snapshot: s)
        let r = Self.region(5, leader: 1, voters: [1, 2], learners: [3])
        // A voter never goes to the TiFlash store (an exclusive label no voter rule names), a learner only there.
        #expect(legality.moveRefusal(.transferPeer(region: 5, from: 2, to: 4), region: r)?.contains("no voter rule of region 5") == true)
        #expect(legality.moveRefusal(.transferPeer(region: 5, from: 3, to: 4), region: r) == nil)
        #expect(legality.moveRefusal(.transferPeer(region: 5, from: 3, to: 1), region: r) != nil)  // already holds a peer
        let r2 = Self.region(6, leader: 1, voters: [1, 2], learners: [4])
        #expect(legality.moveRefusal(.transferPeer(region: 6, from: 2, to: 3), region: r2) == nil)
        #expect(legality.moveRefusal(.transferPeer(region: 6, from: 4, to: 3), region: r2)?.contains("no learner rule") == true)
        // The TiFlash store never leads.
        #expect(legality.refusal(store: 4, as: .leader)?.rule == "PlacementRule")
    }

    @Test func rulesEnabledButUnreadRefuseEveryMoveWithoutDroppingIt() {
        let s = Self.snapshot { $0.placement = PlacementRuleTable(enabled: true, rules: nil) }
        let legality = TargetLegality(snapshot: s)
        let r = Self.region(7, leader: 1, voters: [1, 2, 3])
        #expect(legality.moveRefusal(.transferLeader(region: 7, from: 1, to: 2), region: r) == "PD's placement rules are enabled but were not read")
        #expect(legality.targetRefusal(.transferLeader(region: 7, from: 1, to: 2), region: r) == nil)
        #expect(!legality.placementAllows(region: r, store: 2, as: .leader))
    }

    @Test func groupAndRuleOverridesFollowPD() {
        // rule.go's example: group 4 (rules 1 and 2, override), group 3 (group_override), group 2 → only 3/C and 4/2.
        let rules = [
            Rule(groupID: "4", id: "2", groupIndex: 0, override: true, role: "voter", count: 1),
            Rule(groupID: "4", id: "1", groupIndex: 0, override: true, role: "voter", count: 1),
            Rule(groupID: "3", id: "C", groupIndex: 0, groupOverride: true, role: "voter", count: 1),
            Rule(groupID: "2", id: "D", groupIndex: 0, role: "voter", count: 1),
        ]
        let table = PlacementRuleTable(enabled: true, rules: rules)
        #expect(table.segments.count == 1)
        #expect(table.segments[0].apply.map(\.name) == ["3/C", "4/2"])
    }

    @Test func bundlesFromPDKeepTheirGroupsAndConstraints() throws {
        let json = #"""
        [{"group_id":"pd","group_index":0,"group_override":false,"rules":[
          {"group_id":"pd","id":"default","start_key":"","end_key":"","role":"voter","is_witness":false,"count":2,
           "label_constraints":[{"key":"zone","op":"notIn","values":["z4"]}]},
          {"group_id":"pd","id":"z4","start_key":"","end_key":"","role":"follower","is_witness":false,"count":1,
           "label_constraints":[{"key":"zone","op":"in","values":["z4"]}]}]}]
        """#
        let bundles = try JSONDecoder().decode([PlacementRuleBundle].self, from: Data(json.utf8))
        let table = PlacementRuleTable(enabled: true, bundles: bundles)
        #expect(table.rules?.map(\.name) == ["pd/default", "pd/z4"])
        #expect(table.rules?.first?.labelConstraints == [PlacementLabelConstraint(key: "zone", op: "notIn", values: ["z4"])])
        let s = Self.snapshot { $0.placement = table }
        #expect(TargetLegality(snapshot: s).refusal(store: 4, as: .leader)?.rule == "PlacementRule")
    }

    // MARK: store limits

    /// Store 2's add-peer rate is `rate`/min; `ops` are running operators adding a peer there, admitted `ago` seconds
    /// before the observation, each on a region of `size` MiB.
    static func limited(rate: Double = 15, ops: [(ago: TimeInterval, size: Int64)], version: String = "v1") -> ClusterSnapshot {
        Self.snapshot { s in
            s.settings.storeLimits = StoreLimitSettings(version: version, addPeerPerMinute: [2: rate])
            s.operators = ops.enumerated().map { i, op in
                OperatorSnapshot(regionID: UInt64(100 + i), description: "admin-move-peer", admittedAt: F.now.addingTimeInterval(-op.ago),
                                 addsPeerOn: [2], sizeMiB: op.size)
            }
        }
    }

    @Test func theBucketReplaysPDsRunningOperators() throws {
        // 15/min: 1000 tokens, 250 a second. One normal region 1 s ago leaves 250.
        let one = StoreLimitEstimate(snapshot: Self.limited(ops: [(1, 96)]))
        let t = try #require(one.tokens(store: 2, at: F.now))
        #expect(t.capacity == 1000 && t.refill == 250 && abs(t.tokens - 250) < 1e-6)
        let wait = try #require(one.wait(store: 2, regionSizeMiB: 96, at: F.now))
        #expect(abs(wait.seconds - 3) < 1e-6)
        // A small region costs 200: it fits now. An empty one costs nothing.
        #expect(one.wait(store: 2, regionSizeMiB: 10, at: F.now) == nil)
        #expect(one.wait(store: 2, regionSizeMiB: 1, at: F.now) == nil)
        // 4 s later the bucket is full again.
        #expect(one.wait(store: 2, regionSizeMiB: 96, at: F.now.addingTimeInterval(3)) == nil)
        // Other stores are untouched.
        #expect(one.wait(store: 1, regionSizeMiB: 96, at: F.now) == nil)
    }

    @Test func anOperatorPastAnEmptyBucketTakesNothing() throws {
        // Two normal regions 1 s apart at 15/min: the second found 250 tokens (Urgent, admitted anyway) and took none.
        let e = StoreLimitEstimate(snapshot: Self.limited(ops: [(2, 96), (1, 96)]))
        let t = try #require(e.tokens(store: 2, at: F.now))
        #expect(abs(t.tokens - 500) < 1e-6)
        #expect(t.operators == 2)
    }

    @Test func unlimitedZeroAndV2RatesNeverWait() {
        #expect(StoreLimitEstimate(snapshot: Self.limited(rate: StoreLimitSettings.unlimited, ops: [(0, 96)])).wait(store: 2, regionSizeMiB: 96, at: F.now) == nil)
        #expect(StoreLimitEstimate(snapshot: Self.limited(rate: 0, ops: [(0, 96)])).wait(store: 2, regionSizeMiB: 96, at: F.now) == nil)
        #expect(StoreLimitEstimate(snapshot: Self.limited(ops: [(0, 96)], version: "v2")).wait(store: 2, regionSizeMiB: 96, at: F.now) == nil)
        // A fast rate has a deeper bucket: 600/min holds 10 000 tokens.
        #expect(StoreLimitEstimate.bucket(ratePerMinute: 600)?.capacity == 10_000)
    }

    @Test func aTargetAtItsLimitIsLegalButShowsAsWaiting() {
        let s = Self.limited(ops: [(0.5, 96)])
        let legality = TargetLegality(snapshot: s)
        #expect(legality.refusal(store: 2, as: .peer) == nil)
        let standing = legality.standings.first { $0.storeID == 2 }
        #expect(standing?.peer == "StoreLimit: at its add-peer store limit (15 operators/min) after 1 running operator(s) adding peers there")
        #expect(standing?.leader == nil)
    }
}
