import Foundation
import PDWire
import Reconcilers

/// PD's wire types turned into the snapshot's value types. Pure: the observation time comes in.
package enum SnapshotMapping {
    /// One store; liveness from the heartbeat age at `now`, never from `state_name` alone. PD stamps heartbeats
    /// on its own clock, so the age is measured on PD's clock (`now` + `pdClockOffset`) and the heartbeat's
    /// time is given on this host's: a skewed PD neither kills nor revives a store.
    static func store(_ info: StoreInfo, now: Date, maxStoreDownTime: GoDuration, pdClockOffset: TimeInterval = 0) -> StoreSnapshot {
        let m = info.store
        let s = info.status
        var labels: [String: String] = [:]
        for l in m.labels { labels[l.key] = l.value }
        let pdNow = GoTime(now.addingTimeInterval(pdClockOffset))
        let heartbeat = info.heartbeatAge(now: pdNow).map { now.addingTimeInterval(-$0.seconds) }
        return StoreSnapshot(
            id: m.id, address: m.address, statusAddress: m.statusAddress, labels: labels, version: m.version,
            state: m.state, stateName: m.stateName,
            liveness: info.liveness(now: pdNow, maxStoreDownTime: maxStoreDownTime),
            lastHeartbeat: heartbeat,
            startTime: s.startTS?.date ?? (m.startTimestamp > 0 ? Date(timeIntervalSince1970: Double(m.startTimestamp)) : nil),
            capacityBytes: clampedInt64(s.capacity.bytes), availableBytes: clampedInt64(s.available.bytes),
            usedBytes: clampedInt64(s.usedSize.bytes), leaderCount: s.leaderCount, regionCount: s.regionCount,
            leaderWeight: s.leaderWeight, regionWeight: s.regionWeight, pendingPeerCount: s.pendingPeerCount,
            slowScore: s.slowScore, isBusy: s.isBusy)
    }

    /// `GET /config` → the settings the planners obey; PD's defaults stand in for absent fields,
    /// and `missing` names them so the config source can say it is partial.
    /// The PD clock offset worth correcting for: the `Date` header has one-second resolution, so anything
    /// within two seconds is noise, not skew.
    static func effectiveClockOffset(_ offset: TimeInterval?) -> TimeInterval {
        guard let offset, abs(offset) > 2 else { return 0 }
        return offset
    }

    static func settings(_ config: PDConfig) -> (settings: PDSettings, missing: [String]) {
        let d = PDSettings()
        var missing: [String] = []
        func take<T>(_ v: T?, _ name: String, _ fallback: T) -> T {
            if let v { return v }
            missing.append(name)
            return fallback
        }
        let sc = config.schedule
        let settings = PDSettings(
            maxReplicas: take(config.replication?.maxReplicas, "replication.max-replicas", d.maxReplicas),
            maxStoreDownTime: take(sc?.maxStoreDownTime, "schedule.max-store-down-time", d.maxStoreDownTime),
            leaderScheduleLimit: take(sc?.leaderScheduleLimit, "schedule.leader-schedule-limit", d.leaderScheduleLimit),
            regionScheduleLimit: take(sc?.regionScheduleLimit, "schedule.region-schedule-limit", d.regionScheduleLimit),
            lowSpaceRatio: take(sc?.lowSpaceRatio, "schedule.low-space-ratio", d.lowSpaceRatio),
            highSpaceRatio: take(sc?.highSpaceRatio, "schedule.high-space-ratio", d.highSpaceRatio),
            rejectLeaderLabels: config.rejectLeaderLabels,
            storeLimits: StoreLimitSettings(version: sc?.storeLimitVersion ?? "v1",
                                            addPeerPerMinute: sc?.storeLimit.mapValues(\.addPeer) ?? [:]),
            locationLabels: config.replication?.locationLabels ?? [],
            isolationLevel: config.replication?.isolationLevel ?? "",
            // Read for the isolation diagnosis only, so its absence does not make the config partial.
            replicaScheduleLimit: sc?.replicaScheduleLimit ?? d.replicaScheduleLimit)
        return (settings, missing)
    }

    /// One running operator as the store-limit estimate needs it: PD admitted it at its start (else its creation),
    /// on PD's clock, brought to the controller's by `pdClockOffset`.
    static func operatorSnapshot(_ op: OperatorText, text: String, pdClockOffset: TimeInterval = 0) -> OperatorSnapshot {
        let adds = op.steps.compactMap { step -> UInt64? in
            switch step {
            case .addPeer(_, let store), .addLearner(_, let store): store
            default: nil
            }
        }
        return OperatorSnapshot(regionID: op.regionID, description: op.desc, text: text,
                                admittedAt: (op.startedAt ?? op.createdAt).map { $0.date.addingTimeInterval(-pdClockOffset) },
                                addsPeerOn: adds, sizeMiB: op.size)
    }

    /// The leader side of `GET /hotspot/regions/{write,read}`, hottest first.
    static func hotRegions(_ infos: StoreHotPeersInfos, direction: HotRegion.Direction) -> [HotRegion] {
        var out: [HotRegion] = []
        for (storeID, stat) in infos.asLeader {
            for peer in stat.statistics {
                out.append(HotRegion(regionID: peer.regionID, storeID: peer.storeID == 0 ? storeID : peer.storeID,
                                     direction: direction, bytesPerSecond: peer.flowBytes, keysPerSecond: peer.flowKeys,
                                     hotDegree: peer.hotDegree))
            }
        }
        return out.sorted { ($0.bytesPerSecond, $1.regionID) > ($1.bytesPerSecond, $0.regionID) }
    }

    /// `keepKeys` while ranged placement rules need the region's key range (`PlacementRuleTable.needsRegionKeys`).
    package static func placement(_ r: RegionInfo, keepKeys: Bool = false) -> RegionPlacement {
        let voters = r.peers.filter { $0.role.isVoter }.map(\.storeID).sorted()
        let learners = r.peers.filter(\.isLearner).map(\.storeID).sorted()
        let unhealthy = Set(r.downPeers.map(\.peer.storeID)).union(r.pendingPeers.map(\.storeID)).sorted()
        return RegionPlacement(id: r.id, leaderStoreID: r.leader?.storeID ?? 0, voterStoreIDs: voters,
                               learnerStoreIDs: learners, unhealthyStoreIDs: unhealthy,
                               approximateSizeMiB: r.approximateSize, inJointState: r.isInJointState,
                               keys: keepKeys ? RegionKeyRange(start: r.startKey, end: r.endKey) : nil)
    }

    static func members(_ members: PDMembers, health: [PDMemberHealth]?) -> [MemberSnapshot] {
        let healthByID = Dictionary(health?.map { ($0.memberID, $0.health) } ?? [], uniquingKeysWith: { a, _ in a })
        return members.members.map { m in
            MemberSnapshot(name: m.name, memberID: m.memberID, clientURLs: m.clientURLs,
                           isLeader: members.leader.map { $0.memberID == m.memberID } ?? false,
                           healthy: healthByID[m.memberID])
        }.sorted { $0.name < $1.name }
    }

    /// The members as each one's `/health` lists them, when no member leads and `/members` cannot be served.
    static func members(health: [PDMemberHealth]) -> [MemberSnapshot] {
        health.map { MemberSnapshot(name: $0.name, memberID: $0.memberID, clientURLs: $0.clientURLs, isLeader: false, healthy: $0.health) }
            .sorted { $0.name < $1.name }
    }

    static func clampedInt64(_ v: UInt64) -> Int64 { v > UInt64(Int64.max) ? Int64.max : Int64(v) }
}
