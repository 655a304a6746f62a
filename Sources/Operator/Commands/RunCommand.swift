import ArgumentParser
import ControllerRuntime
import Foundation
import Logging
import Metrics
import OperatorStore
import PDWire
import Reconcilers
import ServiceLifecycle
import TiKVController
import UnixSignals

/// The controller process, the composition root: the generic manager (lease, spec files, triggers, work
/// queue) running the TiKVCluster reconciler (observe → tickets → plans → gated execution), and the
/// probe and metrics endpoints, as one service group.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the controller.")

    @Option(help: "Directory (or file) of spec files, e.g. a mounted ConfigMap.") var specs: String
    @OptionGroup var store: StoreOptions
    @Option(help: "How often to look for spec file changes.") var specPollInterval: String = "1s"
    @Option(help: "How long the store lease lasts without renewal.") var leaseDuration: String = "15s"
    @Option(help: "First retry delay of a cluster whose pass failed (doubles per failure).") var backoffBase: String = "1s"
    @Option(help: "Longest retry delay of a cluster whose pass keeps failing.") var backoffCap: String = "5m"
    @Option(help: "Clusters reconciled at once (one pass per cluster at a time).") var workers: Int = 2
    @Option(help: "Where /metrics listens (host:port or :port); 0 disables it.") var metricsBindAddress: String = ":8080"
    @Option(help: "Where /healthz and /readyz listen (host:port or :port); 0 disables them.")
    var healthProbeBindAddress: String = ":8081"
    @Option(help: "Log lines as json or text (default: text on a terminal, json otherwise).") var logFormat: String?
    @Option(help: "Least severe level logged: trace, debug, info, notice, warning, error, critical.") var logLevel: String?
    @Option(name: [.customShort("v"), .customLong("v")], help: "klog-style verbosity (0 notice, 1-3 info, 4 debug, 5+ trace); --log-level wins.")
    var verbosity: Int?
    @Option(help: "After SIGTERM, how long the current pass may take before the process exits anyway.")
    var shutdownTimeout: String = "30s"
    @Flag(help: "Log every enqueue and pass at debug level (same as -v 4).") var verbose = false
    @Flag(name: .customLong("init"), help: ArgumentHelp(
        "Start a new, empty store when --db holds a file that is not one (empty, or not the store's SQLite); the file is kept as PATH.unusable-<unix seconds>.",
        discussion: "Never needed for a missing file, which is created. Do not leave it in a Deployment: a store truncated by accident would then start over silently."))
    var initialize = false

    func run() async throws {
        // A closed log pipe (or a peer that went away) is an I/O error to carry on past, not a reason to die holding
        // the lease: the log writer drops the line, and sockets report EPIPE.
        signal(SIGPIPE, SIG_IGN)
        // Likewise a file-size limit reached (RLIMIT_FSIZE; a full disk is ENOSPC and raises nothing): SIGXFSZ would kill
        // the process holding the lease, where ignored it makes SQLite's write fail, rolled back, and the pass retry.
        signal(SIGXFSZ, SIG_IGN)
        let logging: LogConfiguration
        do {
            logging = try LogConfiguration(format: logFormat, level: logLevel, verbosity: verbosity ?? (verbose ? 4 : nil))
        } catch let e as LogConfigurationError {
            throw ValidationError(e.description)
        }
        let metricsAddress: BindAddress
        let probeAddress: BindAddress
        do {
            metricsAddress = try BindAddress(parsing: metricsBindAddress, flag: "--metrics-bind-address")
            probeAddress = try BindAddress(parsing: healthProbeBindAddress, flag: "--health-probe-bind-address")
        } catch let e as BindAddressError {
            throw ValidationError(e.description)
        }
        let gracePeriod = try parse(shutdownTimeout, "--shutdown-timeout")
        LoggingSystem.bootstrap { label in logging.makeHandler(label: label) }
        let logger = Logger(label: "operator")
        let metrics = OperatorMetrics()
        MetricsSystem.bootstrap(metrics.factory)

        let holder = "\(ProcessInfo.processInfo.hostName)/\(getpid())"
        var config = ControllerManager.Configuration(specsPath: specs)
        config.specPollInterval = try parse(specPollInterval, "--spec-poll-interval").swiftDuration
        config.leaseTTL = try parse(leaseDuration, "--lease-duration").swiftDuration
        config.backoffBase = try parse(backoffBase, "--backoff-base").swiftDuration
        config.backoffCap = try parse(backoffCap, "--backoff-cap").swiftDuration
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        config.workers = workers
        config.metrics = metrics
        // Nothing is left to do without the lease (every write is fenced by it): exit non-zero at once, so the kubelet
        // restarts the pod, rather than linger.
        config.onLeaseLost = { _ in
            logger.critical("Exiting: another controller holds the store lease")
            Foundation.exit(1)
        }

        let s: StatusStore
        do {
            // A controller's open runs PRAGMA quick_check: a damaged store is refused, naming the file and the way back.
            // A schema upgrade waits, as the lease does, for a predecessor still holding the store (up to one TTL).
            s = try await LeaseKeeper.waitingOutLease(ttl: config.leaseTTL, logger: logger,
                                                      message: "Waiting for the store lease before upgrading the store's schema") {
                try StatusStore(path: store.path, role: .controller(holder: holder), unusableFile: initialize ? .moveAside : .refuse)
            }
        } catch let e as StoreError {
            throw CLIError.failure("\(e)")
        }
        if let aside = s.movedAside {
            logger.warning("--init: the file at --db was not a store; kept it aside and started a new, empty store",
                           metadata: ["db": "\(store.path)", "movedTo": "\(aside)"])
        }
        do {
            // A predecessor killed without releasing the lease (SIGKILL, a lost node) is waited out, not failed on.
            _ = try await LeaseKeeper.acquire(store: s, ttl: config.leaseTTL, logger: logger)
        } catch let e as StoreError {
            throw CLIError.failure("\(e)")
        }
        logger.info("Acquired the store lease", metadata: ["db": "\(store.path)", "holder": "\(holder)"])

        let connections = ClusterConnections(transport: MeteredTransport(metrics: metrics))
        let clusters = TiKVClusterReconciler(store: s, connections: connections, actor: config.actor, metrics: metrics)
        let manager = ControllerManager(config: config, store: s, reconcilers: [clusters], logger: logger)
        let probes = ControllerProbes(manager: manager, metrics: metrics, holder: holder)
        var servers: [EndpointServer] = []
        let endpoints = [
            (probeAddress, probes.probeRoutes, "probes", "--health-probe-bind-address"),
            (metricsAddress, probes.metricsRoutes, "metrics", "--metrics-bind-address"),
        ]
        for (address, routes, what, flag) in endpoints {
            guard case .inet(let host, let port) = address else { continue }
            do {
                let server = try EndpointServer(host: host, port: port, routes: routes)
                let bound = try await server.start()
                servers.append(server)
                logger.info("Serving \(what)", metadata: ["address": "\(host ?? "0.0.0.0"):\(bound)", "paths": "\(routes.keys.sorted())"])
            } catch {
                // A port in use fails at once, naming the flag that chose it.
                for started in servers { await started.stop() }
                try? s.releaseLease()
                throw CLIError.failure("\(flag): \(error)")
            }
        }

        // SIGTERM, SIGINT, SIGHUP or SIGQUIT shuts the group down gracefully, in reverse order: the manager cancels the
        // passes under way (no new PD call; reads end at once) and waits for them to record what they did, then the
        // endpoints stop and the lease is released. A second signal exits 1 at once.
        let stopping = ManagerService(manager: manager, gracePeriod: gracePeriod, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: servers.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                                          failureTerminationBehavior: .gracefullyShutdownGroup) }
                + [.init(service: stopping, successTerminationBehavior: .gracefullyShutdownGroup,
                         failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: RunCommand.stopSignals, logger: logger))
        do {
            try await group.run()
        } catch let e as StoreError {
            if case .leaseLost = e { throw ExitCode.failure }
            throw CLIError.failure("\(e)")
        }
        try? s.releaseLease()
        logger.notice("Stopped and released the store lease")
    }

    /// Each stops the controller gracefully: SIGHUP (a closed terminal or session) and SIGQUIT would otherwise end it
    /// without releasing the lease, or be ignored.
    static let stopSignals: [UnixSignal] = [.sigterm, .sigint, .sighup, .sigquit]

    private func parse(_ text: String, _ flag: String) throws -> GoDuration {
        do { return try GoDuration(parsing: text) } catch { throw ValidationError("\(flag): \(error)") }
    }
}

/// The manager as the service group's last service (the first to be told to stop). Once told, it stops
/// dequeuing and cancels running passes: their PD and Prometheus reads end at once (however long a hung PD would
/// have made them wait), they start no PD call, and a call under way is recorded for what it may have done. If
/// they still overrun the grace period (something that does not heed cancellation), the process exits 1 without
/// releasing the lease (a pass may still be writing). The timer runs on a dispatch queue, so a pass that hogs
/// the task executor cannot hold it up. A second signal exits 1 at once.
private struct ManagerService: Service {
    let manager: ControllerManager
    let gracePeriod: GoDuration
    let logger: Logger

    func run() async throws {
        let (logger, grace) = (logger, gracePeriod)
        let manager = self.manager
        try await withGracefulShutdownHandler {
            try await cancelWhenGracefulShutdown {
                try await manager.run(until: { Task.isShuttingDownGracefully })
            }
        } onGracefulShutdown: {
            logger.notice("Stopping: no new passes; cancelling the running ones", metadata: ["gracePeriod": "\(grace)"])
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(grace.nanoseconds))) {
                logger.error("Shutdown overran the grace period; exiting without releasing the lease")
                Foundation.exit(1)
            }
            // The group takes the first signal; this watches for the next one.
            Task {
                for await signal in await UnixSignalsSequence(trapping: RunCommand.stopSignals) {
                    logger.error("Stopped at once by a second signal; the lease is left to expire", metadata: ["signal": "\(signal)"])
                    Foundation.exit(1)
                }
            }
        }
    }
}
