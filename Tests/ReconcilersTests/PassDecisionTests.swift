import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// The pass's log lines as the pure reconciler returns them: a constant phrase, the names as fields, and the
/// idle line's level.
@Suite struct PassDecisionTests {
    typealias F = HealthFixtures

    @Test func aQuietPassSaysNothingToDoAtDebugOnly() {
        let result = ClusterReconciler.reconcile(ClusterReconcileInput(cluster: F.cluster(), snapshot: F.snapshot(), maintenances: [],
                                                                       tickets: [], plans: [], now: F.t0))
        #expect(result.decisions == [PassDecision(.debug, "Nothing to do: no drift beyond the desired balance",
                                                  ["openTickets": "0", "activePlans": "0"])])
    }

    @Test func whileAPlanExecutesThePassNamesThePlanAndItsStepInstead() {
        let f = StageFixture()
        let plan = f.running(f.plan([f.leaderMove, f.leaderMove]), step: 1, startedAt: f.now)
        let pending = f.plan("later", [f.leaderMove])
        #expect(ClusterReconciler.idle(tickets: [], plans: [pending, plan])
                == [PassDecision(.info, "Plan executing", ["plan": "p", "step": "step-2", "stepPhase": "Running"])])
    }

    @Test func anOpenedTicketNamesTicketAndStoreAsFields() throws {
        let stores = [F.store(1, p99: .value(5)), F.store(2), F.store(3)]
        let cluster = F.cluster { $0.invariants.highLatency.gracePeriod = .zero }
        let result = ClusterReconciler.reconcile(ClusterReconcileInput(cluster: cluster, snapshot: F.snapshot(stores: stores),
                                                                       maintenances: [], tickets: [], plans: [], now: F.t0))
        let ticket = try #require(result.tickets.first { $0.spec.subject == "store/1" })
        let opened = try #require(result.decisions.first { $0.message == "Ticket opened" })
        #expect(opened.level == .info)
        #expect(opened.fields["ticket"] == ticket.name && opened.fields["store"] == "1" && opened.fields["invariant"] == "highLatency")
        #expect(opened.fields["from"] == "new" && opened.fields["summary"] == ticket.spec.summary)
    }

    @Test func aPlanPhaseChangeIsOnePhrasePerPhase() {
        let f = StageFixture()
        let before = f.plan([f.leaderMove])
        var after = before
        after.status.phase = .superseded
        #expect(ClusterReconciler.describePlanChanges(before: [before], after: [after])
                == [PassDecision(.info, "Plan superseded", ["plan": "p", "from": "Pending"])])
        let created = ClusterReconciler.describePlanChanges(before: [], after: [before])
        #expect(created.map(\.message) == ["Plan created"] && created.first?.fields["plan"] == "p")
        #expect(created.first?.description.hasPrefix("Plan created plan=p reason=test revision=") == true)
    }
}
