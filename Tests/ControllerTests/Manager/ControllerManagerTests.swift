import Foundation
import Logging
import Synchronization
import Testing
import TestSupport
@testable import ControllerRuntime
@testable import OperatorStore

/// The generic manager with a reconciler of plain keys, no kind and no simulator: what it owns is when a
/// pass runs (start, client writes, backoff) and what it remembers of passes. A real store file holds the lease.
@Suite(.serialized) struct ControllerManagerTests {
    /// Counts its passes; a key in `failing` throws that many times first, a key in `gone` has no object.
    final class CountingReconciler: Reconciler {
        struct State {
            var keys: [String]
            var failing: [String: Int] = [:]
            var gone: Set<String> = []
            var passes: [String: Int] = [:]
        }

        struct Failure: Error {}

        let name = "counting"
        let logKey = "key"
        let state: Mutex<State>

        init(keys: [String], failing: [String: Int] = [:]) { state = Mutex(State(keys: keys, failing: failing)) }

        func keys() -> [String] { state.withLock { $0.keys } }

        func passes(_ key: String) -> Int { state.withLock { $0.passes[key, default: 0] } }

        func reconcile(_ key: String, logger: Logger) async throws -> ReconcileOutcome? {
            enum Answer { case gone, failed, passed }
            let answer: Answer = state.withLock { s in
                if s.gone.contains(key) { return .gone }
                s.passes[key, default: 0] += 1
                let left = s.failing[key, default: 0]
                guard left == 0 else {
                    s.failing[key] = left - 1
                    return .failed
                }
                return .passed
            }
            switch answer {
            case .gone: return nil
            case .failed: throw Failure()
            // Long enough that only a trigger passes the key again within a test.
            case .passed: return ReconcileOutcome(requeueAfter: .seconds(3600))
            }
        }
    }

    struct Rig {
        let directory: TemporaryDirectory
        let store: StatusStore
        let reconciler: CountingReconciler
        let manager: ControllerManager

        init(_ reconciler: CountingReconciler) throws {
            directory = try TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: directory.path("specs"), withIntermediateDirectories: true)
            store = try StatusStore(path: directory.path("operator.db"), role: .controller(holder: "test-controller"))
            _ = try store.acquireLease(ttl: .seconds(60))
            var config = ControllerManager.Configuration(specsPath: directory.path("specs"))
            config.specPollInterval = .milliseconds(50)
            config.storePollInterval = .milliseconds(50)
            config.backoffBase = .milliseconds(20)
            config.backoffCap = .milliseconds(200)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            self.reconciler = reconciler
            manager = ControllerManager(config: config, store: store, reconcilers: [reconciler], logger: logger)
        }

        /// Runs the manager while `body` watches it, then stops it and returns how it ended.
        func running(_ body: () async throws -> Void) async throws {
            let stopped = Mutex(false)
            let manager = self.manager
            let run = Task { try await manager.run(until: { stopped.withLock { $0 } }) }
            do {
                try await body()
            } catch {
                stopped.withLock { $0 = true }
                _ = await run.result
                throw error
            }
            stopped.withLock { $0 = true }
            try await run.value
        }
    }

    @Test func everyKeyPassesOnceAtStartAndAFailedPassIsRetriedWithBackoff() async throws {
        let rig = try Rig(CountingReconciler(keys: ["a", "b"], failing: ["b": 2]))
        let loop = try #require(rig.manager.controller(named: "counting"))
        try await rig.running {
            #expect(await eventually { rig.reconciler.passes("b") == 3 }, "two failures, then a pass: \(rig.reconciler.passes("b"))")
            #expect(await eventually { rig.manager.lastPasses(of: "counting")["b"] != nil })
            #expect(await loop.queue.failureCount("b") == 0, "a pass that succeeds clears the key's backoff")
        }
        #expect(rig.reconciler.passes("a") == 1, "no trigger fired after the start, and a success waits for its requeue-after")
        #expect(Set(rig.manager.lastPasses(of: "counting").keys) == ["a", "b"])
    }

    @Test func aClientWriteWakesEveryKeyAndAGoneObjectLeavesNoPassRecord() async throws {
        let rig = try Rig(CountingReconciler(keys: ["a", "b"]))
        try await rig.running {
            #expect(await eventually { rig.manager.lastPasses(of: "counting").count == 2 })
            rig.reconciler.state.withLock { _ = $0.gone.insert("b") }
            // What `operator kill-switch` does from another process: a client-role write.
            let client = try StatusStore(path: rig.directory.path("operator.db"), role: .client(actor: "bob"))
            try client.setKillSwitch(on: true, actor: "bob")
            #expect(await eventually { rig.reconciler.passes("a") == 2 && rig.manager.lastPasses(of: "counting")["b"] == nil })
        }
        #expect(rig.reconciler.passes("b") == 1)
        #expect(Set(rig.manager.lastPasses(of: "counting").keys) == ["a"])
    }
}
