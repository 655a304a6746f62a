import ArgumentParser
import Foundation
import Logging
import PDWire
import Reconcilers

/// The controller process. Today it holds the store's lease and keeps the spec files in force in the
/// store (generations, `Valid` conditions, approvals from Approval objects). The reconcilers that
/// observe PD and plan remediations are the control loop's own issue and are not built yet.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the controller.")

    @Option(help: "Directory (or file) of spec files, e.g. a mounted ConfigMap.") var specs: String
    @OptionGroup var store: StoreOptions
    @Option(help: "How often to look for spec file changes.") var specPollInterval: String = "1s"
    @Option(help: "How long the store lease lasts without renewal.") var leaseDuration: String = "15s"

    func run() async throws {
        var logger = Logger(label: "operator")
        logger.logLevel = .info
        let poll = try parse(specPollInterval, "--spec-poll-interval")
        let leaseTTL = try parse(leaseDuration, "--lease-duration")
        let holder = "\(ProcessInfo.processInfo.hostName)/\(getpid())"
        let s = try StatusStore(path: store.path, role: .controller(holder: holder))
        do {
            _ = try s.acquireLease(ttl: leaseTTL.swiftDuration)
        } catch let e as StoreError {
            throw CLIError.failure("\(e)")
        }
        logger.info("Acquired the store lease", metadata: ["db": "\(store.path)", "holder": "\(holder)"])
        logger.warning("Reconcilers are not built yet: this controller loads spec files into the store and keeps them valid; it does not observe PD or plan anything")

        let stop = StopSignal()
        let sync = SpecSync(store: s, actor: "controller")
        var set = SpecSet()
        var lastFingerprint: UInt64?
        while !stop.requested {
            do {
                _ = try s.renewLease()
                let fp = SpecDirectory.fingerprint(path: specs)
                if fp != lastFingerprint {
                    let parsed = try SpecDirectory.parse(paths: [specs])
                    let errors = set.apply(parsed)
                    for e in errors { logger.error("Rejected spec file: \(e)") }
                    let outcome = try sync.sync(set, now: Date())
                    if outcome.isEmpty {
                        logger.info("Spec files unchanged in effect", metadata: ["objects": "\(set.documents.count)"])
                    } else {
                        logger.info("Synced spec files", metadata: [
                            "created": "\(outcome.created)", "updated": "\(outcome.updated)", "deleted": "\(outcome.deleted)",
                            "conditions": "\(outcome.conditionsChanged)", "approvals": "\(outcome.approvalsRecorded)",
                        ])
                    }
                    lastFingerprint = fp
                }
            } catch let e as StoreError {
                if case .leaseLost = e {
                    logger.critical("Lost the store lease; stopping so two controllers never write one store: \(e)")
                    throw ExitCode.failure
                }
                logger.error("Store write failed, will retry: \(e)")
            } catch {
                logger.error("Spec sync failed, will retry: \(error)")
            }
            try? await Task.sleep(for: poll.swiftDuration)
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
