/// PD leader elections and what a new leader starts from.
extension ClusterState {
    /// How a member answers a redirected request right now.
    public func role(ofMember name: String) -> PDMemberRole {
        guard let m = members.first(where: { $0.name == name }), m.up else { return .down }
        switch leadership.phase {
        case .serving: return name == leaderName ? .leader : .follower
        case .staleLease: return .redirectFails
        case .electing: return .noLeader
        }
    }

    /// `pd-leader-change`: the leader resigns and deletes its key (v8.5.7:server/server.go:1717-1720), so followers
    /// see no leader at once; an election among the members that are up follows.
    mutating func resignPDLeader(electionNanos: Int64?) {
        if let e = electionNanos { leadership.electionNanos = max(0, e) }
        guard !leaderName.isEmpty else { return }
        leadership.previousLeader = leaderName
        leaderName = ""
        leadership.phase = .electing(untilNanos: nowNanos + leadership.electionNanos)
    }

    /// `pd-member-down`: the process stops. A dead leader's key outlives it by the lease, then an election runs.
    mutating func setPDMember(_ name: String, up: Bool) throws(PDError) {
        guard let i = members.firstIndex(where: { $0.name == name }) else {
            throw PDError(400, "fault needs an existing \"member\": one of \(members.map(\.name).joined(separator: ", "))")
        }
        members[i].up = up
        members[i].healthy = up
        if !up, name == leaderName {
            leadership.previousLeader = name
            leaderName = ""
            leadership.phase = .staleLease(deadLeader: name, untilNanos: nowNanos + PDLeadership.leaseNanos)
        } else if up, leaderName.isEmpty, case .serving = leadership.phase {
            // Every member was down: the first one back campaigns.
            leadership.phase = .electing(untilNanos: nowNanos + leadership.electionNanos)
        }
    }

    /// Moves an election along; called every tick.
    mutating func runPDElection() {
        if case .staleLease(_, let until) = leadership.phase, nowNanos >= until {
            leadership.phase = .electing(untilNanos: until + leadership.electionNanos)
        }
        guard case .electing(let until) = leadership.phase, nowNanos >= until else { return }
        // Candidates in member order starting after the previous leader, so it wins only when alone.
        let start = (members.firstIndex { $0.name == leadership.previousLeader } ?? -1) + 1
        let order = members.indices.map { (start + $0) % max(1, members.count) }
        guard let winner = order.first(where: { members[$0].up }) else {
            leadership.phase = .electing(untilNanos: nowNanos + leadership.electionNanos)
            return
        }
        becomePDLeader(members[winner].name)
    }

    /// A new leader starts its raft cluster (v8.5.7:server/cluster/cluster.go:317-420): a fresh operator controller
    /// (no running operators, no records), fresh region and hot statistics (scheduling_controller.go:71-73), regions
    /// as loaded from region storage (cluster.go:795-827: meta only, no leader, flow or size, until each region's
    /// next heartbeat), and a coordinator that waits for the prepare checker.
    mutating func becomePDLeader(_ name: String) {
        leaderName = name
        leadership.phase = .serving
        leadership.leaderSinceNanos = nowNanos
        leadership.changes += 1
        leadership.prepared = false
        finishInFlightSnapshots()
        for id in operators.keys.sorted() { if let op = operators[id] { recordFate(op, .lostInLeaderChange) } }
        operators.removeAll()
        records.removeAll()
        checkIndex = RegionCheckIndex()
        for slot in reported.indices where reported[slot].known {
            let r = reported[slot]
            var peers = PeerList()
            for p in r.peers { _ = peers.append(Peer(id: p.id, storeId: p.storeId, role: p.role)) }
            var stored = RegionRecord(id: r.id, confVer: r.confVer, version: r.version, peers: peers, leaderPeerId: 0,
                                      approximateSizeMiB: 0, known: true)
            stored.fromStorage = true
            applyReport(slot: slot, record: stored)
        }
    }

    /// TiKV finishes a snapshot it already receives even though the PD that asked for it is gone.
    private mutating func finishInFlightSnapshots() {
        for op in operators.values where op.currentStep < op.steps.count {
            guard case .addLearner(let pid, let store) = op.steps[op.currentStep], let slot = slotByRegionId[op.regionId],
                  let i = truth[slot].peers.index(ofPeer: pid), truth[slot].peers[i].pending,
                  let si = storeIndexById[UInt64(store)] else { continue }
            truth[slot].peers[i].pending = false
            stores[si].receivingSnapCount = stores[si].receivingSnapCount > 0 ? stores[si].receivingSnapCount - 1 : 0
        }
    }

    /// `prepareChecker.check` (v8.5.7:pkg/schedule/prepare_checker.go:39-74): at least 90 % of all regions, and
    /// of each Preparing or Serving store's regions, heard from since the leader took office, or 5 minutes passed.
    mutating func checkPrepared() {
        guard !leadership.prepared else { return }
        if nowNanos - (leadership.leaderSinceNanos ?? nowNanos) > PDLeadership.collectTimeoutNanos {
            leadership.prepared = true
            return
        }
        let f = PDLeadership.collectFactor
        guard Double(knownRegionCount) * f <= Double(heartbeatedRegions) else { return }
        for i in stores.indices where stores[i].nodeState == .preparing || stores[i].nodeState == .serving {
            guard Double(storeStats[i].heartbeatedRegionCount) >= Double(storeStats[i].regionCount) * f else { return }
        }
        leadership.prepared = true
    }
}
