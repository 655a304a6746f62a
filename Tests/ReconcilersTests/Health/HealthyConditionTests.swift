import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// `Healthy` says True only when every enabled invariant judged every subject: a cluster whose metric invariants
/// cannot read anything is not known to be healthy.
@Suite struct HealthyConditionTests {
    typealias F = HealthFixtures

    func healthy(_ snapshot: ClusterSnapshot, _ configure: (inout TiKVClusterSpec) -> Void = { _ in }) -> Condition? {
        let result = ClusterReconciler.reconcile(ClusterReconcileInput(cluster: F.cluster(configure), snapshot: snapshot, maintenances: [],
                                                                       tickets: [], plans: [], now: F.t0))
        return result.cluster.status.conditions[type: "Healthy"]
    }

    @Test func everyInvariantJudgedAndNothingBrokenIsHealthy() {
        let condition = healthy(F.snapshot())
        #expect(condition?.status == .true)
        #expect(condition?.reason == "NoOpenTickets")
    }

    @Test func withoutLatencyReadingsHealthIsUnknownAndSaysWhich() {
        // No Prometheus series for any store: highLatency and writeStall cannot judge.
        let stores = (1...3).map { F.store(UInt64($0), p99: .noSeries, writeStall: .noSeries) }
        let condition = healthy(F.snapshot(stores: stores))
        #expect(condition?.status == .unknown)
        #expect(condition?.reason == "InvariantsUnknown")
        #expect(condition?.message == "no verdict from highLatency (no reading for store/1, store/2, store/3), "
            + "writeStall (no reading for store/1, store/2, store/3)")
    }

    @Test func disabledInvariantsDoNotMakeHealthUnknown() {
        let stores = (1...3).map { F.store(UInt64($0), p99: .noSeries, writeStall: .noSeries) }
        let condition = healthy(F.snapshot(stores: stores)) {
            $0.invariants.highLatency.enabled = false
            $0.invariants.writeStall.enabled = false
        }
        #expect(condition?.status == .true)
    }

    @Test func aSourceThatDidNotAnswerMakesItsInvariantsUnknown() {
        let snapshot = F.with(F.snapshot()) { $0.sources[.members] = .failed("PD answered 503") }
        let condition = healthy(snapshot)
        #expect(condition?.status == .unknown)
        #expect(condition?.message.contains("(its source did not answer in full)") == true)
    }

    @Test func anOpenTicketIsUnhealthyEvenWhenOthersAreUnknown() {
        let stores = [F.store(1, p99: .value(5)), F.store(2, p99: .noSeries), F.store(3)]
        let cluster = F.cluster { $0.invariants.highLatency.gracePeriod = .zero }
        let result = ClusterReconciler.reconcile(ClusterReconcileInput(cluster: cluster, snapshot: F.snapshot(stores: stores),
                                                                       maintenances: [], tickets: [], plans: [], now: F.t0))
        #expect(result.cluster.status.conditions[type: "Healthy"]?.status == .false)
    }
}
