/// The `misplace-replicas` fault: followers moved next to another replica's top-level label value. No checker of the
/// simulated PD moves them back (its rule checker does not model location-aware placement, `fixBetterLocation`); its
/// balancers never make a region less spread and may spread a few again as a side effect of their moves.
extension ClusterState {
    /// The label two misplaced replicas share: the topmost `location-labels` level, `zone` while none is set.
    var topLocationLabel: String { config.locationLabels.first ?? "zone" }

    private func label(_ storeId: UInt32, _ key: String) -> String? {
        storeIndexById[UInt64(storeId)].flatMap { i in stores[i].labels.first { $0.key == key }?.value }
    }

    /// Regions in PD's view with two voters sharing a value of `label` (stores without it share nothing).
    public func regionsSharing(label key: String) -> Int {
        reported.reduce(0) { n, r in
            guard r.known else { return n }
            let values = r.peers.filter { $0.role.isVoter }.compactMap { label($0.storeId, key) }
            return n + (Set(values).count < values.count ? 1 : 0)
        }
    }

    /// Moves one follower of each of the first `count` regions (key order) that can take it to an Up store that shares
    /// another of its replicas' top-level label value. Returns what was moved, for the revert.
    mutating func misplaceReplicas(count: Int) -> [(region: UInt64, peer: UInt64, store: UInt32)] {
        let key = topLocationLabel
        var moved: [(region: UInt64, peer: UInt64, store: UInt32)] = []
        for rank in 0..<truth.count where moved.count < count {
            let slot = slot(atRank: rank)
            let r = truth[slot]
            guard operators[r.id] == nil, r.peers.allSatisfy({ $0.role == .voter && !$0.pending }) else { continue }
            for (i, p) in r.peers.enumerated() where p.id != r.leaderPeerId {
                guard let from = label(p.storeId, key) else { continue }
                // The values the other replicas hold: the target must hold one of them, and not this peer's own.
                let others = Set(r.peers.filter { $0.id != p.id }.compactMap { label($0.storeId, key) })
                guard let target = stores.first(where: { s in
                    s.isUp && s.state == .up && r.peers.index(ofStore: UInt32(s.id)) == nil
                        && s.labels.first(where: { $0.key == key }).map({ others.contains($0.value) && $0.value != from }) == true
                }) else { continue }
                let newPeer = allocId()
                movePeerNow(slot: slot, index: i, to: UInt32(target.id), newPeer: newPeer)
                moved.append((r.id, newPeer, p.storeId))
                break
            }
        }
        return moved
    }

    /// Moves each misplaced peer back where it came from, if it is still there and its old store can take it.
    mutating func restoreReplicas(_ saved: [(region: UInt64, peer: UInt64, store: UInt32)]) {
        for (rid, pid, store) in saved {
            guard let slot = slotByRegionId[rid], operators[rid] == nil, let i = truth[slot].peers.index(ofPeer: pid),
                  pid != truth[slot].leaderPeerId, truth[slot].peers.index(ofStore: store) == nil, storeIsUp(store) else { continue }
            movePeerNow(slot: slot, index: i, to: store, newPeer: allocId())
        }
    }

    /// A peer replaced by a new one on another store at once (an add and a remove, as a forced move leaves it), with
    /// both stores' used space moved and the region reported right away.
    private mutating func movePeerNow(slot: Int, index i: Int, to store: UInt32, newPeer: UInt64) {
        let old = truth[slot].peers[i]
        let bytes = UInt64(truth[slot].approximateSizeMiB) << 20
        if let si = storeIndexById[UInt64(old.storeId)] {
            stores[si].usedBytes = stores[si].usedBytes > bytes ? stores[si].usedBytes - bytes : 0
            stores[si].availableBytes = min(stores[si].capacityBytes, stores[si].availableBytes + bytes)
        }
        if let si = storeIndexById[UInt64(store)] {
            stores[si].usedBytes += bytes
            stores[si].availableBytes = stores[si].availableBytes > bytes ? stores[si].availableBytes - bytes : 0
        }
        truth[slot].peers[i] = Peer(id: newPeer, storeId: store, role: old.role)
        truth[slot].confVer += 2
        immediateReports.append(slot)
    }
}
