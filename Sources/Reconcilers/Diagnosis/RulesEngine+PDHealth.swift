import Foundation

/// PD's own health: no leader, an unhealthy member, leader churn. PD members are not the controller's to restart, so
/// no action is suggested: the recommendation is the runbook.
extension RulesEngine {
    static func pdHealth(_ c: DiagnosisContext) -> Finding {
        let members = c.pd?.members ?? []
        let unhealthy = members.filter { $0.healthy == false }.map(\.name)
        let leader = members.first(where: \.isLeader)?.name
        let changes = c.pd?.leaderChangesLastHour ?? 0
        var ev = [Evidence(.fact, "pd.members", members.isEmpty ? "no member list in this observation"
                           : members.map { "\($0.name)\($0.isLeader ? " (leader)" : ""): \($0.healthy.map { $0 ? "healthy" : "unhealthy" } ?? "health unknown")" }
                             .joined(separator: ", "))]
        ev.append(Evidence(.fact, "pd.leaderChangesLastHour", "\(changes) PD leader changes seen in the last hour"
                           + ((c.pd?.leaderChanges.first).map { " (latest \($0))" } ?? "")))
        let noLeaderEvidence = Evidence(.fact, "pd.members", leader.map { "\($0) leads" } ?? "no member is the leader")
        let quorum = members.isEmpty ? 0 : members.count / 2 + 1
        let healthyCount = members.filter { $0.healthy == true }.count
        let title: String
        let recommended: String
        var alternatives: [Alternative] = []
        if c.ticket.subject.hasPrefix("member/") {
            let name = String(c.ticket.subject.dropFirst("member/".count))
            title = "PD member \(name) is unhealthy (\(healthyCount) of \(members.count) healthy, \(quorum) needed for etcd's quorum)"
            recommended = "No automatic action: PD members are not the controller's to restart. Runbook: check \(name)'s process and logs "
                + "(etcd health check failures, slow fsync of its data directory, lost peer connections); compare `pd-ctl health` with "
                + "`pd-ctl member`; restart or replace the member (`pd-ctl member delete name \(name)` then join a new one) only while the "
                + "other members keep a quorum."
            alternatives.append(Alternative(cause: .other, title: "the PD cluster lost its leader", contradicting: [noLeaderEvidence],
                                            whyRuledOut: leader.map { "\($0) still leads" } ?? "no leader either: see the cluster's PD ticket"))
        } else if leader == nil {
            title = "the PD cluster has no leader: nothing is scheduled and no timestamp is handed out"
                + (unhealthy.isEmpty ? "" : " (unhealthy: \(unhealthy.joined(separator: ", ")))")
            recommended = "No automatic action: PD members are not the controller's to restart. Runbook: check that a quorum of PD members "
                + "(\(quorum) of \(members.count)) runs and reaches each other (`pd-ctl member`, `pd-ctl health`, each member's /pd/api/v1/health); "
                + "read the members' logs for campaign and lease errors; an election normally ends within seconds, so a lasting one means "
                + "lost quorum, a network split between members, or etcd unable to write (disk full or slow)."
            alternatives.append(Alternative(cause: .other, title: "the controller cannot reach PD", contradicting: [ev[0]],
                                            whyRuledOut: members.isEmpty ? "not ruled out: no member answered"
                                                : "the members answered /health: PD runs, and none of them leads"))
        } else {
            title = "the PD leader changed \(changes) times in the last hour (now \(leader ?? "none"))"
            recommended = "No automatic action. Runbook: find why leadership moves (`pd-ctl member` and the members' logs around each change): "
                + "a member whose lease expires (slow etcd fsync, CPU starvation, clock jumps), a flaky network between members, or "
                + "leader priorities (`pd-ctl member leader_priority`) moving it back and forth; each change empties PD's operator queue "
                + "and region statistics for a while."
            alternatives.append(Alternative(cause: .pdUnhealthy, title: "a PD member is unhealthy", supporting: unhealthy.isEmpty ? [] : [ev[0]],
                                            contradicting: unhealthy.isEmpty ? [ev[0]] : [],
                                            whyRuledOut: unhealthy.isEmpty ? "every member /health mentions is healthy" : "also true; see its member ticket"))
        }
        return Finding(
            primary: Hypothesis(cause: .pdUnhealthy, title: title, confidence: members.isEmpty ? .low : .high, evidence: ev),
            alternatives: alternatives,
            recommended: recommended,
            pdCtl: ["pd-ctl member", "pd-ctl health", "pd-ctl member leader show"],
            risks: ["Without a PD leader no scheduling happens and no new transaction gets a timestamp.",
                    "Restarting members one after another can cost the quorum: restart one only while the others are healthy."])
    }
}
