import Foundation
import Reconcilers
import Testing
import TiKVSimulator
import TestSupport

/// `operator diagnose ticket/NAME` as a person runs it from another process: a controller has opened
/// a ticket for a killed store; the command observes the cluster afresh, runs the cluster's provider
/// (the rules engine) and prints the report, writing nothing to the store.
@Suite(.serialized) struct DiagnoseCommandTests {
    @Test func diagnosesAKilledStoreOnDemandAndWritesNothing() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        // The CLI judges heartbeat ages by the wall clock: the simulator starts a little in the past and
        // is brought level with the wall clock before the command runs.
        let h = try await ControlLoopHarness(start: Date().addingTimeInterval(-300))
        let prometheus = try await SimulatorPrometheus.start(h.sim)
        try await withServer(h) { h in try await withServer(prometheus) { prometheus in
            try h.writeSpec("cluster.yaml", h.clusterYAML(extra: "  prometheus:\n    url: \(prometheus.url.absoluteString)"))
            try h.syncSpecs()
            try await h.pass()
            _ = try h.sim.withState { try $0.inject(Fault(kind: .kill, store: 3)) }
            var ticket: Ticket?
            for _ in 0..<18 where ticket == nil {
                h.advance(10)
                try await h.pass()
                ticket = try h.tickets().first { $0.spec.invariant == "storeDown" && $0.status.state == .open }
            }
            let names = try h.tickets().map(\.name)
            let open = try #require(ticket, "tickets: \(names)")
            h.advance(max(0, Date().timeIntervalSince(h.now)))
            h.startClock(speed: 1)
            let writes = try h.store.changeCounter()
            let db = h.directory.path("operator.db")

            let json = try await CLIProcess.run(binary, ["diagnose", "ticket/\(open.name)", "-o", "json", "--db", db])
            #expect(json.status == 0, "stderr: \(json.stderr)")
            let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8))
            let object = try #require(parsed as? [String: Any], "\(json.stdout)")
            let primary = try #require(object["primary"] as? [String: Any])
            #expect(primary["cause"] as? String == DiagnosisCause.storeProcessDown.rawValue, "\(primary)")
            #expect(object["ticket"] as? String == open.name)
            #expect(((primary["evidence"] as? [Any]) ?? []).isEmpty == false, "a diagnosis shows its evidence")
            #expect(((object["alternatives"] as? [Any]) ?? []).isEmpty == false, "a differential names what it ruled out")

            let report = try await CLIProcess.run(binary, ["diagnose", "ticket", open.name, "--db", db])
            #expect(report.status == 0, "stderr: \(report.stderr)")
            let title = primary["title"] as? String ?? "<no title>"
            #expect(report.stdout.contains(title), "the report leads with the primary diagnosis:\n\(report.stdout)")

            // Read-only: neither run wrote an object, a diagnosis or an audit record.
            #expect(try h.store.changeCounter() == writes)

            let missing = try await CLIProcess.run(binary, ["diagnose", "ticket/no-such-ticket", "--db", db])
            #expect(missing.status != 0)
            #expect(missing.stderr.contains("no-such-ticket"), "stderr: \(missing.stderr)")
            let wrongKind = try await CLIProcess.run(binary, ["diagnose", "plan/anything", "--db", db])
            #expect(wrongKind.status != 0)
            #expect(wrongKind.stderr.contains("ticket/NAME"), "stderr: \(wrongKind.stderr)")
            await prometheus.stop()
            await h.stop()
        } }
    }
}
