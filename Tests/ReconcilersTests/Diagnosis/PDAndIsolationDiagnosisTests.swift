import Foundation
import PDWire
import Testing
import TestSupport
@testable import Reconcilers

/// The rules engine on PD-health and replica-isolation tickets: which candidate the facts decide, the evidence it cites,
/// and that neither suggests an action (the runbook is the recommendation).
@Suite struct PDAndIsolationDiagnosisTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func ticket(_ invariant: InvariantID, _ subject: String, severity: Severity = .warning) -> Ticket {
        var t = Ticket(metadata: ObjectMeta(name: "prod-\(invariant.rawValue.lowercased())-\(subject.replacingOccurrences(of: "/", with: "-"))"),
                       spec: TicketSpec(cluster: "prod", invariant: invariant.rawValue, subject: subject, severity: severity, summary: "s"))
        t.status.state = .open
        return t
    }

    func snapshot(members: [MemberSnapshot] = []) -> ClusterSnapshot {
        var s = ClusterSnapshot(cluster: "prod", observedAt: now, sources: SnapshotFixtures.requiredSourcesComplete, members: members)
        s.sources[.isolation] = .complete
        return s
    }

    func diagnose(_ t: Ticket, _ snap: ClusterSnapshot, cluster: TiKVCluster? = nil) -> Diagnosis {
        let c = cluster ?? TiKVCluster(metadata: ObjectMeta(name: "prod"), spec: TiKVClusterSpec(pd: PDEndpoint(urls: ["http://pd:2379"])))
        return RulesEngine.diagnose(DiagnosisContextBuilder.build(.init(ticket: t, cluster: c, snapshot: snap)), now: now)
    }

    let members = [MemberSnapshot(name: "pd-0", memberID: 1, healthy: true), MemberSnapshot(name: "pd-1", memberID: 2, healthy: false),
                   MemberSnapshot(name: "pd-2", memberID: 3, healthy: true)]

    @Test func noLeaderNamesTheQuorumAndSuggestsNothing() {
        let d = diagnose(ticket(.pdMembers, "cluster", severity: .critical), snapshot(members: members))
        #expect(d.primary.cause == .pdUnhealthy)
        #expect(d.primary.title.hasPrefix("the PD cluster has no leader"))
        #expect(d.primary.title.contains("unhealthy: pd-1"))
        #expect(d.primary.evidence.contains { $0.ref == "pd.members" && $0.statement.contains("pd-1: unhealthy") })
        #expect(d.recommendedAction.hasPrefix("No automatic action"))
        #expect(d.recommendedAction.contains("2 of 3"))
        #expect(d.suggestedActions.isEmpty)
        #expect(d.notes.isEmpty, "\(d.notes)")
    }

    @Test func anUnhealthyMemberWhileALeaderServesIsAMemberProblem() {
        var list = members
        list[0].isLeader = true
        let d = diagnose(ticket(.pdMembers, "member/pd-1"), snapshot(members: list))
        #expect(d.primary.title == "PD member pd-1 is unhealthy (2 of 3 healthy, 2 needed for etcd's quorum)")
        #expect(d.alternatives.first?.whyRuledOut == "pd-0 still leads")
        #expect(d.suggestedActions.isEmpty)
    }

    @Test func churnCitesTheLeaderChangesFromTheStatus() {
        var list = members
        list[2].isLeader = true
        list[1].healthy = true
        var cluster = TiKVCluster(metadata: ObjectMeta(name: "prod"), spec: TiKVClusterSpec(pd: PDEndpoint(urls: ["http://pd:2379"])))
        cluster.status.pdLeaderHistory = PDLeaderHistory(leader: "pd-2", changes: (1...5).map {
            .init(at: now - Double(600 * (6 - $0)), from: "pd-\($0 % 3)", to: "pd-\(($0 + 1) % 3)")
        })
        let d = diagnose(ticket(.pdMembers, "cluster"), snapshot(members: list), cluster: cluster)
        #expect(d.primary.title == "the PD leader changed 5 times in the last hour (now pd-2)")
        #expect(d.primary.evidence.contains { $0.ref == "pd.leaderChangesLastHour" && $0.statement.hasPrefix("5 PD leader changes") })
        #expect(d.alternatives.first?.whyRuledOut == "every member /health mentions is healthy")
    }

    func isolated(limit: Int = 64, operators: Int = 0) -> ClusterSnapshot {
        var s = snapshot()
        s.settings.locationLabels = ["zone", "host"]
        s.settings.replicaScheduleLimit = limit
        s.isolation = ReplicaIsolation(locationLabels: ["zone", "host"], sampledRegions: 3000, exact: true,
                                       regionsByLevel: ["zone": 120], distinctValues: ["zone": 3, "host": 6], sample: [11, 12])
        s.operators = (0..<operators).map { OperatorSnapshot(regionID: UInt64(100 + $0), description: "move-to-better-location") }
        return s
    }

    @Test func misplacedReplicasAreWeighedAgainstWhatStopsPDsChecker() {
        let t = ticket(.replicaIsolation, "label/zone")
        let idle = diagnose(t, isolated())
        #expect(idle.primary.cause == .replicasNotIsolated)
        #expect(idle.primary.title.hasPrefix("120 regions have two replicas in one zone: PD is not moving them"))
        #expect(idle.primary.confidence == .medium)
        #expect(idle.primary.evidence.contains { $0.ref == "isolation.sample" && $0.statement == "e.g. regions 11, 12" })
        #expect(idle.recommendedAction.hasPrefix("No automatic action"))
        #expect(idle.pdCtlEquivalents.contains("pd-ctl region 11"))
        #expect(idle.suggestedActions.isEmpty)
        #expect(idle.notes.isEmpty, "\(idle.notes)")

        let stopped = diagnose(t, isolated(limit: 0))
        #expect(stopped.primary.title.contains("replica-schedule-limit is 0"))
        #expect(stopped.primary.confidence == .high)
        let fixing = diagnose(t, isolated(operators: 4))
        #expect(fixing.primary.title.contains("PD's replica checker is moving them (4 move-to-better-location operators running)"))
    }

    @Test func withoutACountTheDiagnosisSaysSo() {
        var s = snapshot()
        s.sources[.isolation] = .failed("timeout")
        let d = diagnose(ticket(.replicaIsolation, "label/zone"), s)
        #expect(d.primary.cause == .insufficientData)
    }
}
