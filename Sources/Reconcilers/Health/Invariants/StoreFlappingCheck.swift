import Foundation
import PDWire

/// A store that changed between alive and not alive at least `maxTransitions` times within `window`,
/// counted from the liveness history the reconciler keeps in the cluster's status.
public enum StoreFlappingCheck {
    public static func evaluate(_ policy: FlappingInvariant, _ snapshot: ClusterSnapshot,
                                history: [StoreLivenessHistory]) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.storeFlapping) }
        guard snapshot.answered(.stores) else { return .noVerdict(.storeFlapping) }
        let listed = Set(snapshot.stores.filter { !$0.isTombstone }.map(\.id))
        var violations: [Violation] = []
        for entry in history where listed.contains(entry.storeID) && entry.transitions.count >= policy.maxTransitions {
            violations.append(Violation(
                invariant: .storeFlapping, subject: HealthSubject.store(entry.storeID), severity: policy.severity,
                summary: "store \(entry.storeID) changed between alive and not alive at least \(policy.maxTransitions) times within \(policy.window)",
                readings: [
                    Reading(name: "transitions", value: Double(entry.transitions.count), unit: "changes",
                            source: ReadingSource.history, observedAt: snapshot.observedAt),
                ]))
        }
        return InvariantVerdict(invariant: .storeFlapping, violations: violations)
    }
}
