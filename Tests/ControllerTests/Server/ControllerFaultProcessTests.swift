import Foundation
import Synchronization
import Testing
import TestSupport
@testable import OperatorStore

#if canImport(Glibc)
import Glibc
#endif

/// A real `operator run` process under the faults a pod meets: a PD that hangs, real signals, a log pipe that
/// closes, a restart while PD is out, and a lease taken over. Every wait is bounded; what a test starts it stops.
@Suite(.serialized) struct ControllerFaultProcessTests {
    typealias RunningController = ControllerProcessTests.RunningController

    /// A PD that accepts every request and never answers within the test; counts what reached it.
    final class HungPD: Sendable {
        final class Counter: Sendable { let value = Mutex(0) }

        let server: LoopbackServer
        private let counter: Counter

        var requests: Int { counter.value.withLock { $0 } }

        private init(server: LoopbackServer, counter: Counter) {
            self.server = server
            self.counter = counter
        }

        static func start() async throws -> HungPD {
            let counter = Counter()
            let server = try await LoopbackServer.start { _ in
                counter.value.withLock { $0 += 1 }
                try await Task.sleep(for: .seconds(120))
                return Reply.json("{}")
            }
            return HungPD(server: server, counter: counter)
        }
    }

    func specs(_ dir: TemporaryDirectory, pdPort: UInt16, timeout: String) throws -> String {
        var volume = try ControllerProcessTests.ConfigMapVolume(path: dir.path("specs"))
        try volume.publish(["cluster.yaml": ControllerProcessTests().clusterYAML(port: Int(pdPort), mode: "observe", timeout: timeout)])
        return volume.path
    }

    @Test(arguments: [SIGHUP, SIGQUIT])
    func aStopSignalReleasesTheLease(signal: Int32) async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let dir = try TemporaryDirectory()
        let pd = try await HungPD.start()
        let controller = try RunningController(binary: binary, specs: try specs(dir, pdPort: pd.server.port, timeout: "3m"),
                                               db: dir.path("operator.db"), logPath: dir.path("operator.log"))
        defer { controller.kill() }
        #expect(await eventually { pd.requests > 0 }, "a pass is under way: \(controller.logLines.suffix(5))")

        kill(controller.process.processIdentifier, signal)
        let status = await controller.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "exit status \(String(describing: status)) (nil: still running); log: \(controller.logLines.suffix(5))")
        if status != nil { #expect(controller.process.terminationReason == .exit, "killed by the signal") }
        #expect(controller.logged("Stopped and released the store lease"))
        let reader = try StatusStore(path: dir.path("operator.db"), role: .client(actor: "test"))
        #expect(try reader.currentLease() == nil)
        await pd.server.stop()
    }

    @Test func aClosedLogPipeIsNoReasonToDie() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let dir = try TemporaryDirectory()
        let pd = try await HungPD.start()
        // Nobody reads the log: every line the controller writes after this meets a pipe without a reader (EPIPE, and
        // SIGPIPE unless it is ignored). Debug logging and a PD timing out keep it writing lines.
        let pipe = Pipe()
        let controller = try RunningController(binary: binary, specs: try specs(dir, pdPort: pd.server.port, timeout: "200ms"),
                                               db: dir.path("operator.db"), logPath: dir.path("unused.log"),
                                               arguments: ["--log-level", "debug", "--backoff-cap", "200ms"], logPipe: pipe)
        defer { controller.kill() }
        try pipe.fileHandleForReading.close()
        try? pipe.fileHandleForWriting.close()

        // Several passes later (each asks the hung PD again, and logs), it is still running and holds the lease.
        let before = pd.requests
        let passes = await eventually { pd.requests > before + 60 || !controller.process.isRunning }
        #expect(passes && controller.process.isRunning,
                "\(String(describing: controller.process.isRunning ? nil : controller.process.terminationReason)) \(pd.requests)")
        let reader = try StatusStore(path: dir.path("operator.db"), role: .client(actor: "test"))
        #expect(try reader.currentLease()?.holder.hasSuffix("/\(controller.process.processIdentifier)") == true)

        kill(controller.process.processIdentifier, SIGTERM)
        let status = await controller.waitForExit(timeout: .seconds(60))
        #expect(status == 0)
        if status != nil { #expect(controller.process.terminationReason == .exit) }
        #expect(try reader.currentLease() == nil)
        await pd.server.stop()
    }

    @Test func aRestartDuringAPDOutageWaitsOutTheLeaseInsteadOfFailing() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let dir = try TemporaryDirectory()
        let pd = try await HungPD.start()
        let specs = try specs(dir, pdPort: pd.server.port, timeout: "5s")
        let lease = ["--lease-duration", "3s"]
        let first = try RunningController(binary: binary, specs: specs, db: dir.path("operator.db"), logPath: dir.path("first.log"),
                                          arguments: lease)
        defer { first.kill() }
        #expect(await eventually { pd.requests > 0 }, "a pass is under way: \(first.logLines.suffix(5))")
        // Killed as a node loss kills it: nothing released.
        first.kill()
        _ = await first.waitForExit(timeout: .seconds(60))
        let reader = try StatusStore(path: dir.path("operator.db"), role: .client(actor: "test"))
        #expect(try reader.currentLease() != nil)

        let second = try RunningController(binary: binary, specs: specs, db: dir.path("operator.db"), logPath: dir.path("second.log"),
                                           arguments: lease)
        defer { second.kill() }
        let took = await eventually { second.logged("Acquired the store lease") || !second.process.isRunning }
        #expect(took && second.process.isRunning, "\(second.logLines.suffix(5))")
        #expect(second.logged("Waiting for the store lease"), "a line while it waits: \(second.logLines.prefix(3))")
        #expect(try reader.currentLease()?.holder.hasSuffix("/\(second.process.processIdentifier)") == true)

        kill(second.process.processIdentifier, SIGTERM)
        #expect(await second.waitForExit(timeout: .seconds(60)) == 0)
        #expect(try reader.currentLease() == nil)
        await pd.server.stop()
    }

    @Test func aLeaseTakenOverEndsTheProcessAtOnceWithAFailure() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let dir = try TemporaryDirectory()
        let pd = try await HungPD.start()
        let controller = try RunningController(binary: binary, specs: try specs(dir, pdPort: pd.server.port, timeout: "3m"),
                                               db: dir.path("operator.db"), logPath: dir.path("operator.log"),
                                               arguments: ["--lease-duration", "3s"])
        defer { controller.kill() }
        #expect(await eventually { pd.requests > 0 }, "a pass is under way: \(controller.logLines.suffix(5))")

        // Another controller whose clock is an hour ahead sees the lease expired and takes it.
        let thief = try StatusStore(path: dir.path("operator.db"), role: .controller(holder: "thief"),
                                    clock: { Date().addingTimeInterval(3600) })
        _ = try thief.acquireLease(ttl: .seconds(7200))

        // Its next renewal (a second later) finds the lease gone: it exits 1 although its pass still waits on PD.
        let status = await controller.waitForExit(timeout: .seconds(60))
        #expect(status == 1, "exit status \(String(describing: status)); log: \(controller.logLines.suffix(5))")
        #expect(controller.logged("Lost the store lease; stopping so two controllers never write one store"))
        #expect(controller.logged("Exiting: another controller holds the store lease"))
        #expect(try thief.currentLease()?.holder == "thief")
        await pd.server.stop()
    }
}
