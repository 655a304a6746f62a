import Foundation

/// Regions without a Raft quorum (`regionsUnavailable`) or one failure from it (`regionsAtRisk`), counted from the
/// regions of the stores that are not alive (`ClusterSnapshot.availability`). One ticket each for the cluster.
///
/// The count is exact when every not-alive store's regions were read; past the observer's bound it is a lower bound:
/// a lower bound above zero is still broken (said in the readings), zero is unknown.
public enum RegionAvailabilityCheck {
    public static func unavailable(_ policy: InvariantPolicy, _ snapshot: ClusterSnapshot) -> InvariantVerdict {
        judge(.regionsUnavailable, policy, snapshot, count: \.unavailableCount) { a in
            "regions lost their Raft quorum: a majority of their voters is on stores that are not alive (\(storeList(a.storesHoldingLostVoters)))"
        }
    }

    public static func atRisk(_ policy: InvariantPolicy, _ snapshot: ClusterSnapshot) -> InvariantVerdict {
        judge(.regionsAtRisk, policy, snapshot, count: \.atRiskCount) { a in
            "regions keep their Raft quorum only while every alive voter stays up: one more failure loses it (not alive: \(storeList(a.storesRead + a.storesUnread)))"
        }
    }

    private static func judge(_ id: InvariantID, _ policy: InvariantPolicy, _ snapshot: ClusterSnapshot,
                              count: KeyPath<RegionAvailability, Int>, summary: (RegionAvailability) -> String) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(id) }
        guard snapshot.answered(.stores) else { return .noVerdict(id) }
        guard let availability = snapshot.availability else {
            // With every store alive (and no Tombstone still holding peers) no voter is lost: nothing to count.
            let allAlive = snapshot.stores.allSatisfy { $0.isTombstone ? $0.regionCount == 0 : $0.liveness == .alive }
            return allAlive ? InvariantVerdict(invariant: id) : .noVerdict(id)
        }
        let n = availability[keyPath: count]
        guard n > 0 else {
            // Zero of the stores read says nothing about the stores left unread.
            return availability.isExact ? InvariantVerdict(invariant: id) : InvariantVerdict(invariant: id, unknownSubjects: [HealthSubject.cluster])
        }
        let at = snapshot.observedAt
        var readings = [
            Reading(name: id == .regionsUnavailable ? "unavailableRegions" : "atRiskRegions", value: Double(n), unit: "regions",
                    source: ReadingSource.storeRegions, observedAt: at),
            Reading(name: "exact", value: availability.isExact ? 1 : 0, unit: "bool", source: ReadingSource.storeRegions, observedAt: at),
        ]
        for s in availability.storesRead + availability.storesUnread {
            readings.append(Reading(name: "store\(s)NotAlive", value: snapshot.store(s)?.heartbeatAge(at: at), unit: "seconds",
                                    source: ReadingSource.stores, observedAt: at))
        }
        if id == .regionsUnavailable {
            for group in availability.unavailableByStores.prefix(8) {
                readings.append(Reading(name: "lostTo:\(group.stores.map(String.init).joined(separator: "+"))", value: Double(group.regions),
                                        unit: "regions", source: ReadingSource.storeRegions, observedAt: at))
            }
        }
        let violation = Violation(invariant: id, subject: HealthSubject.cluster, severity: policy.severity, summary: summary(availability),
                                  readings: readings)
        return InvariantVerdict(invariant: id, violations: [violation])
    }

    static func storeList(_ ids: [UInt64]) -> String {
        let sorted = Array(Set(ids)).sorted()
        return (sorted.count == 1 ? "store " : "stores ") + HealthText.list(sorted)
    }
}
