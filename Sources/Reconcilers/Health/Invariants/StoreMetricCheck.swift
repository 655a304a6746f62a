import Foundation

/// The shape both per-store metric invariants share: a known reading above a threshold is broken,
/// at or below it holds, and an unknown reading (no series, NaN, failed query) decides nothing.
enum StoreMetricCheck {
    static func evaluate(_ invariant: InvariantID, severity: Severity, threshold: Double, snapshot: ClusterSnapshot,
                         reading: (StoreSnapshot) -> MetricReading, readingName: String, source: String,
                         summary: (StoreSnapshot) -> String) -> InvariantVerdict {
        guard snapshot.hasStores else { return .noVerdict(invariant) }
        var violations: [Violation] = []
        var unknown: Set<String> = []
        for store in snapshot.stores where !store.isTombstone {
            let subject = HealthSubject.store(store.id)
            guard let value = reading(store).value else {
                unknown.insert(subject)
                continue
            }
            guard value > threshold else { continue }
            let at = snapshot.observedAt
            violations.append(Violation(
                invariant: invariant, subject: subject, severity: severity, summary: summary(store),
                readings: [
                    Reading(name: readingName, value: value, unit: "seconds", source: source, observedAt: at),
                    Reading(name: "threshold", value: threshold, unit: "seconds", source: ReadingSource.spec, observedAt: at),
                ]))
        }
        return InvariantVerdict(invariant: invariant, violations: violations, unknownSubjects: unknown)
    }
}
