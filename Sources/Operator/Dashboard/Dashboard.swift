import ControllerRuntime
import Foundation
import OperatorStore
import PDClient
import Reconcilers
import TerminalDashboard
import TiKVObservation

/// The dashboard's loop: reads the store and PD every refresh (and as soon as the store changes),
/// takes key presses, and redraws the whole frame in one write. On a TTY it owns the screen until
/// `q`/Ctrl-C or until `stop` says so; without one it prints a plain line per change.
struct Dashboard: Sendable {
    enum Outcome: Sendable {
        /// The person pressed q or Ctrl-C.
        case quit
        /// `stop` returned true (the demo finished).
        case stopped
    }

    let storePath: String
    let cluster: String?
    let refresh: Duration
    /// Who approves from the keyboard: `--as`, else the principal the allowed signers give the key (signed), else the
    /// OS user (unsigned, where a lab allows it), as `operator approve` decides.
    let approver: String?
    /// The key the approve key signs with (`--key`); nil: ssh-agent's, and without one the footer says how to approve.
    var key: String?
    let clock: @Sendable () -> Date
    /// Where the screen is drawn (the demo draws on a copy of the terminal while its stdout goes to a file).
    var terminalOutput: Int32 = STDOUT_FILENO
    /// A file whose last lines the Demo panel shows.
    var narrationFile: String?
    /// Whether SIGTERM and SIGINT restore the terminal and end the process. The demo handles them itself
    /// (stop the chapters, clean up what it started), so its dashboard leaves them alone.
    var ownsTerminationSignals = true
    /// For a cluster whose spec names no Prometheus: a `/metrics` endpoint serving every store's series
    /// (the demo's simulator), read directly so the workload panel still has QPS and p99.
    var exposition: URL?

    init(storePath: String, cluster: String?, refresh: Duration, approver: String?, key: String? = nil,
         clock: @escaping @Sendable () -> Date = { Date() }) {
        self.storePath = storePath
        self.cluster = cluster
        self.refresh = refresh
        self.approver = approver
        self.key = key
        self.clock = clock
    }

    func run(interactive: Bool, stop: @escaping @Sendable () -> Bool = { false }) async throws -> Outcome {
        let store = try StatusStore(path: storePath, role: .client(actor: approver ?? currentUser()))
        let source = DashboardSource(store: store, cluster: cluster, exposition: exposition, clock: clock)
        return interactive ? try await runScreen(source, stop: stop) : try await runPlain(source, stop: stop)
    }

    // MARK: Screen

    private func read(_ source: DashboardSource) async -> DashboardData {
        var data = await source.read(now: clock())
        if let file = narrationFile, let text = try? String(contentsOfFile: file, encoding: .utf8) {
            data.narration = text.split(separator: "\n").suffix(3).map(String.init)
        }
        return data
    }

    private func runScreen(_ source: DashboardSource, stop: @Sendable () -> Bool) async throws -> Outcome {
        let terminal = Terminal(output: terminalOutput)
        var model = DashboardModel(data: await read(source))
        try terminal.enter(handlingTermination: ownsTerminationSignals)
        defer { terminal.restore() }

        var size = terminal.size()
        var lastFrame = ""
        var lastRead = ContinuousClock.now
        var lastCounter = (try? source.store.changeCounter()) ?? 0
        while !stop() {
            for key in terminal.readKeys() {
                switch model.handle(key) {
                case .none: break
                case .quit: return .quit
                case .decide(let c): model.message = decide(c)
                }
                lastRead = .now - refresh  // show the decision's effect at once
            }
            let counter = (try? source.store.changeCounter()) ?? lastCounter
            if counter != lastCounter || ContinuousClock.now - lastRead >= refresh {
                lastCounter = counter
                lastRead = .now
                model.update(await read(source))
            }
            let resized = TerminalRestore.resized.exchange(false, ordering: .relaxed)
            let current = terminal.size()
            if resized || current != size {
                size = current
                lastFrame = ""
                terminal.write(ANSI.clearScreen)
            }
            let frame = DashboardRenderer.frameText(model, columns: size.columns, rows: size.rows)
            if frame != lastFrame {
                terminal.write(frame)
                lastFrame = frame
            }
            try await Task.sleep(for: .milliseconds(40))
        }
        return .stopped
    }

    /// Records the decision exactly as `operator approve`/`reject` does, and says what happened.
    private func decide(_ c: DashboardModel.Confirmation) -> String {
        do {
            var arguments = ["plan/\(c.plan)", "--revision", c.revision, "--db", storePath]
            if let approver { arguments += ["--as", approver] }
            if let key { arguments += ["--key", key] }
            let options = try DecisionOptions.parse(arguments)
            return try options.record(c.decision, now: clock())
        } catch let error as CLIError {
            return "error: \(error.description)"
        } catch {
            return "error: \(DecisionOptions.message(for: error))"
        }
    }

    // MARK: Plain lines

    /// One line per change: a store's state, a ticket's state, a plan's phase or progress, a new event.
    private func runPlain(_ source: DashboardSource, stop: @Sendable () -> Bool) async throws -> Outcome {
        var last: [String: String] = [:]
        var lastEvent: Int64 = 0
        var lastCounter: Int64 = -1
        var lastRead = ContinuousClock.now - refresh
        while !stop() {
            let counter = (try? source.store.changeCounter()) ?? lastCounter
            if counter != lastCounter || ContinuousClock.now - lastRead >= refresh {
                lastCounter = counter
                lastRead = .now
                let data = await source.read(now: clock())
                var lines: [String] = []
                for (key, value) in Self.facts(data).sorted(by: { $0.key < $1.key }) where last[key] != value {
                    last[key] = value
                    lines.append(value)
                }
                for e in data.events.reversed() where e.id > lastEvent {
                    lastEvent = e.id
                    lines.append("event \(e.type.rawValue) \(e.reason) \(e.regardingKind.lowercased())/\(e.regardingName): \(e.message)")
                }
                if !lines.isEmpty {
                    let stamp = DashboardRenderer.clock(data.now)
                    FileHandle.standardOutput.write(Data(lines.map { "\(stamp) \(TerminalText.sanitized($0, multiline: false))\n" }.joined().utf8))
                }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return .stopped
    }

    /// What a plain line reports, keyed by the thing it is about.
    static func facts(_ data: DashboardData) -> [String: String] {
        var facts: [String: String] = [:]
        if let problem = data.observationProblem { facts["observation"] = "observation: \(problem)" }
        for s in data.stores { facts["store/\(s.id)"] = "store \(s.id) \(DashboardRenderer.stateLabel(s))" }
        for t in data.tickets {
            facts["ticket/\(t.name)"] = "ticket \(t.name) \(t.status.state.rawValue) \(t.spec.severity.rawValue): \(t.spec.summary)"
        }
        for p in data.plans {
            let done = p.status.steps.filter { $0.phase == .succeeded || $0.phase == .skipped }.count
            facts["plan/\(p.name)"] = "plan \(p.name) \(p.status.phase.rawValue) \(done)/\(p.spec.steps.count) steps (risk \(p.spec.risk.rawValue), revision \(p.spec.revision))"
        }
        return facts
    }
}

/// Reads one refresh: the cluster's objects from the store (client role, read-only), its stores
/// through PD (and Prometheus) as its spec says. The observer is rebuilt when the spec's endpoints change.
final class DashboardSource: @unchecked Sendable {
    let store: StatusStore
    let cluster: String?
    private let lock = NSLock()
    private var observer: (spec: TiKVClusterSpec, observer: ClusterObserver)?
    /// Kept across observer rebuilds: it holds the earlier scrape each rate is measured against.
    private let exposition: ExpositionMetrics?
    /// The dashboard's clock (the simulator's in the demo): rates are measured in its seconds.
    private let clock: @Sendable () -> Date

    init(store: StatusStore, cluster: String?, exposition: URL? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.cluster = cluster
        self.exposition = exposition.map { ExpositionMetrics(url: $0) }
        self.clock = clock
    }

    func read(now: Date) async -> DashboardData {
        let resources = ResourceStore(store: store)
        let clusters = (try? resources.list(TiKVClusterKind.self)) ?? []
        guard let c = cluster.flatMap({ name in clusters.first { $0.name == name } }) ?? (cluster == nil ? clusters.first : nil) else {
            var data = DashboardData(cluster: cluster ?? "-", now: now)
            data.observationProblem = cluster.map { "no TiKVCluster \"\($0)\" in the store" } ?? "no TiKVCluster in the store yet"
            data.events = (try? store.recentEvents(limit: 50)) ?? []
            return data
        }
        var data = DashboardData(cluster: c.name, mode: c.spec.mode.rawValue, now: now)
        do {
            data.tickets = try resources.list(TicketKind.self).filter { $0.spec.cluster == c.name }
            data.plans = try resources.list(RemediationPlanKind.self).filter { $0.spec.cluster == c.name }
            data.approvals = try store.allApprovals()
            data.events = try store.recentEvents(limit: 50)
        } catch {
            data.observationProblem = "store: \(error)"
        }
        // A refresh has the CLI's deadline (a pass's): a hung PD costs it about one timeout, and is not asked again in it.
        let observer = observer(for: c.spec)
        let budget = LiveReadBudget(pdTimeout: c.spec.pd.timeout, metricsTimeout: c.spec.prometheus?.timeout)
        let observed = await budget.stores { await observer.observeStores(now: now) }
        data.stores = observed.stores
        if let problem = observed.state.reason {
            data.observationProblem = "PD: \(problem)"
        } else if let metrics = observed.metrics.reason, c.spec.prometheus != nil {
            data.observationProblem = "metrics: \(metrics)"
        }
        return data
    }

    private func observer(for spec: TiKVClusterSpec) -> ClusterObserver {
        lock.withLock {
            if let current = observer, current.spec.pd == spec.pd, current.spec.prometheus == spec.prometheus { return current.observer }
            let fresh = ClusterObserver(spec: spec, retry: RetryBackoff(maxAttempts: 1), exposition: exposition, clock: clock)
            observer = (spec, fresh)
            return fresh
        }
    }
}
