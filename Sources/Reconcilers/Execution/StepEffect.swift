import Foundation

/// Whether a step's effect is visible in a snapshot. "Done means observed": a step succeeds when
/// this says so, never because PD answered 200.
public enum StepEffect {
    public enum Verdict: Sendable, Equatable {
        case holds(String)
        case notYet(String)
        /// The snapshot lacks what is needed to tell (a source failed, the region was not fetched).
        case unknown(String)

        public var holds: Bool { if case .holds = self { return true } else { return false } }
    }

    /// `region` is the region the action names, freshly observed (nil when it was not fetched).
    public static func check(_ action: Action, snapshot: ClusterSnapshot, region: RegionPlacement?) -> Verdict {
        switch action.kind {
        case .transferLeader:
            guard let to = action.toStoreID, let id = action.regionID else { return .unknown("the action lacks region or target") }
            guard let region else { return .unknown("region \(id) was not observed") }
            return region.leaderStoreID == to
                ? .holds("region \(id)'s leader is on store \(to)")
                : .notYet("region \(id)'s leader is on store \(region.leaderStoreID), not \(to)")
        case .transferPeer:
            guard let from = action.fromStoreID, let to = action.toStoreID, let id = action.regionID else {
                return .unknown("the action lacks region, source or target")
            }
            guard let region else { return .unknown("region \(id) was not observed") }
            let stores = Set(region.storeIDs)
            return stores.contains(to) && !stores.contains(from)
                ? .holds("region \(id) has a peer on store \(to) and none on store \(from)")
                : .notYet("region \(id)'s peers are on stores \(region.storeIDs.map(String.init).joined(separator: ","))")
        case .addEvictLeaderScheduler, .removeEvictLeaderScheduler:
            guard let id = action.storeID else { return .unknown("the action lacks a store") }
            guard snapshot.state(of: .schedulers).isComplete else { return .unknown("the scheduler list was not observed") }
            let evicted = snapshot.schedulers.evictLeaderStores.contains(id)
            if action.kind == .addEvictLeaderScheduler {
                return evicted ? .holds("the evict-leader scheduler holds store \(id)") : .notYet("store \(id) is not evicted yet")
            }
            return evicted ? .notYet("the evict-leader scheduler still holds store \(id)") : .holds("no evict-leader scheduler on store \(id)")
        case .waitForLeadersDrained:
            guard let id = action.storeID else { return .unknown("the action lacks a store") }
            guard snapshot.hasStores else { return .unknown("the store list was not observed") }
            guard let store = snapshot.store(id) else { return .holds("store \(id) is gone") }
            return store.leaderCount == 0 ? .holds("store \(id) holds 0 leaders") : .notYet("store \(id) still holds \(store.leaderCount) leader(s)")
        case .offlineStore:
            guard let id = action.storeID else { return .unknown("the action lacks a store") }
            guard snapshot.hasStores else { return .unknown("the store list was not observed") }
            guard let store = snapshot.store(id) else { return .holds("store \(id) is gone") }
            return store.state == .up ? .notYet("store \(id) is still Up") : .holds("store \(id) is \(store.stateName)")
        case .cancelOfflineStore:
            guard let id = action.storeID else { return .unknown("the action lacks a store") }
            guard snapshot.hasStores else { return .unknown("the store list was not observed") }
            guard let store = snapshot.store(id) else { return .notYet("store \(id) is gone") }
            return store.state == .up ? .holds("store \(id) is Up") : .notYet("store \(id) is \(store.stateName)")
        case .waitForStoreRemoved:
            guard let id = action.storeID else { return .unknown("the action lacks a store") }
            guard snapshot.hasStores else { return .unknown("the store list was not observed") }
            guard let store = snapshot.store(id) else { return .holds("store \(id) is gone") }
            return store.isTombstone ? .holds("store \(id) is Tombstone")
                : .notYet("store \(id) is \(store.stateName) with \(store.regionCount) region(s) left")
        case .setStoreWeight:
            guard let id = action.storeID, let leader = action.leaderWeight, let region = action.regionWeight else {
                return .unknown("the action lacks a store or its weights")
            }
            guard snapshot.hasStores else { return .unknown("the store list was not observed") }
            guard let store = snapshot.store(id) else { return .notYet("store \(id) is not in the cluster") }
            let observed = "leader \(Action.weightText(store.leaderWeight)), region \(Action.weightText(store.regionWeight))"
            return WeightPlanner.same(store.leaderWeight, leader) && WeightPlanner.same(store.regionWeight, region)
                ? .holds("PD reports store \(id)'s weights as \(observed)")
                : .notYet("PD reports store \(id)'s weights as \(observed), not leader \(Action.weightText(leader)), region \(Action.weightText(region))")
        case .waitForBalance:
            guard let kind = action.balance, let limit = action.maxSkewPercent else { return .unknown("the action lacks what to balance or its limit") }
            guard snapshot.hasStores, snapshot.state(of: .schedulers).isComplete else {
                return .unknown("the store list or the scheduler list was not observed")
            }
            let targets = ObservedBalance.targets(kind, snapshot: snapshot, legality: TargetLegality(snapshot: snapshot))
            guard let worst = targets.mostSkewed else { return .unknown("no store may hold \(kind.noun)") }
            let text = "store \(worst.id) holds \(worst.count) \(kind.noun), \(Int(BalanceTargets.skewPercent(worst).rounded()))% from its weighted share of \(Int(worst.share.rounded())) (limit \(Action.weightText(limit))%)"
            return ObservedBalance.converged(targets, maxSkewPercent: limit)
                ? .holds("every store holds \(kind.noun) within \(Action.weightText(limit))% of its weighted share (most skewed: \(text))")
                : .notYet(text)
        case .removeFailedStores:
            // PD buries the stores as it accepts the request (unsafe_recovery_controller.go: BuryStore(id, true)); its
            // recovery of their regions goes on after, and the regionsUnavailable ticket resolves when it is done.
            guard let ids = action.storeIDs, !ids.isEmpty else { return .unknown("the action lacks its stores") }
            guard snapshot.hasStores else { return .unknown("the store list was not observed") }
            let left = ids.filter { id in snapshot.store(id).map { !$0.isTombstone } ?? false }
            return left.isEmpty ? .holds("stores \(HealthText.list(ids)) are Tombstone")
                : .notYet("stores \(HealthText.list(left)) are not Tombstone yet")
        case .waitForStoresUp:
            guard let ids = action.storeIDs, !ids.isEmpty else { return .unknown("the action lacks its stores") }
            guard snapshot.hasStores else { return .unknown("the store list was not observed") }
            let down = ids.filter { snapshot.store($0)?.liveness != .alive }
            return down.isEmpty ? .holds("stores \(HealthText.list(ids)) are alive")
                : .notYet("stores \(HealthText.list(down)) are not alive yet")
        case .splitRegion:
            // PD's SplitRegion step is finished once the region's range is no longer the one it had (step.go IsFinish);
            // TiKV keeps the id on one half, so the region read fresh shows it.
            guard let id = action.regionID, let planned = action.keyRange else { return .unknown("the action lacks region or key range") }
            guard let region else { return .unknown("region \(id) was not observed") }
            guard let now = region.keys else { return .unknown("region \(id)'s key range was not read") }
            return now != planned
                ? .holds("region \(id) now spans \(now.text), no longer \(planned.text)")
                : .notYet("region \(id) still spans \(planned.text)")
        case .removeScheduler:
            guard let name = action.scheduler else { return .unknown("the action lacks a scheduler name") }
            guard snapshot.state(of: .schedulers).isComplete else { return .unknown("the scheduler list was not observed") }
            return snapshot.schedulers.names.contains(name) ? .notYet("scheduler \(name) still runs") : .holds("scheduler \(name) is gone")
        }
    }
}
