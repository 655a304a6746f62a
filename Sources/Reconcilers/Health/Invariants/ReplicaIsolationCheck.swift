import Foundation

/// Regions whose voters share a `location-labels` level PD could separate them at (`ClusterSnapshot.isolation`), one
/// ticket per level (subject `label/<name>`). Without `location-labels` PD places by nothing, so nothing is broken.
///
/// The count comes from a bounded sample (the first regions in key order): past the bound it is a lower bound, said in
/// the readings. Unlike the availability count a zero of the sample holds: the same sample is judged every pass, so a
/// ticket it opened is resolved by it too, and a misplacement outside it is never seen rather than read as unknown forever.
public enum ReplicaIsolationCheck {
    public static func evaluate(_ policy: InvariantPolicy, _ snapshot: ClusterSnapshot) -> InvariantVerdict {
        let id = InvariantID.replicaIsolation
        guard policy.enabled else { return .disabled(id) }
        guard snapshot.answered(.config) else { return .noVerdict(id) }
        if snapshot.settings.locationLabels.isEmpty { return InvariantVerdict(invariant: id) }
        guard snapshot.answered(.stores, .isolation), let isolation = snapshot.isolation else { return .noVerdict(id) }
        let at = snapshot.observedAt
        var violations: [Violation] = []
        for label in isolation.locationLabels {
            guard let n = isolation.regionsByLevel[label], n > 0 else { continue }
            let strict = label == isolation.isolationLevel
            let summary = strict
                ? "regions have two replicas in one \(label), the isolation level PD must never share"
                : "regions have two replicas in one \(label) although the up stores span enough \(label)s to separate them"
            violations.append(Violation(
                invariant: id, subject: HealthSubject.labelLevel(label), severity: policy.severity, summary: summary,
                readings: [
                    Reading(name: "regions", value: Double(n), unit: "regions", source: ReadingSource.regionsByKey, observedAt: at),
                    Reading(name: "sampledRegions", value: Double(isolation.sampledRegions), unit: "regions",
                            source: ReadingSource.regionsByKey, observedAt: at),
                    Reading(name: "exact", value: isolation.exact ? 1 : 0, unit: "bool", source: ReadingSource.regionsByKey, observedAt: at),
                    Reading(name: "distinctValues", value: isolation.distinctValues[label].map(Double.init), unit: label + "s",
                            source: ReadingSource.stores, observedAt: at),
                ]))
        }
        return InvariantVerdict(invariant: id, violations: violations)
    }
}
