/// PD's optional `label-scheduler` (v8.5.7:pkg/schedule/schedulers/label.go:56-119): the one scheduler that moves
/// existing leaders off stores whose labels carry label-property `reject-leader`. One leader per run, onto a
/// healthy follower that may lead (`allowLeader`), named `label-reject-leader`; nothing while leader operators
/// reach leader-schedule-limit.
extension ClusterState {
    mutating func runLabelScheduler() {
        guard operators.values.filter({ $0.kind.contains(.leader) }).count < config.leaderScheduleLimit else { return }
        let rejecting = stores.indices.filter { stores[$0].state != .tombstone && hasRejectLeaderProperty(storeIndex: $0) }
        for i in rejecting {
            let s = UInt32(truncatingIfNeeded: stores[i].id)
            for slot in scanRegions(limit: 1, { _, r in r.leaderStoreId == s && !r.isInJointState }) {
                let r = reported[slot]
                let targets = r.peers.filter { $0.storeId != s && !$0.pending && $0.downSeconds == 0 && allowLeader($0, in: r) }
                guard !targets.isEmpty else { continue }
                let to = targets[Int(r.id % UInt64(targets.count))].storeId
                if (try? addOperator(slot: slot, desc: "label-reject-leader", brief: "transfer leader: store \(s) to \(to)",
                                     kind: [.leader], steps: [.transferLeader(from: s, to: to)])) != nil { return }
            }
        }
    }
}
