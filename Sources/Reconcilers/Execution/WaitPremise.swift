import Foundation

/// What a wait step relies on to make progress. PD moves a store's leaders away only while a scheduler evicts the
/// store; when nothing does any more (PD's evict-slow-store released a store that recovered, or someone removed the
/// evict-leader scheduler by hand), PD's balancer brings leaders back instead: waiting out the step's timeout would
/// only let them return for longer before the planners could answer. Such a wait fails at once.
enum WaitPremise {
    /// Why the wait can no longer reach its effect, or nil while it can (or the observation cannot tell: only a
    /// complete, fresh snapshot may end a wait).
    static func broken(_ action: Action, snapshot: ClusterSnapshot, now: Date, maxSnapshotAge: TimeInterval) -> String? {
        guard action.kind == .waitForLeadersDrained, let id = action.storeID,
              snapshot.isComplete, snapshot.isFresh(at: now, maxAge: maxSnapshotAge),
              // An Offline store gives its leaders away with its peers, a dead one loses them to elections.
              let store = snapshot.store(id), store.state == .up, !store.isTombstone, store.liveness == .alive, store.leaderCount > 0,
              !snapshot.schedulers.evictLeaderStores.contains(id), !snapshot.schedulers.evictSlowStores.contains(id) else { return nil }
        return "nothing evicts store \(id) any more (no evict-leader scheduler holds it, PD's evict-slow-store-scheduler does not evict it): its \(store.leaderCount) leader(s) will not leave"
    }
}
