import Foundation

/// A PD member `/health` calls unhealthy (subject `member/<name>`), or a PD cluster without a leader
/// (subject `cluster`). A member `/health` did not mention is unknown, not healthy.
public enum PDMembersCheck {
    public static func evaluate(_ policy: InvariantPolicy, _ snapshot: ClusterSnapshot) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.pdMembers) }
        guard snapshot.answered(.members) else { return .noVerdict(.pdMembers) }
        let at = snapshot.observedAt
        var violations: [Violation] = []
        var unknown: Set<String> = []
        for member in snapshot.members {
            let subject = HealthSubject.member(member.name)
            switch member.healthy {
            case nil: unknown.insert(subject)
            case true?: continue
            case false?:
                violations.append(Violation(
                    invariant: .pdMembers, subject: subject, severity: policy.severity,
                    summary: "PD member \(member.name) is unhealthy",
                    readings: [Reading(name: "healthy", value: 0, unit: "bool", source: ReadingSource.health, observedAt: at)]))
            }
        }
        if !snapshot.members.contains(where: \.isLeader) {
            violations.append(Violation(
                invariant: .pdMembers, subject: HealthSubject.cluster, severity: policy.severity,
                summary: "the PD cluster has no leader",
                readings: [
                    Reading(name: "members", value: Double(snapshot.members.count), unit: "members", source: ReadingSource.members, observedAt: at),
                    Reading(name: "healthyMembers", value: Double(snapshot.members.filter { $0.healthy == true }.count), unit: "members",
                            source: ReadingSource.health, observedAt: at),
                ]))
        }
        return InvariantVerdict(invariant: .pdMembers, violations: violations, unknownSubjects: unknown)
    }
}
