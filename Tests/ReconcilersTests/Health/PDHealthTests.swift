import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// PD's health: no leader is critical, an unhealthy member or leader churn a warning; leader changes are counted
/// from what successive passes saw (`PDLeaderHistory`), kept in the cluster's status.
@Suite struct PDHealthTests {
    typealias F = HealthFixtures
    let t0 = HealthFixtures.t0

    func snapshot(leader: String?, at time: Date) -> ClusterSnapshot {
        F.with(F.snapshot(at: time)) { s in
            for i in s.members.indices { s.members[i].isLeader = s.members[i].name == leader }
        }
    }

    @Test func leaderChangesAreCountedAcrossPassesWithoutLeaderAndWithinTheHour() {
        var h = PDLeaderHistory.update(nil, snapshot: snapshot(leader: "pd-1", at: t0), now: t0)
        #expect(h == PDLeaderHistory(leader: "pd-1"))
        // An election with no leader seen in between: one change, counted when the new leader is seen.
        h = PDLeaderHistory.update(h, snapshot: snapshot(leader: nil, at: t0 + 10), now: t0 + 10)
        #expect(h.changes.isEmpty)
        h = PDLeaderHistory.update(h, snapshot: snapshot(leader: "pd-2", at: t0 + 20), now: t0 + 20)
        #expect(h.changes == [.init(at: t0 + 20, from: "pd-1", to: "pd-2")])
        // The same leader again after no leader is no change PD's HTTP API can show.
        h = PDLeaderHistory.update(h, snapshot: snapshot(leader: nil, at: t0 + 30), now: t0 + 30)
        h = PDLeaderHistory.update(h, snapshot: snapshot(leader: "pd-2", at: t0 + 40), now: t0 + 40)
        #expect(h.changes.count == 1)
        // A member list that did not answer says nothing.
        let failed = F.with(snapshot(leader: "pd-3", at: t0 + 50)) { $0.sources[.members] = .failed("timeout") }
        #expect(PDLeaderHistory.update(h, snapshot: failed, now: t0 + 50) == h)
        // Past the hour the change is forgotten; the leader is kept.
        let later = PDLeaderHistory.update(h, snapshot: snapshot(leader: "pd-2", at: t0 + 3700), now: t0 + 3700)
        #expect(later == PDLeaderHistory(leader: "pd-2"))
    }

    func verdict(_ snapshot: ClusterSnapshot, leaders: PDLeaderHistory, spec: TiKVClusterSpec = F.cluster().spec) -> InvariantVerdict {
        TiKVInvariants.registry.evaluate(TiKVInvariantContext(spec: spec, snapshot: snapshot, maintenances: [], history: [],
                                                              pdLeaders: leaders, now: snapshot.observedAt))
            .first { $0.invariant == .pdMembers } ?? .noVerdict(.pdMembers)
    }

    func churn(_ n: Int) -> PDLeaderHistory {
        PDLeaderHistory(leader: "pd-1", changes: (0..<n).map { .init(at: t0 - Double(600 * ($0 + 1)), from: "pd-2", to: "pd-1") })
    }

    @Test func noLeaderIsCriticalAndAnUnhealthyMemberOrChurnAWarning() throws {
        var snap = snapshot(leader: "pd-1", at: t0)
        #expect(verdict(snap, leaders: churn(3)).violations.isEmpty, "three changes in an hour are within the default limit")
        let churning = try #require(verdict(snap, leaders: churn(4)).violations.first)
        #expect(churning.subject == "cluster")
        #expect(churning.severity == .warning)
        #expect(churning.summary == "the PD leader changed more than 3 times in an hour")
        #expect(churning.readings.first { $0.name == "leaderChangesLastHour" }?.value == 4)

        snap.members[1].healthy = false
        let member = try #require(verdict(snap, leaders: churn(0)).violations.first)
        #expect(member.subject == "member/pd-2")
        #expect(member.severity == .warning)

        // No leader outranks churn on the same subject, and is critical.
        snap = snapshot(leader: nil, at: t0)
        let none = try #require(verdict(snap, leaders: churn(5)).violations.first { $0.subject == "cluster" })
        #expect(none.severity == .critical)
        #expect(none.summary == "the PD cluster has no leader")
        #expect(none.readings.first { $0.name == "members" }?.value == 3)

        let spec = F.cluster { $0.invariants.pdMembers.maxLeaderChangesPerHour = 10; $0.invariants.pdMembers.degradedSeverity = .info }.spec
        #expect(verdict(snapshot(leader: "pd-1", at: t0), leaders: churn(5), spec: spec).violations.isEmpty)
    }

    /// The health pass carries the history to the cluster's status and opens the churn ticket from it.
    @Test func theHealthPassKeepsTheLeaderHistoryInTheStatus() {
        var cluster = F.cluster { $0.invariants.pdMembers.gracePeriod = .zero }
        cluster.status.pdLeaderHistory = churn(3)
        let result = HealthReconciler.reconcile(HealthInput(cluster: cluster, snapshot: snapshot(leader: "pd-2", at: t0), now: t0))
        #expect(result.pdLeaderHistory?.leader == "pd-2")
        #expect(result.pdLeaderHistory?.changes.count == 4)
        let ticket = result.tickets.first { $0.spec.invariant == "pdMembers" }
        #expect(ticket?.status.state == .open)
        #expect(ticket?.spec.severity == .warning)
    }
}
