import ControllerRuntime
import Foundation
import Reconcilers
import Synchronization
import Testing
import TiKVSimulator
import TestSupport
@testable import OperatorStore

#if canImport(Glibc)
import Glibc
#endif

/// A real `operator run` process, as the kubelet runs it: specs from a ConfigMap-style volume, JSON
/// logs on stderr, probes on loopback, SIGTERM to stop.
@Suite(.serialized) struct ControllerProcessTests {
    /// A directory laid out as the kubelet lays out a ConfigMap volume: `cluster.yaml -> ..data/cluster.yaml`,
    /// `..data -> ..<timestamp>`; an update writes a new timestamped directory and swaps `..data` atomically.
    struct ConfigMapVolume {
        let path: String
        private(set) var generation = 0

        init(path: String) throws {
            self.path = path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }

        mutating func publish(_ files: [String: String]) throws {
            generation += 1
            let version = "..2026_11_25_10_00_00.\(generation)"
            let dir = path + "/" + version
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: false, encoding: .utf8) }
            let tmp = path + "/..data_tmp"
            try? FileManager.default.removeItem(atPath: tmp)
            try FileManager.default.createSymbolicLink(atPath: tmp, withDestinationPath: version)
            guard rename(tmp, path + "/..data") == 0 else { throw CocoaError(.fileWriteUnknown) }
            for name in files.keys where !FileManager.default.fileExists(atPath: path + "/" + name) {
                try FileManager.default.createSymbolicLink(atPath: path + "/" + name, withDestinationPath: "..data/" + name)
            }
        }
    }

    final class RunningController {
        let process = Subprocess()
        let logPath: String

        /// `logPipe`: stderr goes to this pipe instead of the log file (whose lines are then not kept).
        /// `environment`: added to this process's.
        init(binary: URL, specs: String, db: String, logPath: String, shutdownTimeout: String = "20s", arguments: [String] = [],
             logPipe: Pipe? = nil, environment: [String: String] = [:]) throws {
            self.logPath = logPath
            guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
            process.executableURL = binary
            process.arguments = [
                "run", "--specs", specs, "--db", db, "--log-format", "json",
                "--health-probe-bind-address", "127.0.0.1:0", "--metrics-bind-address", "0",
                "--spec-poll-interval", "200ms", "--shutdown-timeout", shutdownTimeout,
            ] + arguments
            if let logPipe {
                process.standardError = logPipe
            } else {
                process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
            }
            process.standardOutput = FileHandle.nullDevice
            if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
            try process.run()
        }

        /// Whether a line with this message was logged.
        func logged(_ message: String) -> Bool { logLines.contains { ($0["msg"] as? String) == message } }

        /// Every stderr line parsed as JSON; a line that is not JSON is kept as `["unparsed": line]`.
        var logLines: [[String: Any]] {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? ["unparsed": String(line)]
            }
        }

        /// The probe port, from the "Serving probes" log line.
        var probePort: Int? {
            guard let line = logLines.first(where: { ($0["msg"] as? String) == "Serving probes" }),
                  let address = line["address"] as? String, let port = address.split(separator: ":").last
            else { return nil }
            return Int(port)
        }

        func waitForExit(timeout: Duration) async -> Int32? {
            let exited = await eventually(timeout: timeout) { !process.isRunning }
            guard exited else { return nil }
            process.waitUntilExit()
            return process.terminationStatus
        }

        func kill() {
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        }
    }

    func clusterYAML(port: Int, mode: String, timeout: String = "5s", signers: TestSigners? = nil) -> String {
        """
        apiVersion: operator.tikv/v1alpha1
        kind: TiKVCluster
        metadata:
          name: sim
        spec:
          pd:
            urls: [http://127.0.0.1:\(port)]
            timeout: \(timeout)
          mode: \(mode)
          resyncPeriod: 1s
        \(signers.map { "  approval:\n    \($0.specLine)" } ?? "")
        """
    }

    @Test func sigtermStopsReleasesTheLeaseAndAConfigMapSwapIsPickedUp() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let dir = try TemporaryDirectory()
        let server = try SimulatorServer(cluster: SimulatedCluster.generated(stores: 3, regions: 60, seed: 3))
        let port = try await server.start()
        var volume = try ConfigMapVolume(path: dir.path("specs"))
        try volume.publish(["cluster.yaml": clusterYAML(port: port, mode: "observe")])

        let controller = try RunningController(binary: binary, specs: volume.path, db: dir.path("operator.db"),
                                               logPath: dir.path("operator.log"))
        defer { controller.kill() }
        #expect(await eventually(timeout: .seconds(60)) { controller.probePort != nil }, "\(controller.logLines)")
        let probe = "http://127.0.0.1:\(controller.probePort ?? 0)"
        let ready = await eventually(timeout: .seconds(60)) { await httpGet(probe + "/readyz")?.status == 200 }
        let readiness = await httpGet(probe + "/readyz")
        #expect(ready, "\(readiness?.body ?? "no answer")")

        // The kubelet swaps `..data`: the controller picks up the new spec.
        let reader = try StatusStore(path: dir.path("operator.db"), role: .client(actor: "test"))
        try volume.publish(["cluster.yaml": clusterYAML(port: port, mode: "dryRun")])
        let updated = await eventually(timeout: .seconds(60)) {
            (try? ResourceStore(store: reader).get(TiKVClusterKind.self, "sim"))?.spec.mode == .dryRun
        }
        #expect(updated)

        // Every log line is JSON with the conventional keys; pass lines carry the cluster.
        let lines = controller.logLines
        #expect(lines.allSatisfy { $0["unparsed"] == nil && $0["ts"] is Double && $0["level"] is String && $0["msg"] is String },
                "\(lines.filter { $0["unparsed"] != nil })")

        kill(controller.process.processIdentifier, SIGTERM)
        let status = await controller.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "exit status \(String(describing: status)); log: \(controller.logLines.suffix(5))")
        #expect(try reader.currentLease() == nil, "the lease is released on a graceful stop")
        #expect(controller.logLines.contains { ($0["msg"] as? String) == "Stopped and released the store lease" })

        // A second controller starts at once, without waiting for the lease to expire.
        let next = try StatusStore(path: dir.path("operator.db"), role: .controller(holder: "next"))
        #expect(throws: Never.self) { try next.acquireLease(ttl: .seconds(15)) }
        try next.releaseLease()
        await server.stop()
    }

    @Test func sigtermWhilePDHangsExitsWithinTheGraceAndReleasesTheLease() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let dir = try TemporaryDirectory()
        // A PD that accepts requests and never answers within the test; the spec gives it minutes.
        let requests = Mutex(0)
        let pd = try await LoopbackServer.start { _ in
            requests.withLock { $0 += 1 }
            try await Task.sleep(for: .seconds(120))
            return Reply.json("{}")
        }
        var volume = try ConfigMapVolume(path: dir.path("specs"))
        try volume.publish(["cluster.yaml": clusterYAML(port: Int(pd.port), mode: "observe", timeout: "3m")])
        let controller = try RunningController(binary: binary, specs: volume.path, db: dir.path("operator.db"),
                                               logPath: dir.path("operator.log"), shutdownTimeout: "20s")
        defer { controller.kill() }
        #expect(await eventually(timeout: .seconds(60)) { requests.withLock { $0 } > 0 }, "a pass is under way")

        // The pass under way is cancelled: its requests to the hung PD end at once, and the lease is released.
        kill(controller.process.processIdentifier, SIGTERM)
        let status = await controller.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "exit status \(String(describing: status)); log: \(controller.logLines.suffix(5))")
        #expect(controller.logged("Pass stopped: the controller is stopping"))
        #expect(controller.logged("Stopped and released the store lease"))
        #expect(!controller.logged("Shutdown overran the grace period; exiting without releasing the lease"))
        let reader = try StatusStore(path: dir.path("operator.db"), role: .client(actor: "test"))
        #expect(try reader.currentLease() == nil)
        await pd.stop()
    }

    @Test func aPlanInterruptedBySigtermIsResumedByTheNextController() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let dir = try TemporaryDirectory()
        // The controller process reads the wall clock, so the simulated cluster keeps to it too:
        // heartbeat ages then agree on both sides.
        let wallNanos = { Int64(Date().timeIntervalSince1970 * 1e9) }
        let sim = SimulatedCluster(.generated(stores: 5, regions: 300, seed: 7, nowNanos: wallNanos()))
        let server = try SimulatorServer(cluster: sim)
        let port = try await server.start()
        let clock = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
                sim.withState { $0.advance(toNanos: wallNanos()) }
            }
        }
        defer { clock.cancel() }
        var volume = try ConfigMapVolume(path: dir.path("specs"))
        let signers = try TestSigners(in: dir.path("keys"))
        try volume.publish([
            "cluster.yaml": clusterYAML(port: port, mode: "execute", signers: signers),
            "maintenance.yaml": """
                apiVersion: operator.tikv/v1alpha1
                kind: StoreMaintenance
                metadata:
                  name: drain-store-4
                spec:
                  cluster: sim
                  storeID: 4
                  reason: kernel upgrade
                """,
        ])
        let db = dir.path("operator.db")
        let first = try RunningController(binary: binary, specs: volume.path, db: db, logPath: dir.path("first.log"))
        defer { first.kill() }
        let client = try StatusStore(path: db, role: .client(actor: "alice"))
        let resources = ResourceStore(store: client)
        func plan() -> RemediationPlan? { (try? resources.list(RemediationPlanKind.self))?.first { $0.name.contains("drain-store-4") } }
        #expect(await eventually { plan() != nil }, "\(first.logLines.suffix(5))")
        let pending = try #require(plan())
        _ = try client.addApproval(try signers.record(pending, as: "alice", now: Date()))
        // Stop the controller as soon as the plan has begun executing.
        let started = await eventually { plan()?.status.steps.contains { $0.phase != .pending } == true }
        let blocked = plan()?.status.conditions.map { "\($0.type)=\($0.status.rawValue) \($0.reason): \($0.message)" } ?? []
        #expect(started, "\(blocked)")
        kill(first.process.processIdentifier, SIGTERM)
        #expect(await first.waitForExit(timeout: .seconds(60)) == 0)
        let interrupted = try #require(plan())
        // Mid-plan: a step had started, or its intent was written and the stop kept the call from being sent, which
        // puts the step back to pending and says so on it (`lostCalls`), the plan still Executing.
        let midPlan = interrupted.status.steps.contains { $0.phase != .pending || ($0.lostCalls ?? 0) > 0 }
        #expect(midPlan, "the plan had started: \(interrupted.status.steps.map { "\($0.name)=\($0.phase.rawValue)" })")
        #expect(!interrupted.status.phase.isTerminal, "stopped mid-plan: \(interrupted.status.phase)")

        // The next controller takes over the store and carries the plan to its end.
        let second = try RunningController(binary: binary, specs: volume.path, db: db, logPath: dir.path("second.log"))
        defer { second.kill() }
        let done = await eventually(timeout: .seconds(120)) { plan()?.status.phase == .succeeded }
        let final = plan()
        #expect(done, "plan: \(String(describing: final?.status.phase)) \(final?.status.steps.map { "\($0.name)=\($0.phase.rawValue)" } ?? [])")
        #expect(sim.withState { $0.schedulers.evictLeaderStores } == [4])
        // Each step's PD call was sent once, however the stop fell.
        let sent = try client.audit(kind: RemediationPlanKind.kind, name: interrupted.name).filter { $0.action == "PDMutation" }
        #expect(sent.filter { $0.message.contains("evict-leader-scheduler") }.count == 1, "\(sent.map(\.message))")
        kill(second.process.processIdentifier, SIGTERM)
        #expect(await second.waitForExit(timeout: .seconds(60)) == 0)
        await server.stop()
    }
}

