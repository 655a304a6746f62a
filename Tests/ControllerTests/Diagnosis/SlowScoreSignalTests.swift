import Foundation
import Reconcilers
import Testing
import TiKVSimulator
import TestSupport
@testable import TiKVController

/// PD's slow score as the slow-store signal, over real HTTP (PD, and the stores' metrics read from the simulator's
/// `/metrics` with rates between scrapes): PD's evict-slow-store drains a slow store, its requests and so its latency
/// go, and the ticket stays open on the score; it resolves when the score is back at 1 on the idle store, not when the
/// traffic stopped.
@Suite(.serialized) struct SlowScoreSignalTests {
    @Test func aDrainedSlowStoreKeepsItsTicketUntilTheSlowScoreRecovers() async throws {
        let run = try await SimulatedDiagnosis.start(prometheus: false, exposition: true)
        try await withServer(run) { run in
            let threshold = run.cluster.spec.invariants.highLatency.p99Threshold.seconds
            let fault = try run.sim.withState { try $0.inject(Fault(kind: .slow, store: 3, factor: 10)) }
            func pdEvicts() -> Bool { run.sim.withState { $0.schedulers.evictSlowStore.evictedStores.contains(3) } }
            func leaders() -> Int { run.sim.withState { c in c.reported.filter { $0.leaderStoreId == 3 }.count } }
            func slowScore() -> UInt64 { run.sim.withState { $0.store(3)?.slowScore ?? 0 } }
            func ticket() -> Ticket? { run.tickets.first { $0.spec.invariant == "highLatency" && $0.spec.subject == "store/3" } }

            // Until PD has drained the store and its p99 no longer crosses the threshold: the ticket is open all the same.
            var quiet = false
            for _ in 0..<90 where !(quiet && ticket()?.status.state == .open) {
                _ = try await run.runUntilOpen(invariant: "none", minutes: 10.0 / 60, step: 10)
                let p99 = run.snapshot?.store(3)?.metrics.p99Latency.value
                quiet = pdEvicts() && leaders() == 0 && run.snapshot?.store(3)?.metrics.qps.value == 0 && (p99 ?? 0) <= threshold
            }
            #expect(quiet, "PD drains the slow store and its latency decays")
            let open = try #require(ticket(), "the slow store's ticket")
            #expect(open.status.state == .open)
            #expect(slowScore() == 100)
            #expect(open.spec.summary.contains("PD's slow score is at least 80"), "\(open.spec.summary)")

            // The diagnosis: a slow disk PD is already evicting, no eviction of the controller's, the score's course.
            let d = run.diagnose(open)
            #expect(d.primary.cause == .slowDisk)
            #expect(d.primary.evidence.contains { $0.ref == "evictSlowStores" })
            #expect(d.primary.evidence.contains { $0.ref == "store/3.slowScoreTrend" }, "\(d.primary.evidence.map(\.ref))")
            #expect(d.suggestedActions.isEmpty, "\(d.suggestedActions)")

            // The disk heals. PD keeps the store evicted (recovery-duration, 30 minutes), so it stays idle; the ticket
            // holds while the score falls and resolves once it is back at 1.
            try run.sim.withState { try $0.revert(faultId: fault) }
            var resolvedOn: StoreSnapshot?
            for _ in 0..<60 where resolvedOn == nil {
                _ = try await run.runUntilOpen(invariant: "none", minutes: 10.0 / 60, step: 10)
                let state = ticket()?.status.state
                if state == .resolved { resolvedOn = run.snapshot?.store(3) }
                if state != .resolved, slowScore() > 1, slowScore() < 80 {
                    let falling = run.diagnose(try #require(ticket()))
                    #expect(falling.primary.cause == .slowDisk, "recovering: still the slow disk")
                }
            }
            let idle = try #require(resolvedOn, "the ticket resolves")
            #expect(idle.slowScore == 1, "resolved on the slow score's floor")
            #expect(idle.metrics.qps.value == 0 && idle.metrics.p99Latency.value == nil, "an idle store: no latency to judge")
            #expect(pdEvicts(), "PD still holds the store: it was idle when the ticket resolved")
            #expect(leaders() == 0)
        }
    }
}
