import ControllerRuntime
import Foundation
import Reconcilers
import Testing
import TestSupport
@testable import OperatorStore

#if canImport(Glibc)
import Glibc
#endif

/// A store that cannot be written, on a real `operator run` process: its file-size limit lowered after start
/// (`prlimit`), so every SQLite write fails as on a full disk. The process must not die of SIGXFSZ holding the
/// lease, must send no PD mutation while it cannot record its intent, and must carry on once the limit is lifted.
@Suite(.serialized) struct FullDiskProcessTests {
    typealias RunningController = ControllerProcessTests.RunningController

    /// Sets the soft RLIMIT_FSIZE of `pid` (`limit` in bytes, or "unlimited"); the hard limit stays.
    static func fileSizeLimit(_ pid: Int32, _ limit: String) async throws {
        let run = try await ChildProcess.run("/usr/bin/prlimit", ["--pid", "\(pid)", "--fsize=\(limit):"], limit: .seconds(30))
        #expect(run.status == 0, "prlimit: \(run.stderr)")
    }

    /// The signals `pid` ignores, from the `SigIgn` mask in `/proc/<pid>/status` (bit n − 1 is signal n).
    static func ignoredSignals(_ pid: Int32) -> Set<Int32> {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("SigIgn:") }),
              let mask = line.split(separator: "\t").last.flatMap({ UInt64($0.trimmingCharacters(in: .whitespaces), radix: 16) })
        else { return [] }
        return Set((1...64).filter { mask & (1 << UInt64($0 - 1)) != 0 }.map { Int32($0) })
    }

    @Test func aStoreThatCannotBeWrittenStopsMutationsUntilItCanAgain() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let dir = try TemporaryDirectory()
        let sim = try await WallClockSimulator.start()
        var volume = try ControllerProcessTests.ConfigMapVolume(path: dir.path("specs"))
        let signers = try TestSigners(in: dir.path("keys"))
        try volume.publish([
            "cluster.yaml": ControllerProcessTests().clusterYAML(port: sim.port, mode: "execute", signers: signers),
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
        // The log goes through a pipe to `cat`, which writes the file: the limit applies to the controller's own
        // writes to regular files, and would otherwise swallow the very lines this test reads.
        let logPath = dir.path("operator.log")
        let pipe = Pipe()
        let db = dir.path("operator.db")
        let controller = try RunningController(binary: binary, specs: volume.path, db: db, logPath: logPath,
                                               arguments: ["--lease-duration", "6s", "--backoff-base", "200ms", "--backoff-cap", "1s"],
                                               logPipe: pipe)
        defer { controller.kill() }
        let relay = Subprocess()
        relay.executableURL = URL(fileURLWithPath: "/usr/bin/cat")
        relay.standardInput = pipe.fileHandleForReading
        relay.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try relay.run()
        defer { if relay.isRunning { kill(relay.processIdentifier, SIGKILL) } }
        // Only the controller and the relay hold the pipe: the relay ends when the controller does.
        try pipe.fileHandleForWriting.close()
        try pipe.fileHandleForReading.close()
        let pid = controller.process.processIdentifier

        let client = try StatusStore(path: db, role: .client(actor: "alice"))
        let resources = ResourceStore(store: client)
        func plan() -> RemediationPlan? { (try? resources.list(RemediationPlanKind.self))?.first { $0.name.contains("drain-store-4") } }
        func evicting() -> [UInt64] { sim.cluster.withState { $0.schedulers.evictLeaderStores } }
        func count(_ message: String) -> Int { controller.logLines.filter { ($0["msg"] as? String) == message }.count }
        #expect(await eventually { plan() != nil }, "\(controller.logLines.suffix(5))")
        let pending = try #require(plan())
        // Ignored, not merely blocked: libdispatch's threads block SIGXFSZ, but a write from any other thread (the main
        // one, a log line to a file) would raise it, and its default action ends the process holding the lease.
        #expect(Self.ignoredSignals(pid).contains(SIGXFSZ), "SigIgn of \(pid)")

        // The disk fills: no file of the controller's may grow past one byte. Then the plan is approved (by a client
        // not under the limit), which the controller would otherwise execute within a pass.
        try await Self.fileSizeLimit(pid, "1")
        let failuresBefore = count("Pass failed; retrying with backoff")
        _ = try client.addApproval(try signers.record(pending, as: "alice", now: Date()))
        let failing = await eventually(timeout: .seconds(60)) {
            !controller.process.isRunning
                || (count("Pass failed; retrying with backoff") >= failuresBefore + 3 && count("Lease renewal failed; retrying next period") >= 1)
        }
        #expect(controller.process.isRunning, "no death by SIGXFSZ: \(controller.process.isRunning ? "" : "\(controller.process.terminationReason.rawValue) \(controller.process.terminationStatus)")")
        #expect(failing, "\(controller.logLines.suffix(5))")
        #expect(evicting().isEmpty, "no PD mutation while the intent cannot be written")
        // What the log says: SQLite's refusal (EFBIG is an I/O error to it; ENOSPC on a full disk reads "database or
        // disk is full"), the pass and the lease each to be retried.
        let refusal = "SQLite error 10: disk I/O error - while executing `COMMIT TRANSACTION`"
        let passFailure = controller.logLines.last { ($0["msg"] as? String) == "Pass failed; retrying with backoff" }?["error"] as? String
        #expect(passFailure == refusal, "\(passFailure ?? "-")")
        let leaseFailure = controller.logLines.last { ($0["msg"] as? String) == "Lease renewal failed; retrying next period" }?["error"] as? String
        #expect(leaseFailure == refusal, "\(leaseFailure ?? "-")")

        // Space is back: the lease is renewed, the pass succeeds, the step's call is sent once.
        try await Self.fileSizeLimit(pid, "unlimited")
        let renewedAfter = Date()
        let recovered = await eventually(timeout: .seconds(60)) {
            evicting() == [4] && ((try? client.currentLease())?.expiresAt ?? .distantPast) > renewedAfter.addingTimeInterval(4)
        }
        #expect(recovered, "evicting \(evicting()), lease \(String(describing: try? client.currentLease())); \(controller.logLines.suffix(5))")
        #expect(try client.currentLease()?.holder.hasSuffix("/\(pid)") == true)
        let sent = try client.audit(kind: RemediationPlanKind.kind, name: pending.name).filter { $0.action == "PDMutation" }
        #expect(sent.filter { $0.message.contains("evict-leader-scheduler") }.count == 1, "\(sent.map(\.message))")

        kill(pid, SIGTERM)
        #expect(await controller.waitForExit(timeout: .seconds(60)) == 0)
        #expect(try client.currentLease() == nil)
        await sim.stop()
    }
}
