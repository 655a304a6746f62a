import Foundation
import Logging
import OperatorStore
import Synchronization

/// The generic manager, after controller-runtime's: it holds the store's lease, keeps the spec files in force,
/// turns triggers into work-queue adds, and runs each reconciler's workers (`ControllerLoop`). It knows no kind;
/// what a pass does is the reconcilers' (`TiKVClusterReconciler` for TiKV clusters).
///
/// Triggers only decide *when* a pass runs (level-triggered): a spec change, a client write to the store (an
/// approval from the CLI, picked up within a poll), and the requeue-after each pass asks for (its resync). A
/// pass that fails, or whose observation was incomplete, is retried with its key's exponential backoff.
///
/// The spec files stay a trigger of the manager rather than a runnable of their own: they are the operator's
/// API server (every reconciler's desired objects come from them, whatever their kind). The lease is renewed apart
/// from them (`LeaseKeeper`), so a long sync never lets it lapse; a lost lease stops the manager at the next spec
/// poll, and every write is fenced by it meanwhile.
package final class ControllerManager: Sendable {
    package struct Configuration: Sendable {
        package var specsPath: String
        package var specPollInterval: Duration = .seconds(1)
        /// How often to look for client writes (approvals, kill switch); well under a second.
        package var storePollInterval: Duration = .milliseconds(250)
        /// The TTL the lease was acquired with; it is renewed every third of it.
        package var leaseTTL: Duration = .seconds(15)
        /// Told at once, from the lease keeper's queue, when another controller took the lease (`operator run` exits).
        package var onLeaseLost: (@Sendable (StoreError) -> Void)?
        package var backoffBase: Duration = .seconds(1)
        package var backoffCap: Duration = .seconds(300)
        /// Workers per reconciler: passes for different keys may run concurrently; one key never has two at once.
        package var workers = 2
        package var actor = "controller"
        /// Where passes and spec syncs are counted for `/metrics`; nil records nothing.
        package var metrics: OperatorMetrics?

        package init(specsPath: String) { self.specsPath = specsPath }
    }

    package let config: Configuration
    package let store: StatusStore
    package let controllers: [ControllerLoop]
    /// Renews the lease while `run` runs; the probes read whether it was lost.
    package let lease: LeaseKeeper
    let logger: Logger
    package let clock: @Sendable () -> Date
    private let specLoad = Mutex<SpecLoad?>(nil)

    package init(config: Configuration, store: StatusStore, reconcilers: [any Reconciler], logger: Logger,
         clock: @escaping @Sendable () -> Date = { Date() }) {
        self.config = config
        self.store = store
        self.controllers = reconcilers.map {
            ControllerLoop(reconciler: $0, workers: config.workers, backoffBase: config.backoffBase, backoffCap: config.backoffCap,
                           metrics: config.metrics, logger: logger, clock: clock)
        }
        let onLost = config.onLeaseLost
        self.lease = LeaseKeeper(store: store, ttl: config.leaseTTL, logger: logger, onLost: { onLost?($0) })
        self.logger = logger
        self.clock = clock
    }

    /// The loop of the reconciler named `name`, if the manager runs one.
    func controller(named name: String) -> ControllerLoop? { controllers.first { $0.name == name } }

    /// What the last sync of the spec files found (readiness); nil before the first.
    package var lastSpecLoad: SpecLoad? { specLoad.withLock { $0 } }

    /// When each key of the reconciler named `controller` last finished a pass (probes, tests).
    package func lastPasses(of controller: String) -> [String: Date] { self.controller(named: controller)?.lastPasses() ?? [:] }

    /// Runs until `stop` returns true, the task is cancelled, or the lease is lost (then it throws
    /// `StoreError.leaseLost`). The lease must be held already (`LeaseKeeper.acquire`); it is renewed while this
    /// runs and left held when it returns, for the caller to release. Once stopping, no key is handed out any more
    /// and passes under way finish. Cancelling the task is the prompt stop: passes under way are cancelled too, their
    /// reads end at once, they write nothing observed after it and start no PD call (a call already under way
    /// is recorded for what it may have done).
    package func run(until stop: @escaping @Sendable () -> Bool) async throws {
        lease.start()
        defer { lease.stop() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.specLoop(until: stop) }
            group.addTask { await self.storeWatchLoop(until: stop) }
            for controller in controllers {
                for _ in 0..<controller.workers {
                    group.addTask { await controller.work() }
                }
            }
            defer { group.cancelAll() }
            // The first task to finish (the spec loop on stop or on a lost lease) ends the manager.
            do {
                try await group.next()
            } catch {
                await shutDownQueues()
                throw error
            }
            await shutDownQueues()
            try await group.waitForAll()
        }
    }

    private func shutDownQueues() async {
        for controller in controllers { await controller.queue.shutDown() }
    }

    // MARK: - Triggers

    /// Keeps the spec files in force and enqueues every key when they change; ends the manager on a lost lease.
    private func specLoop(until stop: @escaping @Sendable () -> Bool) async throws {
        var specs = SpecFileWatch(path: config.specsPath, store: store, actor: config.actor, logger: logger)
        while !stop(), !Task.isCancelled {
            if let lost = lease.lostError { throw lost }
            do {
                if let outcome = try specs.syncIfChanged(now: clock()) {
                    specLoad.withLock { $0 = specs.load }
                    config.metrics?.specsSynced()
                    await enqueueAll(reason: outcome.isEmpty ? "start" : "spec change")
                }
            } catch let e as StoreError {
                if case .leaseLost = e {
                    logger.critical("Lost the store lease; stopping so two controllers never write one store", metadata: ["error": "\(e)"])
                    throw e
                }
                logger.error("Store write failed, will retry", metadata: ["error": "\(e)"])
            } catch is CancellationError {
                return
            } catch {
                logger.error("Spec sync failed, will retry", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: config.specPollInterval)
        }
    }

    /// Wakes every key when another process (the CLI) wrote to the store: an approval, a rejection, the kill
    /// switch. The controller's own writes do not move this counter.
    private func storeWatchLoop(until stop: @escaping @Sendable () -> Bool) async {
        var last = (try? store.clientChangeCounter()) ?? 0
        while !stop(), !Task.isCancelled {
            try? await Task.sleep(for: config.storePollInterval)
            guard let now = try? store.clientChangeCounter(), now != last else { continue }
            last = now
            await enqueueAll(reason: "store change")
        }
    }

    private func enqueueAll(reason: String) async {
        for controller in controllers { await controller.enqueueAll(reason: reason) }
    }
}
