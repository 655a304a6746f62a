import Foundation
import PDWire

/// A store that changed between alive and not alive at least `maxTransitions` times within `window`, or whose process
/// started anew (PD's `start_ts` moved) at least `maxTransitions` times within it, counted from the history the
/// reconciler keeps in the cluster's status. Restarts count on their own because a restart shorter than a pass never
/// shows in the sampled liveness; they are not added to the transitions, since a long one shows in both.
public enum StoreFlappingCheck {
    public static func evaluate(_ policy: FlappingInvariant, _ snapshot: ClusterSnapshot,
                                history: [StoreHistory]) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.storeFlapping) }
        guard snapshot.answered(.stores) else { return .noVerdict(.storeFlapping) }
        let listed = Set(snapshot.stores.filter { !$0.isTombstone }.map(\.id))
        var violations: [Violation] = []
        for entry in history where listed.contains(entry.storeID)
            && max(entry.transitions.count, entry.restarts.count) >= policy.maxTransitions {
            let at = snapshot.observedAt
            violations.append(Violation(
                invariant: .storeFlapping, subject: HealthSubject.store(entry.storeID), severity: policy.severity,
                summary: "store \(entry.storeID) changed between alive and not alive, or restarted, at least \(policy.maxTransitions) times within \(policy.window)",
                readings: [
                    Reading(name: "transitions", value: Double(entry.transitions.count), unit: "changes", source: ReadingSource.history, observedAt: at),
                    Reading(name: "restarts", value: Double(entry.restarts.count), unit: "restarts", source: ReadingSource.history, observedAt: at),
                ]))
        }
        return InvariantVerdict(invariant: .storeFlapping, violations: violations)
    }
}
