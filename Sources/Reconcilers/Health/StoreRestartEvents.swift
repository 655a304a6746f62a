import Foundation

/// A store whose TiKV process started anew since the last pass (PD's `start_ts` moved) gets a warning Event on its
/// cluster, with the time it started: not a ticket, since a restart shorter than a pass leaves the store alive at every
/// pass and breaks no invariant; one that lasts is `storeDown`, and one that repeats is `storeFlapping`.
public enum StoreRestartEvents {
    public static let reason = "StoreRestarted"

    /// One event per store whose start time moved between the two histories.
    static func events(previous: [StoreHistory], next: [StoreHistory], snapshot: ClusterSnapshot, cluster: String,
                       now: Date) -> [Event] {
        let before = Dictionary(previous.map { ($0.storeID, $0) }, uniquingKeysWith: { first, _ in first })
        return next.compactMap { entry in
            guard let old = before[entry.storeID]?.startTime, let started = entry.startTime, started > old else { return nil }
            let liveness = snapshot.store(entry.storeID)?.liveness ?? .neverSeen
            let state = liveness == .alive ? "alive again" : "not alive (\(liveness.rawValue))"
            let count = entry.restarts.count > 1 ? "; \(entry.restarts.count) restarts within the flapping window" : ""
            return Event(regarding: ObjectReference(kind: TiKVClusterKind.kind, name: cluster), type: .warning, reason: reason,
                         message: "store \(entry.storeID) restarted at \(CanonicalJSON.formatDate(started)) (PD's start_ts moved from \(CanonicalJSON.formatDate(old))); it is \(state)\(count)",
                         firstTimestamp: now, lastTimestamp: now)
        }
    }
}
