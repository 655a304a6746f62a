import Foundation

/// A store held by PD's evict-leader scheduler while no StoreMaintenance covers it: someone (or an
/// interrupted maintenance) left it behind, and the store takes no leaders. A maintenance past its
/// `until` no longer covers its store.
public enum LeftoverSchedulerCheck {
    public static func evaluate(_ policy: InvariantPolicy, _ snapshot: ClusterSnapshot, _ maintenances: [StoreMaintenance],
                                now: Date) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.leftoverScheduler) }
        guard snapshot.answered(.schedulers) else { return .noVerdict(.leftoverScheduler) }
        let covered = Set(maintenances.filter { m in m.spec.until.map { now < $0 } ?? true }.map(\.spec.storeID))
        let at = snapshot.observedAt
        let violations = snapshot.schedulers.evictLeaderStores.filter { !covered.contains($0) }.map { id in
            Violation(
                invariant: .leftoverScheduler, subject: HealthSubject.evictLeaderScheduler(store: id), severity: policy.severity,
                summary: "evict-leader scheduler holds store \(id), which is under no StoreMaintenance",
                readings: [Reading(name: "storeID", value: Double(id), unit: "id", source: ReadingSource.schedulers, observedAt: at)])
        }
        return InvariantVerdict(invariant: .leftoverScheduler, violations: violations)
    }
}
