import Foundation
import Testing
import TestSupport
@testable import PDWire

@Suite struct ClusterDecodingTests {
    @Test func membersKeepIdsAboveInt64Max() throws {
        let m = try PDFixtures.decode(PDMembers.self, "members.json")
        #expect(m.clusterID == 7_512_310_118_539_536_325)
        #expect(m.members.map(\.name) == ["basic-pd-0", "basic-pd-1", "basic-pd-2"])
        #expect(m.leader?.memberID == 13_088_853_698_788_547_064)
        #expect(m.leader!.memberID > UInt64(Int64.max))
        #expect(m.members[2].memberID == 16_543_726_103_518_624_891)
        #expect(m.leader?.clientURLs == ["http://basic-pd-1.basic-pd-peer.tidb.svc:2379"])
        #expect(m.etcdLeader?.name == "basic-pd-1")
        #expect(m.members[0].binaryVersion == "v8.5.1")
    }

    @Test func leaderAndNullLeader() throws {
        let l = try PDFixtures.decode(PDMember?.self, "leader.json")
        #expect(l?.memberID == 13_088_853_698_788_547_064)
        #expect(l?.name == "basic-pd-1")
        #expect(try JSONDecoder().decode(PDMember?.self, from: Data("null".utf8)) == nil)
    }

    @Test func health() throws {
        let h = try PDFixtures.decode([PDMemberHealth].self, "health.json")
        #expect(h.map(\.health) == [true, true, false])
        #expect(h[1].memberID == 13_088_853_698_788_547_064)
    }

    @Test func configSchedule() throws {
        let a = try PDFixtures.decode(ScheduleConfig.self, "config_schedule.json")
        #expect(a.maxStoreDownTime == .minutes(30))
        #expect(a.maxStorePreparingTime == .hours(48))
        #expect(a.patrolRegionInterval == .milliseconds(10))
        #expect(a.enableRemoveDownReplica == true)
        #expect(a.enableJointConsensus == true)
        #expect(a.leaderScheduleLimit == 4 && a.regionScheduleLimit == 2048 && a.maxMergeRegionSize == 54)
        #expect(a.lowSpaceRatio == 0.8)
        #expect(a.haltScheduling == false)
        #expect(a.storeLimit[4]?.addPeer == 15)
        let b = try PDFixtures.decode(ScheduleConfig.self, "config_schedule_6.json")
        #expect(b.storeLimit[8]?.removePeer == 1e8)
    }

    @Test func configReplicateAndWholeConfig() throws {
        let a = try PDFixtures.decode(ReplicationConfig.self, "config_replicate.json")
        #expect(a.maxReplicas == 3 && a.locationLabels == [] && a.enablePlacementRules && !a.strictlyMatchLabel)
        let b = try PDFixtures.decode(ReplicationConfig.self, "config_replicate_6.json")
        #expect(b.locationLabels == ["zone", "host"])
        let all = try PDFixtures.decode(PDConfig.self, "config.json")
        #expect(all.schedule?.maxStoreDownTime == .minutes(30))
        #expect(all.replication?.maxReplicas == 3)
        #expect(!all.clusterVersion.isEmpty)
        let rules = try PDFixtures.decode([PlacementRuleBundle].self, "config_placement_rule_6.json")
        #expect(rules.first?.rules.first?.locationLabels == ["zone", "host"])
        #expect(rules.first?.rules.first?.count == 3)
        _ = try PDFixtures.decode([PlacementRuleBundle].self, "config_placement_rule.json")
    }

    @Test func stringBooleansRejectNonsense() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ReplicationConfig.self, from: Data(#"{"enable-placement-rules":"yes"}"#.utf8))
        }
    }

    @Test func schedulers() throws {
        #expect(try PDFixtures.decode([String].self, "schedulers_get.json").contains("balance-leader-scheduler"))
        #expect(try PDFixtures.decode([String].self, "schedulers_get_6.json").contains("evict-leader-scheduler"))
        #expect(try PDFixtures.decode([String].self, "schedulers_paused.json") == ["balance-region-scheduler"])
        #expect(try PDFixtures.decode([String].self, "schedulers_disabled.json") == [])
        let p = try PDFixtures.decode([PausedScheduler].self, "schedulers_paused_timestamp.json")
        #expect(p.first?.name == "balance-region-scheduler")
        #expect(p.first.flatMap { a in a.resumeAt.flatMap { r in a.pausedAt.map { r.seconds - $0.seconds } } } == 3600)
        let e = try PDFixtures.decode(EvictLeaderSchedulerConfig.self, "scheduler_config_evict_leader_list.json")
        #expect(e.storeIDs == [8] && e.batch == 3)
        #expect(e.storeKeyRanges[8]?.first?.startKey == "")
    }

    @Test func hotspots() throws {
        let w = try PDFixtures.decode(StoreHotPeersInfos.self, "hotspot_write.json")
        #expect(w.asPeer[1]?.statistics.first?.regionID == 1025)
        #expect(w.asPeer[7]?.storeBytes == 3_670_016.25)
        #expect(w.asLeader[8] == nil)   // leader transfer into store 8 is paused
        #expect(w.asPeer[8] != nil)
        let r = try PDFixtures.decode(StoreHotPeersInfos.self, "hotspot_read.json")
        #expect(!r.asPeer.isEmpty)
    }

    @Test func mutationSuccessBodiesAreStrings() throws {
        for name in try PDFixtures.all() where name.hasPrefix("ok_") && name != "ok_scatter_regions.json" {
            let s = try PDFixtures.decode(String.self, name)
            #expect(s.hasSuffix("."), "\(name)")
        }
    }
}
