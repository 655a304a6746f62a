import ArgumentParser
import Foundation
import Logging
import PDWire
import Reconcilers

/// The controller process: holds the store's lease, keeps the spec files in force, and reconciles
/// every TiKVCluster through the manager's work queue (observe → tickets → plans → gated execution).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the controller.")

    @Option(help: "Directory (or file) of spec files, e.g. a mounted ConfigMap.") var specs: String
    @OptionGroup var store: StoreOptions
    @Option(help: "How often to look for spec file changes.") var specPollInterval: String = "1s"
    @Option(help: "How long the store lease lasts without renewal.") var leaseDuration: String = "15s"
    @Option(help: "First retry delay of a cluster whose pass failed (doubles per failure).") var backoffBase: String = "1s"
    @Option(help: "Longest retry delay of a cluster whose pass keeps failing.") var backoffCap: String = "5m"
    @Option(help: "Clusters reconciled at once (one pass per cluster at a time).") var workers: Int = 2
    @Flag(help: "Log every enqueue and pass at debug level.") var verbose = false

    func run() async throws {
        var logger = Logger(label: "operator")
        logger.logLevel = verbose ? .debug : .info
        let holder = "\(ProcessInfo.processInfo.hostName)/\(getpid())"
        var config = Manager.Configuration(specsPath: specs)
        config.specPollInterval = try parse(specPollInterval, "--spec-poll-interval").swiftDuration
        config.leaseTTL = try parse(leaseDuration, "--lease-duration").swiftDuration
        config.backoffBase = try parse(backoffBase, "--backoff-base").swiftDuration
        config.backoffCap = try parse(backoffCap, "--backoff-cap").swiftDuration
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        config.workers = workers

        let s = try StatusStore(path: store.path, role: .controller(holder: holder))
        do {
            _ = try s.acquireLease(ttl: config.leaseTTL)
        } catch let e as StoreError {
            throw CLIError.failure("\(e)")
        }
        logger.info("Acquired the store lease", metadata: ["db": "\(store.path)", "holder": "\(holder)"])

        let stop = StopSignal()
        let manager = Manager(config: config, store: s, logger: logger)
        do {
            try await manager.run(until: { stop.requested })
        } catch let e as StoreError {
            if case .leaseLost = e { throw ExitCode.failure }
            throw CLIError.failure("\(e)")
        }
        try? s.releaseLease()
        logger.info("Stopped and released the store lease")
    }

    private func parse(_ text: String, _ flag: String) throws -> GoDuration {
        do { return try GoDuration(parsing: text) } catch { throw ValidationError("\(flag): \(error)") }
    }
}

/// Set by SIGINT or SIGTERM; a second signal exits at once.
final class StopSignal: @unchecked Sendable {
    // The dispatch sources are only kept alive here, never touched after init.
    private let flag = Flag()
    private let sources: [any DispatchSourceSignal]

    init() {
        var sources: [any DispatchSourceSignal] = []
        let flag = self.flag
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if flag.value { exit(1) }
                flag.value = true
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    var requested: Bool { flag.value }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var _value = false
        var value: Bool {
            get { lock.withLock { _value } }
            set { lock.withLock { _value = newValue } }
        }
    }
}
