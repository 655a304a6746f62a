import Foundation
import Reconcilers
import Testing
import TiKVSimulator
import TestSupport
@testable import TiKVController

/// Restarts read from PD's `start_ts`, over real HTTP: a TiKV process killed and started again within 10 s is alive at
/// every pass, so sampled liveness never sees it; the moved start time does.
@Suite(.serialized) struct RestartSignalLoopTests {
    /// Kills store `id` and starts it again `seconds` later, all between two passes.
    func blip(_ h: ControlLoopHarness, store id: UInt64, seconds: Double = 10) throws {
        let kill = try h.sim.withState { try $0.inject(Fault(kind: .kill, store: id)) }
        h.advance(seconds)
        try h.sim.withState { try $0.revert(faultId: kill) }
        // The new process registers at once and heartbeats within a second.
        h.advance(2)
    }

    func restartEvents(_ h: ControlLoopHarness) throws -> [String] {
        try h.store.events(regardingKind: TiKVClusterKind.kind, regardingName: h.clusterName)
            .filter { $0.reason == StoreRestartEvents.reason }.map(\.message)
    }

    @Test func aTenSecondRestartIsAWarningEventWithNoTicketAndNoPlan() async throws {
        let h = try await ControlLoopHarness(stores: 5, regions: 300)
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute"))
        try h.syncSpecs()
        try await h.pass()
        let before = try #require(h.sim.withState { $0.store(3)?.startTimestamp })

        try blip(h, store: 3)
        try await h.pass()
        let started = try #require(h.sim.withState { $0.store(3)?.startTimestamp })
        #expect(started > before, "the simulator moves start_ts on a restart")
        let events = try restartEvents(h)
        #expect(events.count == 1, "\(events)")
        let at = CanonicalJSON.formatDate(Date(timeIntervalSince1970: Double(started)))
        #expect(events.first?.hasPrefix("store 3 restarted at \(at)") == true, "\(events)")
        #expect(try h.store.events(regardingKind: TiKVClusterKind.kind, regardingName: h.clusterName)
            .first { $0.reason == StoreRestartEvents.reason }?.type == .warning)
        let history = try #require(try h.cluster()?.status.storeHistory?.first { $0.storeID == 3 })
        #expect(history.restarts.count == 1)
        #expect(history.transitions.isEmpty, "alive at every pass: sampled liveness saw nothing")

        // A few more passes: nothing opens (storeDown never broke) and nothing is planned.
        for _ in 0..<3 {
            h.advance(5)
            try await h.pass()
        }
        let open = try h.tickets().filter { $0.status.state == .open }
        #expect(open.isEmpty, "\(open.map(\.name))")
        #expect(try h.tickets().allSatisfy { $0.spec.invariant != InvariantID.storeDown.rawValue })
        let plans = try h.plans()
        #expect(plans.isEmpty, "\(plans.map(\.name))")
        #expect(try restartEvents(h).count == 1, "one restart, one event")
        await h.stop()
    }

    @Test func threeRestartsWithinTheWindowAreFlapping() async throws {
        let h = try await ControlLoopHarness(stores: 5, regions: 300)
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "observe"))
        try h.syncSpecs()
        try await h.pass()
        for round in 1...3 {
            try blip(h, store: 2)
            try await h.pass()
            let flapping = try h.tickets().first { $0.spec.invariant == InvariantID.storeFlapping.rawValue }
            if round < 3 {
                #expect(flapping == nil, "round \(round): \(String(describing: flapping?.status.state))")
            } else {
                let ticket = try #require(flapping, "three restarts in the window are flapping")
                #expect(ticket.spec.subject == "store/2")
                #expect(ticket.status.state == .open)
                #expect(ticket.status.readings.first { $0.name == "restarts" }?.value == 3)
                #expect(ticket.status.readings.first { $0.name == "transitions" }?.value == 0)
            }
            h.advance(20)
        }
        #expect(try restartEvents(h).count == 3)
        await h.stop()
    }
}
