import ControllerRuntime
import Foundation
import Logging
import OperatorStore
import PDClient
import Reconcilers
import SignedApprovals
import SSHSignatures
import TiKVController
import TiKVObservation
import TiKVSimulator

/// Everything `operator demo` starts, and stops on exit: a simulated 6-store cluster behind a
/// PD-compatible API on 127.0.0.1, its clock running `speed` × real time, a spec directory with a
/// TiKVCluster in `execute` mode, a status store, and the controller's manager reading the
/// simulator's clock (so heartbeat ages agree at any speed). Store metrics come from a real Prometheus
/// scraping the simulator when a `prometheus` binary is on PATH, otherwise from the simulator's
/// `/metrics` read directly by the controller.
final class DemoEnvironment: @unchecked Sendable {
    let directory: URL
    let sim: SimulatedCluster
    let server: SimulatorServer
    let port: Int
    let store: StatusStore
    let manager: ControllerManager
    let clusterName = "demo"
    let speed: Double
    /// The Prometheus the demo started, if any; nil means the controller reads `/metrics` directly.
    let prometheus: PrometheusProcess?
    /// Why there is no Prometheus, for the opening lines.
    let prometheusAbsence: String?
    private var clockTask: Task<Void, Never>?
    private var managerTask: Task<Void, any Error>?

    var pdURL: String { "http://127.0.0.1:\(port)" }
    var specsPath: String { directory.appendingPathComponent("specs").path }
    var dbPath: String { directory.appendingPathComponent("operator.db").path }
    /// The demo's throwaway approval key (`approve --key` takes it) and the allowed signers that list it.
    var keyPath: String { directory.appendingPathComponent("demo-approver-key").path }
    var allowedSignersPath: String { directory.appendingPathComponent("allowed_signers").path }
    let signingKey: SSHPrivateKey
    var now: Date { sim.now }

    init(speed: Double, scenario: String = "demo", logger: Logger) async throws {
        self.speed = speed
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("operator-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("specs"), withIntermediateDirectories: true)
        // A key made for this demo only: approvals are signed as a team's would be, by a key the allowed signers list.
        signingKey = try SSHPrivateKey.generateEd25519(comment: "operator demo approver")
        try signingKey.write(toFile: directory.appendingPathComponent("demo-approver-key").path)
        let principals = Set(["demo-user", Self.keyboardApprover]).sorted().joined(separator: ",")
        try "\(principals) \(signingKey.publicKey.openSSHLine(comment: "operator demo approver"))\n"
            .write(to: directory.appendingPathComponent("allowed_signers"), atomically: true, encoding: .utf8)
        // The cluster starts at the wall clock's time, so `operator get` ages read naturally.
        // Scenarios/demo.yaml: PD's balancers off (the controller's plans do the work people watch), a dead
        // store Down after 5 simulated minutes.
        let state = try ScenarioCatalog.load(scenario).makeCluster(nowNanos: Int64(Date().timeIntervalSince1970 * 1e9))
        sim = SimulatedCluster(state)
        server = try SimulatorServer(cluster: sim)
        port = try await server.start()
        var started: PrometheusProcess?
        do {
            let found = await Self.startPrometheus(simAddress: "127.0.0.1:\(port)", sim: sim)
            started = found.process
            prometheusAbsence = found.absence
            store = try StatusStore(path: directory.appendingPathComponent("operator.db").path, role: .controller(holder: "operator-demo"))
            _ = try store.acquireLease(ttl: .seconds(30))
        } catch {
            // Nothing the demo started outlives a failed start.
            started?.stop()
            await server.stop()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        prometheus = started
        var config = ControllerManager.Configuration(specsPath: directory.appendingPathComponent("specs").path)
        config.specPollInterval = .milliseconds(250)
        config.storePollInterval = .milliseconds(100)
        config.backoffBase = .milliseconds(200)
        config.backoffCap = .seconds(5)
        let sim = self.sim
        let clock: @Sendable () -> Date = { sim.now }
        // Without Prometheus the controller reads the simulator's own exposition, every store's series in one.
        let connections = ClusterConnections(exposition: prometheus == nil ? URL(string: "http://127.0.0.1:\(port)/metrics") : nil, clock: clock)
        let clusters = TiKVClusterReconciler(store: store, connections: connections, actor: config.actor, clock: clock)
        manager = ControllerManager(config: config, store: store, reconcilers: [clusters], logger: logger, clock: clock)
        try clusterSpec().write(toFile: directory.appendingPathComponent("specs/cluster.yaml").path, atomically: true, encoding: .utf8)
    }

    /// The demo policy: low-risk steps (leader transfers) run without a person; anything riskier needs one key press.
    func clusterSpec() -> String {
        """
        apiVersion: operator.tikv/v1alpha1
        kind: TiKVCluster
        metadata:
          name: \(clusterName)
        spec:
          pd:
            urls: [\(pdURL)]
            timeout: 5s
        \(prometheus.map { "  prometheus:\n    url: \($0.url.absoluteString)\n    timeout: 5s\n    rateWindow: 15s\n" } ?? "")  mode: execute
          resyncPeriod: 1s
          invariants:
            storeDown: {gracePeriod: 1m}
            leaderSkew: {gracePeriod: 1m}
            regionHealth: {gracePeriod: 10m}
            leftoverScheduler: {gracePeriod: 2m}
            storeFlapping: {window: 5m}
          balance:
            leaders: {enabled: true, maxSkewPercent: 15}
            regions: {enabled: false, maxSkewPercent: 15}
          approval:
            allowedSigners: {file: \(allowedSignersPath)}
            low: {requiredApprovals: 0}
            medium: {requiredApprovals: 1}
            high: {requiredApprovals: 1}
          limits:
            maxInFlightSteps: 32
            maxActionsPerHour: 2000
        """
    }

    /// Prometheus on 127.0.0.1 when one is installed, scraping each simulated TiKV as its own target
    /// (`/metrics?store=N`, `instance` = the store's status address, as a real deployment scrapes `:20180`),
    /// so `up` is per store and a killed store's target fails and its series go stale.
    private static func startPrometheus(simAddress: String, sim: SimulatedCluster) async -> (process: PrometheusProcess?, absence: String?) {
        guard PrometheusProcess.isInstalled else { return (nil, "no prometheus binary on PATH") }
        let stores = sim.withState { $0.stores.map { (id: $0.id, status: $0.statusAddress) } }
        let targets = stores.map { PrometheusProcess.Target(address: simAddress, labels: ["instance": $0.status, "__param_store": String($0.id)]) }
        do {
            return (try await PrometheusProcess.start(jobs: [.init(name: "tikv", targets: targets)], scrapeInterval: "1s", readyWithin: .seconds(30)), nil)
        } catch {
            // The demo still runs, on the simulator's metrics read directly, and its opening lines say why.
            return (nil, "the prometheus on PATH did not start (\(error))")
        }
    }

    func start() {
        let sim = self.sim
        let speed = self.speed
        clockTask = Task {
            var last = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
                let t = ContinuousClock.now
                let elapsed = t - last
                last = t
                sim.advance(seconds: (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * speed)
            }
        }
        let manager = self.manager
        managerTask = Task { try await manager.run(until: { Task.isCancelled }) }
    }

    /// Stops what the demo started and removes its files.
    func stop() async {
        managerTask?.cancel()
        _ = await managerTask?.result
        clockTask?.cancel()
        try? store.releaseLease()
        prometheus?.stop()
        await server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    var resources: ResourceStore { ResourceStore(store: store) }

    /// An observer of the cluster's stores and metrics, apart from the controller's (the script's own eyes).
    func metricsProbe() -> ClusterObserver {
        let exposition = prometheus == nil ? URL(string: "\(pdURL)/metrics").map { ExpositionMetrics(url: $0) } : nil
        return ClusterObserver(pd: PDEndpoint(urls: [pdURL]), prometheus: prometheus.map { PrometheusEndpoint(url: $0.url.absoluteString, timeout: .seconds(5), rateWindow: .seconds(15)) },
                               retry: RetryBackoff(maxAttempts: 1), exposition: exposition, clock: { [sim] in sim.now })
    }

    /// A person's approval, written the way `operator approve` writes it: from a client-role store.
    /// Who approves at the keyboard: the OS user, unless that is no person's name (`root` on many machines), then
    /// `demo-user`, as in `--auto`.
    static var keyboardApprover: String { PersonName.normalized(currentUser()) ?? "demo-user" }

    /// Signed with the demo's throwaway key, as `operator approve --key` signs: the demo shows the real flow.
    func approve(_ plan: RemediationPlan, as who: String) throws {
        let client = try StatusStore(path: dbPath, role: .client(actor: who))
        let payload = ApprovalPayload(cluster: plan.spec.cluster, plan: plan.name, revision: plan.spec.revision, decision: .approve,
                                      principal: who, signedAt: now, expiresAt: now.addingTimeInterval(3600),
                                      reason: "approved in operator demo")
        let armored = try ApprovalSigner.sign(payload, with: signingKey)
        _ = try client.addApproval(ApprovalRecord(plan: plan.name, revision: plan.spec.revision, decision: .approve, approver: who,
                                                  source: "demo", reason: payload.reason, createdAt: now, expiresAt: payload.expiresAt,
                                                  signature: .init(payload: payload.canonicalText, armored: armored),
                                                  keyFingerprint: signingKey.publicKey.fingerprint))
    }

    func inject(_ fault: Fault) throws -> UInt64 { try sim.withState { try $0.inject(fault) } }
    func revert(_ id: UInt64) throws { try sim.withState { try $0.revert(faultId: id) } }
}
