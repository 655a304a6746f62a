/// Store, scheduler and fault mutations behind the PD API and `/sim/v1`, with PD's refusals.
extension ClusterState {
    /// `DELETE /store/{id}[?force]`: Up → Offline/Removing (STATES.md §1.2).
    public mutating func removeStore(_ id: UInt64, force: Bool) throws(PDError) {
        guard let i = storeIndexById[id] else { throw .storeNotFound(id, status: 404) }
        let s = stores[i]
        if s.state == .tombstone { throw PDError(410, "[PD:core:ErrStoreRemoved]store \(id) has been removed") }
        if s.physicallyDestroyed && !force { throw PDError(400, "[PD:core:ErrStoreDestroyed]store \(id) has been physically destroyed") }
        if s.state == .offline && s.physicallyDestroyed == force { return }
        if !force && s.state == .up {
            let upCount = stores.filter { $0.state == .up && ($0.nodeState == .preparing || $0.nodeState == .serving) }.count
            if upCount - 1 < config.maxReplicas {
                throw PDError(400, "[PD:core:ErrStoresNotEnough]can not remove store \(id) since the number of up stores would be \(upCount - 1) while need \(config.maxReplicas)")
            }
            let evicted = Set(schedulers.evictLeaderStores)
            if !stores.contains(where: { $0.id != id && $0.state == .up && !evicted.contains($0.id) }) {
                throw PDError(400, "[PD:core:ErrNoStoreForRegionLeader]can not remove store \(id) since there are no extra up store to store the leader")
            }
        }
        stores[i].state = .offline
        stores[i].nodeState = .removing
        stores[i].physicallyDestroyed = stores[i].physicallyDestroyed || force
        // The drain is not throttled at its source (v8.5.7:server/cluster/cluster.go:1556-1562).
        storeLimits.liftForRemoval(id, now: nowNanos)
    }

    /// `POST /store/{id}/state?state=Up`: cancels an offline.
    public mutating func upStore(_ id: UInt64) throws(PDError) {
        guard let i = storeIndexById[id] else { throw .storeNotFound(id, status: 404) }
        if stores[i].state == .tombstone { throw PDError(410, "[PD:core:ErrStoreRemoved]store \(id) has been removed") }
        if stores[i].physicallyDestroyed { throw PDError(400, "[PD:core:ErrStoreDestroyed]store \(id) has been physically destroyed") }
        stores[i].state = .up
        stores[i].nodeState = .serving
        storeLimits.restoreAfterRemoval(id)
    }

    public mutating func setWeight(_ id: UInt64, leader: Double, region: Double) throws(PDError) {
        guard let i = storeIndexById[id] else { throw .storeNotFound(id, status: 500) }
        stores[i].leaderWeight = leader
        stores[i].regionWeight = region
    }

    public mutating func setLabels(_ id: UInt64, _ labels: [(String, String)], replace: Bool) throws(PDError) {
        guard let i = storeIndexById[id] else { throw .storeNotFound(id, status: 500) }
        if replace { stores[i].labels = [] }
        for (k, v) in labels {
            if let j = stores[i].labels.firstIndex(where: { $0.key == k }) { stores[i].labels[j].value = v }
            else { stores[i].labels.append((k, v)) }
        }
    }

    public mutating func deleteLabel(_ id: UInt64, key: String) throws(PDError) {
        guard let i = storeIndexById[id] else { throw .storeNotFound(id, status: 500) }
        stores[i].labels.removeAll { $0.key == key }
    }

    /// `DELETE /stores/remove-tombstone` (v8.5.7:server/cluster/cluster.go:2132-2161): a tombstone that PD still
    /// counts regions on stays, the others go, and the answer names the ones that stayed.
    public mutating func removeTombstones() throws(PDError) {
        let failed = stores.indices.filter { stores[$0].state == .tombstone && storeStats[$0].regionCount > 0 }.map { stores[$0].id }
        let keep = stores.indices.filter { stores[$0].state != .tombstone || failed.contains(stores[$0].id) }
        for i in stores.indices where !keep.contains(i) { storeLimits.removeStore(stores[i].id) }
        stores = keep.map { stores[$0] }
        storeStats = keep.map { storeStats[$0] }
        storeSlots = keep.map { storeSlots[$0] }
        storeIndexById = Dictionary(uniqueKeysWithValues: stores.enumerated().map { ($0.element.id, $0.offset) })
        if !failed.isEmpty { throw PDError(500, "failed stores: \(failed.map(String.init).joined(separator: ", "))") }
    }

    // MARK: schedulers

    /// `POST /schedulers`. Returns the success message.
    public mutating func addScheduler(name: String, storeId: UInt64?) throws(PDError) -> String {
        switch name {
        case "evict-leader-scheduler", "grant-leader-scheduler":
            guard let sid = storeId else { throw PDError(400, "missing store id") }
            guard storeIndexById[sid] != nil else { throw .storeNotFound(sid, status: 400) }
            if name == "grant-leader-scheduler" {
                if schedulers.contains(name) { throw PDError(400, "[PD:scheduler:ErrSchedulerExisted]scheduler existed") }
                schedulers.add(name)
                return "The scheduler is created."
            }
            let existed = schedulers.contains(name)
            schedulers.add(name)
            if !schedulers.evictLeaderStores.contains(sid) {
                schedulers.evictLeaderStores.append(sid)
                schedulers.evictLeaderStores.sort()
            }
            return existed ? "The scheduler has been applied to the store." : "The scheduler is created."
        default:
            guard SchedulerSet.typeByName[name] != nil else { throw PDError(400, "unknown scheduler") }
            if schedulers.contains(name) { throw PDError(400, "[PD:scheduler:ErrSchedulerExisted]scheduler existed") }
            schedulers.add(name)
            return "The scheduler is created."
        }
    }

    /// `DELETE /schedulers/{name}`, including the `evict-leader-scheduler-<id>` form (body `null`).
    public mutating func removeScheduler(name: String) throws(PDError) -> JSONValue {
        let prefix = "evict-leader-scheduler-"
        if name.hasPrefix(prefix), let sid = UInt64(name.dropFirst(prefix.count)) {
            guard schedulers.evictLeaderStores.contains(sid) else { throw PDError(404, "", rawBody: .null) }
            schedulers.evictLeaderStores.removeAll { $0 == sid }
            if schedulers.evictLeaderStores.isEmpty { schedulers.remove("evict-leader-scheduler") }
            return .null
        }
        guard schedulers.contains(name) else { throw PDError(404, "[PD:scheduler:ErrSchedulerNotFound]scheduler not found") }
        if name == "evict-slow-store-scheduler" { cleanEvictSlowStore() }
        schedulers.remove(name)
        return .string("The scheduler is removed.")
    }

    /// `POST /schedulers/{name} {"delay": n}`; `all` applies to every scheduler.
    public mutating func pauseScheduler(name: String, delaySeconds: Int64) throws(PDError) {
        if name == "all" {
            for e in schedulers.entries { schedulers.pause(e.name, delaySeconds: delaySeconds, now: nowNanos) }
            return
        }
        guard schedulers.contains(name) else { throw PDError(500, "[PD:scheduler:ErrSchedulerNotFound]scheduler not found") }
        schedulers.pause(name, delaySeconds: delaySeconds, now: nowNanos)
    }

    /// Stores whose leader transfer-in is paused (evict-leader).
    public func pauseLeaderTransferIn(_ id: UInt64) -> Bool {
        schedulers.contains("evict-leader-scheduler") && schedulers.evictLeaderStores.contains(id)
    }
}

extension ClusterState {
    /// Moves a region's leader to its voter on `toStore` at once, in the truth and in PD's view, as a finished
    /// transfer-leader would. O(1). False when the region or a healthy voter there does not exist.
    @discardableResult
    public mutating func transferLeaderNow(region: UInt64, toStore: UInt64) -> Bool {
        guard let slot = slotByRegionId[region],
              let p = truth[slot].peers.first(where: { UInt64($0.storeId) == toStore && $0.role == .voter && !$0.pending }) else { return false }
        truth[slot].leaderPeerId = p.id
        heartbeatRegion(slot: slot)
        return true
    }
}
