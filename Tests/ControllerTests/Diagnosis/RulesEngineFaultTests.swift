import Foundation
import Reconcilers
import Testing
import TiKVSimulator
import TestSupport
@testable import ControllerRuntime
@testable import PDClient
@testable import TiKVObservation

/// The rules engine on every fault of the simulator: inject, let virtual time pass, observe over
/// HTTP, run the health reconciler, diagnose the ticket it opened. The table (fault → expected
/// cause) is `docs/diagnosis-fault-table.json`.
@Suite(.serialized) struct RulesEngineFaultTests {
    struct Scenario: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var fault: String
        var store: UInt64?
        var regionSlot: Int?
        var factor: Double?
        var period: Int64?
        /// pd-member-unhealthy / pd-member-down: the member; pd-leader-change: how long the election takes.
        var member: String?
        var seconds: Double?
        /// PD's `location-labels`, with the cluster placed across them from the start.
        var locationLabels: [String]?
        var prometheus: Bool
        var invariant: String
        var expect: DiagnosisCause
        var testDescription: String { "\(name) → \(expect.rawValue)" }
    }

    static let scenarios: [Scenario] = {
        // Tests/ControllerTests/Diagnosis/<file> → the repo root is three levels up.
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/diagnosis-fault-table.json")
        return (try? JSONDecoder().decode([Scenario].self, from: Data(contentsOf: url))) ?? []
    }()

    @Test func theTableIsComplete() {
        let faults = Set(Self.scenarios.map(\.fault))
        // Clock skew and a busy store break no invariant yet, so they have no diagnosis row: clock skew and thread-pool
        // saturation are invariants the incidents issue adds.
        for kind in Fault.Kind.allCases where kind != .clockSkew && kind != .busy {
            #expect(faults.contains(kind.rawValue), "no scenario for \(kind.rawValue)")
        }
        #expect(faults.contains("evict-leader-scheduler"))
    }

    @Test(arguments: scenarios) func namesTheExpectedCause(_ scenario: Scenario) async throws {
        let run = try await SimulatedDiagnosis.start(prometheus: scenario.prometheus, locationLabels: scenario.locationLabels ?? [])
        try await withServer(run) { run in
            try run.sim.withState { s in try s.pauseScheduler(name: "all", delaySeconds: 24 * 3600) }
            try run.inject(scenario)
            let ticket = try await run.runUntilOpen(invariant: scenario.invariant, minutes: 14)
            let diagnosis = try #require(ticket.map { run.diagnose($0) }, "no open \(scenario.invariant) ticket; tickets: \(run.tickets.map(\.name))")
            #expect(diagnosis.primary.cause == scenario.expect, "\(diagnosis.primary.title); evidence: \(diagnosis.primary.evidence.map(\.statement))")
            #expect(!diagnosis.primary.evidence.isEmpty)
            #expect(diagnosis.notes.isEmpty, "the rules engine's own evidence and actions must validate: \(diagnosis.notes)")
            if scenario.expect == .insufficientData { #expect(diagnosis.primary.confidence == .low) }
            if scenario.expect != .insufficientData { #expect(!diagnosis.alternatives.isEmpty, "a differential names what it ruled out") }
        }
    }

    @Test func aHealthyClusterOpensNoTicketAndGetsNoDiagnosisOverAnHour() async throws {
        let run = try await SimulatedDiagnosis.start(prometheus: true)
        try await withServer(run) { run in
            // The generated cluster settles about 12 % off the leader mean, inside PD's own tolerance.
            run.cluster.spec.balance.leaders.maxSkewPercent = 25
            _ = try await run.runUntilOpen(invariant: "none", minutes: 60, step: 60)
            #expect(run.tickets.filter { $0.status.state != .resolved }.isEmpty, "tickets: \(run.tickets.map(\.name))")
        }
    }
}

/// The pipeline of one pass without the store: observer → health reconciler → rules engine.
final class SimulatedDiagnosis: StoppableService, @unchecked Sendable {
    let sim: SimulatedCluster
    let server: SimulatorServer
    let prometheus: LoopbackServer?
    var cluster: TiKVCluster
    var tickets: [Ticket] = []
    var snapshot: ClusterSnapshot?
    let observer: ClusterObserver

    var now: Date { Date(timeIntervalSince1970: Double(sim.nowNanos) / 1e9) }

    /// `exposition`: without Prometheus, the store metrics are the simulator's own `/metrics` read directly (rates
    /// between two scrapes), as `operator run` reads them with no Prometheus configured.
    private init(sim: SimulatedCluster, server: SimulatorServer, pdPort: Int, prometheus: LoopbackServer?, exposition: Bool = false) {
        self.sim = sim
        self.server = server
        self.prometheus = prometheus
        let spec = TiKVClusterSpec(pd: PDEndpoint(urls: ["http://127.0.0.1:\(pdPort)"], timeout: .seconds(30)),
                                   prometheus: prometheus.map { PrometheusEndpoint(url: $0.url.absoluteString, timeout: .seconds(30)) })
        cluster = TiKVCluster(metadata: ObjectMeta(name: "sim"), spec: spec)
        let reader = exposition ? URL(string: "http://127.0.0.1:\(pdPort)/metrics").map { ExpositionMetrics(url: $0) } : nil
        observer = ClusterObserver(spec: spec, retry: .none, exposition: reader, clock: { Date(timeIntervalSince1970: Double(sim.nowNanos) / 1e9) })
    }

    static func start(prometheus: Bool, exposition: Bool = false, stores: Int = 5, regions: Int = 300,
                      locationLabels: [String] = []) async throws -> SimulatedDiagnosis {
        let sim = SimulatedCluster(.generated(stores: stores, regions: regions, seed: 7, locationLabels: locationLabels))
        let server = try SimulatorServer(cluster: sim)
        let port = try await server.start()
        let prom = prometheus ? try await SimulatorPrometheus.start(sim) : nil
        return SimulatedDiagnosis(sim: sim, server: server, pdPort: port, prometheus: prom, exposition: exposition && !prometheus)
    }

    func inject(_ s: RulesEngineFaultTests.Scenario) throws {
        if s.fault == "evict-leader-scheduler" {
            _ = try sim.withState { try $0.addScheduler(name: "evict-leader-scheduler", storeId: s.store) }
            return
        }
        guard let kind = Fault.Kind(rawValue: s.fault) else { throw CLIError.failure("unknown fault \(s.fault)") }
        let region = s.regionSlot.map { slot in sim.withState { $0.truth[slot].id } }
        var fault = Fault(kind: kind, store: s.store, region: region, factor: s.factor ?? 0, periodSeconds: s.period ?? 60)
        fault.member = s.member
        fault.seconds = s.seconds
        _ = try sim.withState { [fault] in try $0.inject(fault) }
    }

    /// Passes every `step` virtual seconds until a ticket of `invariant` is open (then returns it) or `minutes` pass.
    func runUntilOpen(invariant: String, minutes: Double, step: Double = 10) async throws -> Ticket? {
        var elapsed = 0.0
        while elapsed < minutes * 60 {
            sim.advance(seconds: step)
            elapsed += step
            let snap = await observer.observe(cluster: "sim", regions: .none, now: now)
            snapshot = snap
            let result = HealthReconciler.reconcile(HealthInput(cluster: cluster, snapshot: snap, tickets: tickets, now: now))
            tickets = result.tickets
            cluster.status.storeHistory = result.storeHistory
            cluster.status.pdLeaderHistory = result.pdLeaderHistory
            if let open = tickets.first(where: { $0.spec.invariant == invariant && $0.status.state == .open }) { return open }
        }
        return nil
    }

    func diagnose(_ ticket: Ticket) -> Diagnosis {
        let context = DiagnosisContextBuilder.build(.init(ticket: ticket, cluster: cluster, snapshot: snapshot ?? ClusterSnapshot(cluster: "sim", observedAt: now),
                                                          tickets: tickets))
        return RulesEngine.diagnose(context, now: now)
    }

    func stop() async {
        await prometheus?.stop()
        await server.stop()
    }
}
