import Foundation
import Logging
import Reconcilers
import Synchronization
import Testing
import TiKVSimulator
import TestSupport
@testable import ControllerRuntime
@testable import TiKVController

/// `/healthz`, `/readyz` and `/metrics` over HTTP on 127.0.0.1, with a manager running against the simulator.
@Suite(.serialized) struct ProbeEndpointTests {
    /// A manager on the harness's store and simulator that records into its own metrics, and the
    /// two endpoint servers the controller runs.
    struct Rig {
        let harness: ControlLoopHarness
        let metrics: OperatorMetrics
        let manager: ControllerManager
        let probes: ControllerProbes
        let probeServer: EndpointServer
        let metricsServer: EndpointServer
        let probeURL: String
        let metricsURL: String

        init() async throws {
            harness = try await ControlLoopHarness()
            metrics = OperatorMetrics()
            var config = ControllerManager.Configuration(specsPath: harness.specsPath)
            config.specPollInterval = .milliseconds(100)
            config.storePollInterval = .milliseconds(50)
            config.backoffBase = .milliseconds(50)
            config.backoffCap = .milliseconds(500)
            config.metrics = metrics
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let sim = harness.sim
            let clock: @Sendable () -> Date = { Date(timeIntervalSince1970: Double(sim.nowNanos) / 1e9) }
            let clusters = TiKVClusterReconciler(
                store: harness.store, connections: ClusterConnections(transport: MeteredTransport(metrics: metrics), clock: clock),
                actor: config.actor, metrics: metrics, clock: clock)
            manager = ControllerManager(config: config, store: harness.store, reconcilers: [clusters], logger: logger, clock: clock)
            probes = ControllerProbes(manager: manager, metrics: metrics, holder: "test-controller")
            probeServer = try EndpointServer(host: "127.0.0.1", port: 0, routes: probes.probeRoutes)
            metricsServer = try EndpointServer(host: "127.0.0.1", port: 0, routes: probes.metricsRoutes)
            probeURL = "http://127.0.0.1:\(try await probeServer.start())"
            metricsURL = "http://127.0.0.1:\(try await metricsServer.start())"
        }

        func stop() async {
            await probeServer.stop()
            await metricsServer.stop()
            await harness.stop()
        }
    }

    @Test func readyOnlyAfterTheFirstObservationAndUnhealthyWhenTheLoopIsWedged() async throws {
        let rig = try await Rig()
        let h = rig.harness
        // Nothing loaded yet: alive (no clusters), not ready.
        #expect(await httpGet(rig.probeURL + "/healthz")?.status == 200)
        let early = await httpGet(rig.probeURL + "/readyz")
        #expect(early?.status == 503)
        #expect(early?.body.contains("specs not loaded") == true, "\(early?.body ?? "")")

        try h.writeSpec("cluster.yaml", h.clusterYAML())
        let stopped = Mutex(false)
        let run = Task { try await rig.manager.run(until: { stopped.withLock { $0 } }) }
        let ready = await eventually { await httpGet(rig.probeURL + "/readyz")?.status == 200 }
        let readiness = await httpGet(rig.probeURL + "/readyz")
        #expect(ready, "\(readiness?.body ?? "no answer")")
        #expect(rig.manager.lastPasses(of: TiKVClusterReconciler.name)[h.clusterName] != nil, "ready means the cluster was observed")
        #expect(await httpGet(rig.probeURL + "/healthz")?.status == 200)
        #expect(await httpGet(rig.probeURL + "/nothing-here")?.status == 404)

        // The loop stops passing (as a wedged worker would) while time goes on past the bound.
        stopped.withLock { $0 = true }
        _ = await run.result
        h.advance(LoopHealth.bound(resyncPeriod: 1, backoffCap: 0.5, slack: 60) + 5)
        let wedged = await httpGet(rig.probeURL + "/healthz")
        #expect(wedged?.status == 503)
        #expect(wedged?.body.contains("cluster/sim") == true, "\(wedged?.body ?? "")")
        await rig.stop()
    }

    @Test func notReadyWhileNoSpecFileIsValidThenReadyOnceOneIs() async throws {
        let rig = try await Rig()
        let h = rig.harness
        // The README tour's typo: the only cluster file is rejected, so nothing is in force.
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "exekute"))
        let stopped = Mutex(false)
        let run = Task { try await rig.manager.run(until: { stopped.withLock { $0 } }) }
        #expect(await eventually { rig.manager.lastSpecLoad != nil })
        let rejected = await httpGet(rig.probeURL + "/readyz")
        #expect(rejected?.status == 503)
        #expect(rejected?.body.contains("[-] no valid TiKVCluster in force: 1 of 1 spec file rejected") == true, "\(rejected?.body ?? "")")

        try h.writeSpec("cluster.yaml", h.clusterYAML())
        let ready = await eventually { await httpGet(rig.probeURL + "/readyz")?.status == 200 }
        let readiness = await httpGet(rig.probeURL + "/readyz")
        #expect(ready, "\(readiness?.body ?? "no answer")")
        stopped.withLock { $0 = true }
        _ = await run.result
        await rig.stop()
    }

    @Test func metricsParseAndCarryTheControllerNamesAfterAPass() async throws {
        let rig = try await Rig()
        let h = rig.harness
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "dryRun"))
        let stopped = Mutex(false)
        let run = Task { try await rig.manager.run(until: { stopped.withLock { $0 } }) }
        #expect(await eventually { rig.manager.lastPasses(of: TiKVClusterReconciler.name)[h.clusterName] != nil })
        stopped.withLock { $0 = true }
        _ = await run.result

        let answer = try #require(await httpGet(rig.metricsURL + "/metrics"))
        #expect(answer.status == 200)
        let samples = try #require(parseExposition(answer.body), "unparseable exposition:\n\(answer.body)")
        for name in [
            "controller_runtime_reconcile_total", "controller_runtime_reconcile_time_seconds_bucket",
            "controller_runtime_reconcile_time_seconds_count", "workqueue_depth", "operator_observation_duration_seconds_count",
            "operator_pd_requests_total", "operator_upstream_request_duration_seconds_bucket", "operator_tickets_open",
            "operator_plans", "operator_cluster_mode", "operator_kill_switch", "operator_diagnosis_calls_total",
            "operator_spec_sync_timestamp_seconds", "operator_build_info", "process_cpu_seconds_total", "process_resident_memory_bytes",
            "process_start_time_seconds", "process_open_fds", "process_max_fds",
        ] {
            #expect(samples[name] != nil, "missing \(name)")
        }
        let reconciles = samples["controller_runtime_reconcile_total"] ?? []
        #expect(reconciles.contains { $0.labels.contains(#"controller="tikvcluster""#) && $0.value >= 1 })
        let pd = samples["operator_pd_requests_total"] ?? []
        #expect(pd.contains { $0.labels.contains(#"route="/pd/api/v1/stores""#) && $0.labels.contains(#"code="200""#) },
                "\(pd.map(\.labels))")
        let mode = samples["operator_cluster_mode"] ?? []
        #expect(mode.contains { $0.labels.contains(#"mode="dryRun""#) && $0.value == 1 })
        #expect(mode.contains { $0.labels.contains(#"mode="execute""#) && $0.value == 0 })
        #expect(samples["operator_kill_switch"]?.first?.value == 0)
        #expect(samples["operator_plans"]?.count == PlanPhase.allCases.count)
        // Counters a healthy controller has not incremented yet read 0 rather than nothing.
        #expect(samples["controller_runtime_reconcile_errors_total"]?.first?.value == 0)
        #expect(samples["workqueue_retries_total"]?.first?.value == 0)
        #expect(samples["operator_diagnosis_calls_total"]?.contains { $0.labels == #"provider="rules",result="skipped""# } == true)
        #expect(samples["operator_build_info"]?.first?.labels.contains(#"version=""#) == true)
        #expect((samples["process_resident_memory_bytes"]?.first?.value ?? 0) > 1_048_576)

        // Every metric a Grafana panel queries exists after one pass: a panel never reads "No data" on a healthy controller.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let dashboard = try Data(contentsOf: root.appendingPathComponent("Manifests/grafana/operator-dashboard.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: dashboard) as? [String: Any])
        let expressions = ((object["panels"] as? [[String: Any]]) ?? []).flatMap { panel in
            ((panel["targets"] as? [[String: Any]]) ?? []).compactMap { $0["expr"] as? String }
        }
        #expect(expressions.count >= 16)
        let selector = try Regex(#"([a-zA-Z_:][a-zA-Z0-9_:]*)\{"#)
        for expression in expressions {
            let names = expression.matches(of: selector).compactMap { $0.output[1].substring.map(String.init) }
            #expect(!names.isEmpty, "no metric in \(expression)")
            for name in names { #expect(samples[name] != nil, "the dashboard queries \(name), which /metrics does not export") }
        }

        // Every series an alert selects exists after one pass, down to its label values: a selector naming a phase,
        // severity or result the controller never writes would leave its alert silent for good. `up` and `job` are
        // Prometheus' own.
        let rules = try String(contentsOf: root.appendingPathComponent("Manifests/components/prometheusrule/rules.yaml"), encoding: .utf8)
        let alertSelector = try Regex(#"([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}"#)
        let matcher = try Regex(#"([a-zA-Z_]+)(=~|=)"([^"]*)""#)
        var selected = 0
        for match in rules.matches(of: alertSelector) {
            guard let name = match.output[1].substring.map(String.init), name != "up",
                  let body = match.output[2].substring else { continue }
            selected += 1
            let series = samples[name] ?? []
            #expect(!series.isEmpty, "an alert selects \(name), which /metrics does not export")
            for m in body.matches(of: matcher) {
                guard let label = m.output[1].substring.map(String.init), label != "job",
                      let op = m.output[2].substring, let value = m.output[3].substring else { continue }
                let values = op == "=~" ? value.split(separator: "|").map(String.init) : [String(value)]
                for v in values {
                    #expect(series.contains { $0.labels.contains("\(label)=\"\(v)\"") },
                            "an alert selects \(name){\(label)=\"\(v)\"}, a series /metrics does not export")
                }
            }
        }
        #expect(selected >= 7)
        await rig.stop()
    }

    @Test func errorsRetriesAndActionsAreCounted() throws {
        let metrics = OperatorMetrics()
        metrics.reconciled(.error, in: .milliseconds(3), retried: true, controller: TiKVClusterReconciler.name)
        metrics.reconciled(.requeue, in: .milliseconds(3), retried: true, controller: TiKVClusterReconciler.name)
        metrics.actionSent(.transferLeader, outcome: .refused("store is busy"))
        let samples = try #require(parseExposition(metrics.render()))
        #expect(samples["controller_runtime_reconcile_errors_total"]?.first?.value == 1)
        #expect(samples["workqueue_retries_total"]?.first?.value == 2)
        #expect(samples["operator_actions_total"]?.first?.labels == #"kind="transferLeader",result="refused""#)
    }
}

@Suite struct LoopHealthTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    @Test func healthyWithNoClustersOrRecentPasses() {
        #expect(LoopHealth.health([], backoffCap: 300, now: now).ok)
        let fresh = LoopHealth.ClusterState(name: "a", resyncPeriod: 30, lastPass: now.addingTimeInterval(-20), knownSince: now)
        #expect(LoopHealth.health([fresh], backoffCap: 300, now: now).ok)
    }

    @Test func unhealthyWhenAPassIsOlderThanItsBound() {
        let bound = LoopHealth.bound(resyncPeriod: 30, backoffCap: 300, slack: 60)
        #expect(bound == 390, "one resync plus the longest backoff, plus slack")
        let stale = LoopHealth.ClusterState(name: "a", resyncPeriod: 30, lastPass: now.addingTimeInterval(-bound - 1), knownSince: now)
        let verdict = LoopHealth.health([stale], backoffCap: 300, now: now)
        #expect(!verdict.ok)
        #expect(verdict.response.status == 503)
        // A cluster never passed counts from when the loop first knew of it.
        let never = LoopHealth.ClusterState(name: "b", resyncPeriod: 30, lastPass: nil, knownSince: now.addingTimeInterval(-bound - 1))
        #expect(!LoopHealth.health([never], backoffCap: 300, now: now).ok)
        let newcomer = LoopHealth.ClusterState(name: "b", resyncPeriod: 30, lastPass: nil, knownSince: now.addingTimeInterval(-5))
        #expect(LoopHealth.health([newcomer], backoffCap: 300, now: now).ok)
    }

    @Test func readyNeedsSpecsLeaseAClusterAndAnObservationOfEveryCluster() {
        let seen = LoopHealth.ClusterState(name: "a", resyncPeriod: 30, lastPass: now, knownSince: now)
        let unseen = LoopHealth.ClusterState(name: "b", resyncPeriod: 30, lastPass: nil, knownSince: now)
        let loaded = SpecLoad(files: 1, rejected: [])
        #expect(LoopHealth.readiness(specs: loaded, leaseHeld: true, clusters: [seen]).ok)
        #expect(!LoopHealth.readiness(specs: nil, leaseHeld: true, clusters: [seen]).ok)
        #expect(!LoopHealth.readiness(specs: loaded, leaseHeld: false, clusters: [seen]).ok)
        let waiting = LoopHealth.readiness(specs: loaded, leaseHeld: true, clusters: [seen, unseen])
        #expect(!waiting.ok)
        #expect(waiting.lines.contains("[-] not observed yet: cluster/b"))
        // Nothing in force is not ready, and says why.
        let rejected = LoopHealth.readiness(specs: SpecLoad(files: 2, rejected: ["specs/a.yaml", "specs/b.yaml"]), leaseHeld: true, clusters: [])
        #expect(!rejected.ok)
        #expect(rejected.lines == [
            "[+] specs loaded (2 files, rejected: specs/a.yaml, specs/b.yaml)", "[+] store lease held",
            "[-] no valid TiKVCluster in force: 2 of 2 spec files rejected (operator validate -f lists every error)",
        ])
        let none = LoopHealth.readiness(specs: SpecLoad(files: 0, rejected: []), leaseHeld: true, clusters: [])
        #expect(!none.ok)
        #expect(none.lines.last == "[-] no valid TiKVCluster in force: the spec files declare none")
    }

    @Test func bindAddressesParseLikeControllerRuntimes() throws {
        #expect(try BindAddress(parsing: ":8080", flag: "f") == .inet(host: nil, port: 8080))
        #expect(try BindAddress(parsing: "127.0.0.1:0", flag: "f") == .inet(host: "127.0.0.1", port: 0))
        #expect(try BindAddress(parsing: "localhost:8081", flag: "f") == .inet(host: "127.0.0.1", port: 8081))
        #expect(try BindAddress(parsing: "0", flag: "f") == .disabled)
        #expect(throws: BindAddressError.self) { try BindAddress(parsing: "8080", flag: "f") }
        #expect(throws: BindAddressError.self) { try BindAddress(parsing: "example.com:80", flag: "f") }
    }

    @Test func pdRoutesFoldIdsSoLabelsStayFew() {
        #expect(MeteredTransport.route("/pd/api/v1/store/4") == "/pd/api/v1/store/{id}")
        #expect(MeteredTransport.route("/pd/api/v1/regions/store/12") == "/pd/api/v1/regions/store/{id}")
        #expect(MeteredTransport.route("/pd/api/v1/schedulers/evict-leader-scheduler-4") == "/pd/api/v1/schedulers/evict-leader-scheduler-{id}")
        #expect(MeteredTransport.route("/pd/api/v1/regions/check/miss-peer") == "/pd/api/v1/regions/check/miss-peer")
        #expect(MeteredTransport.route("/api/v1/query") == "/api/v1/query")
    }
}
