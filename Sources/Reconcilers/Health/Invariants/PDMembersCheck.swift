import Foundation

/// PD's health. Subject `cluster`: no PD member is the leader (the policy's `severity`, critical by default), or the
/// leader changed more than `maxLeaderChangesPerHour` times in the last hour (`degradedSeverity`); no leader wins when
/// both hold, since it is the worse. Subject `member/<name>`: `/health` calls the member unhealthy (`degradedSeverity`);
/// a member `/health` did not mention is unknown, not healthy.
public enum PDMembersCheck {
    public static func evaluate(_ policy: PDHealthInvariant, _ snapshot: ClusterSnapshot, leaders: PDLeaderHistory? = nil) -> InvariantVerdict {
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
                    invariant: .pdMembers, subject: subject, severity: policy.degradedSeverity,
                    summary: "PD member \(member.name) is unhealthy",
                    readings: [Reading(name: "healthy", value: 0, unit: "bool", source: ReadingSource.health, observedAt: at)]))
            }
        }
        let changes = leaders?.changes.filter { at.timeIntervalSince($0.at) <= PDLeaderHistory.window }.count ?? 0
        let readings = [
            Reading(name: "members", value: Double(snapshot.members.count), unit: "members", source: ReadingSource.members, observedAt: at),
            Reading(name: "healthyMembers", value: Double(snapshot.members.filter { $0.healthy == true }.count), unit: "members",
                    source: ReadingSource.health, observedAt: at),
            Reading(name: "leaderChangesLastHour", value: leaders == nil ? nil : Double(changes), unit: "changes",
                    source: ReadingSource.pdLeaderHistory, observedAt: at),
        ]
        if !snapshot.members.contains(where: \.isLeader) {
            violations.append(Violation(invariant: .pdMembers, subject: HealthSubject.cluster, severity: policy.severity,
                                        summary: "the PD cluster has no leader", readings: readings))
        } else if changes > policy.maxLeaderChangesPerHour {
            violations.append(Violation(
                invariant: .pdMembers, subject: HealthSubject.cluster, severity: policy.degradedSeverity,
                summary: "the PD leader changed more than \(policy.maxLeaderChangesPerHour) times in an hour", readings: readings))
        }
        return InvariantVerdict(invariant: .pdMembers, violations: violations, unknownSubjects: unknown)
    }
}
