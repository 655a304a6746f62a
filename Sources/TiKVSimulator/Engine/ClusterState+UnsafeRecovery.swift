import PDWire

/// PD's online unsafe recovery (v8.5.7 `pkg/unsaferecovery/unsafe_recovery_controller.go`, `server/api/unsafe_operation.go`).
///
/// PD checks the stores, buries them (Tombstone at once, `BuryStore(id, true)`), then over the following store
/// heartbeats collects every alive store's report, forces a leader among the survivors of each region that lost its
/// quorum, demotes the failed voters and re-creates empty the key ranges no replica survived. The simulator does the
/// whole recovery inside the request (PD takes a few heartbeats), so it is never seen running; its stage outputs are
/// what `show` prints. It also keeps a re-created region's id, where PD allocates a new one.
extension ClusterState {
    /// `POST /admin/unsafe/remove-failed-stores {"stores":[ids]}`. PD answers 500 with the error's text on a refusal.
    public mutating func removeFailedStores(_ ids: [UInt64]) throws(PDError) {
        func invalid(_ what: String) -> PDError {
            PDError(500, "[PD:unsaferecovery:ErrUnsafeRecoveryInvalidInput]invalid input \(what)")
        }
        guard !ids.isEmpty else { throw invalid("no store specified") }
        let failed = Set(ids)
        for id in failed.sorted() {
            guard let i = storeIndexById[id] else { throw invalid("store \(id) doesn't exist") }
            let s = stores[i]
            if (s.nodeState == .preparing || s.nodeState == .serving) && !isDisconnected(s) {
                throw invalid("store \(id) is up and connected")
            }
        }
        for id in failed.sorted() {
            guard let i = storeIndexById[id], stores[i].state != .tombstone else { continue }
            stores[i].state = .tombstone
            stores[i].nodeState = .removed
            storeLimits.removeStore(id)
        }
        var output = [stage("Unsafe recovery enters collect report stage", details: ["Failed stores \(failed.sorted().map(String.init).joined(separator: ", "))"])]

        var forced: [UInt64: [UInt64]] = [:]   // store → regions it force-leads
        var demoted: [UInt64: [UInt64]] = [:]  // store → regions whose failed voters it demotes
        var created: [UInt64: [UInt64]] = [:]  // store → regions re-created empty there
        for slot in truth.indices where truth[slot].id != 0 {
            let r = truth[slot]
            guard r.peers.contains(where: { failed.contains(UInt64($0.storeId)) }) else { continue }
            let voters = r.peers.filter { $0.role.votes }
            let survivingVoters = voters.filter { !failed.contains(UInt64($0.storeId)) }
            // A region that kept its quorum is PD's replica checker's business: its peers on the buried stores are replaced.
            guard survivingVoters.count * 2 <= voters.count else { continue }
            var next = r
            next.peers = PeerList(r.peers.filter { !failed.contains(UInt64($0.storeId)) })
            next.confVer += 1
            if let leader = survivingVoters.first(where: { storeIsUp($0.storeId) }) {
                // Force leader on a survivor, then the failed voters leave the configuration (a joint state ends with it).
                for i in next.peers.indices where next.peers[i].role != .learner { next.peers[i].role = .voter }
                next.leaderPeerId = leader.id
                forced[UInt64(leader.storeId), default: []].append(r.id)
                demoted[UInt64(leader.storeId), default: []].append(r.id)
            } else {
                // No replica survived: the range comes back as an empty region on the alive store holding fewest regions.
                guard let home = stores.indices.filter({ stores[$0].state == .up && stores[$0].isUp })
                    .min(by: { (storeStats[$0].regionCount, stores[$0].id) < (storeStats[$1].regionCount, stores[$1].id) }) else { continue }
                let peer = Peer(id: allocId(), storeId: UInt32(stores[home].id))
                next.peers = PeerList([peer])
                next.leaderPeerId = peer.id
                next.approximateSizeMiB = 0
                next.approximateKvSizeMiB = 0
                next.approximateKeys = 0
                created[stores[home].id, default: []].append(r.id)
            }
            truth[slot] = next
            heartbeatRegion(slot: slot)
        }
        func actions(_ m: [UInt64: [UInt64]], _ verb: String) -> JSONValue {
            .object(m.keys.sorted().map { ("store \($0)", .array([.string("\(verb): \(m[$0, default: []].sorted().map(String.init).joined(separator: ", "))")])) })
        }
        if !forced.isEmpty {
            output.append(stage("Unsafe recovery enters force leader stage", actions: actions(forced, "force leader on regions")))
            output.append(stage("Unsafe recovery enters demote failed voter stage", actions: actions(demoted, "demote failed voters of regions")))
        }
        if !created.isEmpty {
            output.append(stage("Unsafe recovery enters create empty region stage", actions: actions(created, "create empty regions for the ranges of")))
        }
        if !forced.isEmpty || !created.isEmpty { output.append(stage("Unsafe recovery enters exit force leader stage")) }
        output.append(stage("Unsafe recovery Finished"))
        unsafeRecoveryOutput = output
    }

    /// `GET /admin/unsafe/remove-failed-stores/show`.
    public var unsafeRecoveryStatus: JSONValue {
        unsafeRecoveryOutput.isEmpty ? .array([.object([("info", .string("No on-going recovery."))])]) : .array(unsafeRecoveryOutput)
    }

    /// One `StageOutput`, its time as PD prints it (`2006-01-02 15:04:05.000`).
    private func stage(_ info: String, actions: JSONValue? = nil, details: [String] = []) -> JSONValue {
        let seconds = GoTime(unixNanoseconds: nowNanos / Self.second * Self.second).rfc3339Nano
        let millis = (nowNanos % Self.second) / 1_000_000
        let millisText = String(repeating: "0", count: 3 - String(millis).count) + String(millis)
        let time = String(seconds.prefix(19)).replacingOccurrences(of: "T", with: " ") + "." + millisText
        var pairs: [(String, JSONValue)] = [("info", .string(info)), ("time", .string(time))]
        if let actions { pairs.append(("actions", actions)) }
        if !details.isEmpty { pairs.append(("details", .array(details.map { .string($0) }))) }
        return .object(pairs)
    }
}
