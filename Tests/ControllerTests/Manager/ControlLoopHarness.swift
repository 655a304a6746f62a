import Foundation
import Logging
import ModelDiagnosis
import Reconcilers
import Synchronization
import TiKVSimulator
import TestSupport
@testable import ControllerRuntime
@testable import TiKVController
@testable import OperatorStore

/// A controller (the generic manager running the TiKVCluster reconciler) wired to a simulated cluster over
/// loopback HTTP, with a real SQLite store and a spec directory. The manager's and the reconciler's clock is
/// the simulator's virtual clock, so heartbeat ages agree;
/// tests advance it explicitly (`advance`) or let `startClock` run it faster than real time.
final class ControlLoopHarness: StoppableService, @unchecked Sendable {
    let directory: TemporaryDirectory
    let sim: SimulatedCluster
    let server: SimulatorServer
    let port: Int
    let store: StatusStore
    let manager: ControllerManager
    let reconciler: TiKVClusterReconciler
    let clusterName = "sim"
    /// alice, bob and carol, each with a key the cluster's allowed signers list (`clusterYAML` names the file).
    let signers: TestSigners
    private var clockTask: Task<Void, Never>?

    var specsPath: String { directory.path("specs") }
    var pdURL: String { "http://127.0.0.1:\(port)" }

    /// `start` sets the simulator's clock (default: the fixed date of generated clusters); a test that
    /// runs the real CLI against the simulator starts near the wall clock so heartbeat ages agree.
    /// `advertiseMembers: false` leaves PD's member URLs unresolvable, so a client given a proxy's URL stays on it
    /// (with real member URLs it would follow `/leader` past the proxy).
    convenience init(stores: Int = 5, regions: Int = 300, seed: UInt64 = 7, start: Date? = nil, advertiseMembers: Bool = true,
                     diagnoses: DiagnosisRunner = DiagnosisRunner()) async throws {
        let sim = start.map { SimulatedCluster(.generated(stores: stores, regions: regions, seed: seed, nowNanos: Int64($0.timeIntervalSince1970 * 1e9))) }
            ?? SimulatedCluster.generated(stores: stores, regions: regions, seed: seed)
        try await self.init(cluster: sim, advertiseMembers: advertiseMembers, diagnoses: diagnoses)
    }

    /// A prepared cluster, e.g. a shipped scenario's (`ScenarioCatalog.load(name).makeCluster()`, events queued).
    convenience init(state: ClusterState, advertiseMembers: Bool = true) async throws {
        try await self.init(cluster: SimulatedCluster(state), advertiseMembers: advertiseMembers)
    }

    /// `beforeRequest` sees every PD request's path before the simulator answers it (`SimulatorServer`).
    /// `diagnoses`: the reconciler's diagnosis runner (a test counts its provider's calls through its factory).
    init(cluster: SimulatedCluster, advertiseMembers: Bool = true, beforeRequest: (@Sendable (String) async -> Void)? = nil,
         diagnoses: DiagnosisRunner = DiagnosisRunner()) async throws {
        directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path("specs"), withIntermediateDirectories: true)
        signers = try TestSigners(in: directory.path("keys"))
        sim = cluster
        server = try SimulatorServer(cluster: sim, advertiseListeners: advertiseMembers, beforeRequest: beforeRequest)
        port = try await server.start()
        store = try StatusStore(path: directory.path("operator.db"), role: .controller(holder: "test-controller"))
        _ = try store.acquireLease(ttl: .seconds(60))
        var config = ControllerManager.Configuration(specsPath: directory.path("specs"))
        config.specPollInterval = .milliseconds(100)
        config.storePollInterval = .milliseconds(50)
        config.backoffBase = .milliseconds(50)
        config.backoffCap = .milliseconds(500)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let sim = self.sim
        let clock: @Sendable () -> Date = { Date(timeIntervalSince1970: Double(sim.nowNanos) / 1e9) }
        reconciler = TiKVClusterReconciler(store: store, actor: config.actor, diagnoses: diagnoses, clock: clock)
        manager = ControllerManager(config: config, store: store, reconcilers: [reconciler], logger: logger, clock: clock)
    }

    var now: Date { Date(timeIntervalSince1970: Double(sim.nowNanos) / 1e9) }

    /// The controller running in execute mode with store 4 to drain, the simulator at 20× real time:
    /// what the end-to-end and dashboard tests watch. Cancelling the task stops the manager.
    /// `start`: the simulator's clock at start; a test whose other process signs approvals on the wall clock starts there.
    static func drainingStore4(start: Date? = nil) async throws -> (ControlLoopHarness, Task<Void, any Error>) {
        let h = try await ControlLoopHarness(start: start)
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute"))
        try h.writeSpec("maintenance.yaml", h.drainYAML())
        h.startClock(speed: 20)
        let manager = h.manager
        return (h, Task { try await manager.run(until: { Task.isCancelled }) })
    }

    func advance(_ seconds: Double) { sim.advance(seconds: seconds) }

    /// Runs the simulator's clock at `speed` × real time in small ticks until `stop`.
    func startClock(speed: Double) {
        let sim = self.sim
        clockTask = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
                sim.advance(seconds: 0.02 * speed)
            }
        }
    }

    func writeSpec(_ file: String, _ yaml: String) throws {
        try yaml.write(toFile: directory.path("specs/\(file)"), atomically: true, encoding: .utf8)
    }

    func removeSpec(_ file: String) throws { try FileManager.default.removeItem(atPath: directory.path("specs/\(file)")) }

    func clusterYAML(mode: String = "observe", extra: String = "") -> String {
        """
        apiVersion: operator.tikv/v1alpha1
        kind: TiKVCluster
        metadata:
          name: \(clusterName)
        spec:
          pd:
            urls: [\(pdURL)]
            timeout: 30s
          mode: \(mode)
          resyncPeriod: 1s
        \(Self.withAllowedSigners(extra, signers))
        """
    }

    /// `extra` with the harness's allowed signers in its `approval:` section (one is added when it has none).
    static func withAllowedSigners(_ extra: String, _ signers: TestSigners) -> String {
        if let range = extra.range(of: "  approval:\n") {
            return extra.replacingCharacters(in: range, with: "  approval:\n    \(signers.specLine)\n")
        }
        return extra + (extra.isEmpty || extra.hasSuffix("\n") ? "" : "\n") + "  approval:\n    \(signers.specLine)\n"
    }

    /// A StoreMaintenance draining `store` of this cluster.
    func drainYAML(store: UInt64 = 4) -> String {
        """
        apiVersion: operator.tikv/v1alpha1
        kind: StoreMaintenance
        metadata:
          name: drain-store-\(store)
        spec:
          cluster: \(clusterName)
          storeID: \(store)
          reason: kernel upgrade
        """
    }

    /// Loads the spec directory into the store, as the manager's spec loop does.
    func syncSpecs() throws {
        var set = SpecSet()
        _ = set.apply(try SpecDirectory.parse(paths: [specsPath]))
        _ = try SpecSync(store: store, actor: "controller").sync(set, now: now)
    }

    /// One reconcile pass of the cluster, as a worker runs it.
    @discardableResult
    func pass() async throws -> TiKVClusterReconciler.Pass? {
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["OPERATOR_TEST_DEBUG"] != nil ? .debug : .warning
        return try await reconciler.reconcileCluster(clusterName, logger: logger)
    }

    var resources: ResourceStore { ResourceStore(store: store) }
    func plans() throws -> [RemediationPlan] { try resources.list(RemediationPlanKind.self) }
    func tickets() throws -> [Ticket] { try resources.list(TicketKind.self) }
    func cluster() throws -> TiKVCluster? { try resources.get(TiKVClusterKind.self, clusterName) }

    /// What another process (`operator approve`) does: a client-role store writing an approval.
    /// Signed with `who`'s key, as `operator approve --key` signs.
    func approve(_ plan: RemediationPlan, as who: String = "alice") throws {
        let client = try StatusStore(path: directory.path("operator.db"), role: .client(actor: who))
        _ = try client.addApproval(try signers.record(plan, as: who, now: now))
    }

    func stop() async {
        clockTask?.cancel()
        try? store.releaseLease()
        await server.stop()
    }
}
