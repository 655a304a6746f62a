import ArgumentParser
import ControllerRuntime
import Foundation
import HTTPServing
import TiKVSimulator

/// `operator simulate`: serves a simulated TiKV cluster behind a PD-compatible API until SIGINT/SIGTERM.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve a simulated TiKV cluster behind a PD-compatible HTTP API.",
        subcommands: [SimulateFaultCommand.self]
    )

    @Option(help: "host:port of the first PD member; the other members take the next ports (port 0: free ports).") var listen = "127.0.0.1:2379"
    @Option(help: "Scenario: a shipped name (see --list-scenarios), fixture-a, or a YAML file path; omitted for a generated cluster.")
    var scenario: String?
    @Flag(help: "List the shipped scenarios and exit.") var listScenarios = false
    @Option(help: "Stores in a generated cluster.") var stores = 3
    @Option(help: "Regions in a generated cluster.") var regions = 100
    @Option(help: "Real-time speed factor. Keep 1 when a separate `operator run` watches it: the controller reads heartbeat ages against its own clock.") var speed: Double = 1
    @Flag(help: "Advance time only through POST /sim/v1/clock/advance.") var virtualClock = false
    @Option(help: "PRNG seed.") var seed: UInt64 = 1

    func run() async throws {
        if listScenarios {
            var lines = ["fixture-a  the PD fixtures' 3-store cluster A"]
            for name in ScenarioCatalog.names() {
                let s = try? ScenarioCatalog.load(name)
                let note = s?.unsupported != nil ? " (unsupported)" : ""
                lines.append("\(name)\(note)  \(s?.description.split(separator: "\n").first.map(String.init) ?? "")")
            }
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            return
        }
        let parts = listen.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--listen must be host:port") }
        // On the real clock the cluster starts now, so a controller's heartbeat ages are right; on the
        // virtual clock it starts at a fixed time, so runs are reproducible.
        let start = virtualClock ? 1_749_542_400 * ClusterState.second : Int64(Date().timeIntervalSince1970 * 1e9)
        let cluster: SimulatedCluster
        switch scenario {
        case nil: cluster = SimulatedCluster(.generated(stores: stores, regions: regions, seed: seed, nowNanos: start))
        case "fixture-a"?: cluster = .fixtureClusterA()
        case let other?:
            let loaded: Scenario
            do { loaded = try ScenarioCatalog.load(other) } catch { throw ValidationError("\(error)") }
            if let why = loaded.unsupported { throw ValidationError("scenario \(loaded.name) is unsupported: \(why)") }
            // Its events fire as the clock (real or virtual) passes their times.
            cluster = SimulatedCluster(try loaded.makeCluster(nowNanos: start))
        }
        let server = try SimulatorServer(cluster: cluster, host: String(parts[0]), port: port)
        let bound: Int
        do {
            bound = try await server.start()
        } catch let e as ListenError {
            throw CLIError.failure("--listen: \(e)")
        }
        // Written unbuffered: print() is block-buffered when piped, and a script using port 0 must
        // read the port now, not at exit.
        // The first line stays the leader's URL (scripts read it); one line per PD member follows. Members after
        // the first take the next ports after --listen's (any free port if taken, or all free ports with :0).
        var lines = ["Simulated PD listening on http://\(parts[0]):\(bound)"]
        let leader = cluster.withState { $0.leaderName }
        for m in server.memberPorts {
            lines.append("  PD member \(m.name) on http://\(parts[0]):\(m.port)\(m.name == leader ? " (leader)" : "")")
        }
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        let clock: Task<Void, Never>? = virtualClock ? nil : Task {
            // Real clock: advance by wall time × speed, ticking in small steps.
            var last = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                let now = ContinuousClock.now
                let elapsed = now - last
                last = now
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                cluster.advance(seconds: seconds * speed)
            }
        }
        await waitForTermination()
        clock?.cancel()
        await server.stop()
    }

    private func waitForTermination() async {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            let once = OnceBox(cont)
            for sig in [SIGINT, SIGTERM] {
                let src = DispatchSource.makeSignalSource(signal: sig, queue: .main)
                src.setEventHandler { once.resume() }
                src.resume()
                once.keep(src)
            }
        }
    }
}

/// Resumes a continuation once, whichever signal comes first, and keeps the signal sources alive.
private final class OnceBox: @unchecked Sendable {
    private let lock = NSLock()
    private var cont: CheckedContinuation<Void, Never>?
    private var sources: [any DispatchSourceSignal] = []
    init(_ c: CheckedContinuation<Void, Never>) { cont = c }
    func keep(_ s: any DispatchSourceSignal) { lock.withLock { sources.append(s) } }
    func resume() {
        lock.withLock {
            cont?.resume()
            cont = nil
        }
    }
}
