import Foundation
import Reconcilers
import Synchronization
import Testing
import TiKVSimulator
@testable import ModelDiagnosis
@testable import TiKVController

/// A provider that answers as the rules engine does and counts every call with the context's digest: what a model's
/// call budget would be spent on.
final class CountingProvider: ModelDiagnosis.DiagnosisProvider {
    let name = "counting"
    private let calls = Mutex<[(ticket: String, digest: String)]>([])

    func diagnose(_ context: DiagnosisContext, now: Date) async throws(DiagnosisError) -> Diagnosis {
        calls.withLock { $0.append((context.ticket.name, DiagnosisContextBuilder.digest(context))) }
        return RulesEngine.diagnose(context, now: now)
    }

    func calls(for ticket: String) -> [String] { calls.withLock { $0.filter { $0.ticket == ticket }.map(\.digest) } }
    var total: Int { calls.withLock { $0.count } }
}

/// Diagnoses that age well, through the manager's reconciler and its runner over real HTTP: a ticket is diagnosed
/// again only when its categorical evidence changes, however many passes its numbers move in.
@Suite(.serialized) struct RediagnosisBudgetTests {
    @Test func aLastingSlowStoreIsDiagnosedOncePerCategoricalChange() async throws {
        let provider = CountingProvider()
        let h = try await ControlLoopHarness(stores: 5, regions: 300, diagnoses: DiagnosisRunner(makeProvider: { _, _ in provider }))
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute"))
        try h.syncSpecs()
        try await h.pass()
        let fault = try h.sim.withState { try $0.inject(Fault(kind: .slow, store: 3, factor: 10)) }
        let name = TicketName.make(cluster: h.clusterName, invariant: InvariantID.highLatency.rawValue, subject: "store/3")
        func ticket() throws -> Ticket? { try h.tickets().first { $0.name == name } }
        func pass() async throws {
            h.advance(10)
            _ = try h.store.renewLease()
            try await h.pass()
            await h.reconciler.diagnoses.waitUntilIdle()
        }

        // Fifteen minutes of passes every 10 s: the score climbs to 100, PD evicts and drains the store, its leader
        // count, heartbeat age and the other stores' counts move every pass.
        var openPasses = 0
        for _ in 0..<90 {
            try await pass()
            if try ticket()?.status.state == .open { openPasses += 1 }
        }
        #expect(openPasses > 60, "the slow store's ticket is open for most of the run: \(openPasses) passes")
        let diagnosed = try #require(try ticket()?.status.diagnosis, "the ticket is diagnosed")
        #expect(diagnosed.primary.cause == .slowDisk)
        #expect(diagnosed.recommendedAction.hasPrefix("PD is already acting"), "\(diagnosed.recommendedAction)")
        // Open, slow and evicted by PD from the first pass that diagnosed it to the last: one call.
        #expect(provider.calls(for: name).count == 1, "\(provider.calls(for: name))")

        // The disk heals: the score leaves PD's slow line (a change of category: one more diagnosis), falls to 1 and the
        // ticket resolves; no call is made for any pass in between.
        try h.sim.withState { try $0.revert(faultId: fault) }
        for _ in 0..<40 where try ticket()?.status.state != .resolved {
            try await pass()
        }
        #expect(try ticket()?.status.state == .resolved)
        let calls = provider.calls(for: name)
        #expect(calls.count == 2, "\(calls)")
        #expect(Set(calls).count == calls.count, "never twice for one categorical state")
        // Every ticket of the incident: one call per distinct digest, far fewer than passes.
        for t in try h.tickets() {
            let digests = provider.calls(for: t.name)
            #expect(Set(digests).count == digests.count, "\(t.name): \(digests)")
        }
        #expect(provider.total < 10, "\(provider.total) calls in \(90 + 40) passes")
        await h.stop()
    }
}
