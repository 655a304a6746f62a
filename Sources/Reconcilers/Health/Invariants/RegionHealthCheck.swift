import Foundation

/// Regions with missing, down, pending, offline or extra peers, from PD's region checks. One ticket
/// for the cluster; the readings hold the count of each check.
///
/// Offline peers are expected while stores are being drained on purpose: when every Offline store is
/// under a StoreMaintenance with `offline: true`, the offline-peer count is reported but breaks nothing.
public enum RegionHealthCheck {
    static let checks: [RegionCheck] = [.missPeer, .downPeer, .pendingPeer, .offlinePeer, .extraPeer]

    public static func evaluate(_ policy: InvariantPolicy, _ snapshot: ClusterSnapshot, _ maintenances: [StoreMaintenance]) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.regionHealth) }
        guard snapshot.answered(.regionChecks) else { return .noVerdict(.regionHealth) }
        let drainedOnPurpose = Set(maintenances.filter(\.spec.offline).map(\.spec.storeID))
        let offlineStores = snapshot.stores.filter { $0.state == .offline }.map(\.id)
        let offlineIsPlanned = snapshot.answered(.stores) && !offlineStores.isEmpty
            && offlineStores.allSatisfy { drainedOnPurpose.contains($0) }
        let broken = checks.filter { check in
            guard let count = snapshot.regionChecks[check]?.count, count > 0 else { return false }
            return !(check == .offlinePeer && offlineIsPlanned)
        }
        guard !broken.isEmpty else { return InvariantVerdict(invariant: .regionHealth) }
        let at = snapshot.observedAt
        let readings = checks.map { check in
            Reading(name: check.rawValue, value: snapshot.regionChecks[check].map { Double($0.count) }, unit: "regions",
                    source: "\(ReadingSource.regionChecks)/\(check.rawValue)", observedAt: at)
        }
        let violation = Violation(
            invariant: .regionHealth, subject: HealthSubject.cluster, severity: policy.severity,
            summary: "regions with unhealthy peers: \(broken.map(\.rawValue).joined(separator: ", "))",
            readings: readings)
        return InvariantVerdict(invariant: .regionHealth, violations: [violation])
    }
}
