import Foundation
import Logging
import Synchronization

/// One reconciler's work queue and workers (controller-runtime's internal controller): keys in, one pass per
/// key at a time, and the pass's outcome turned into the key's next add — requeue-after on success, the
/// key's exponential backoff on a failure or an incomplete pass. Knows no kind: the reconciler does the rest.
package final class ControllerLoop: Sendable {
    let reconciler: any Reconciler
    package let queue: WorkQueue<String>
    package let workers: Int
    private let metrics: OperatorMetrics?
    private let logger: Logger
    private let clock: @Sendable () -> Date
    /// When each key's last pass finished. Only probes and logs read it; nothing is lost with the process.
    private let passes = Mutex<[String: Date]>([:])

    package var name: String { reconciler.name }

    init(reconciler: any Reconciler, workers: Int, backoffBase: Duration, backoffCap: Duration, metrics: OperatorMetrics?,
         logger: Logger, clock: @escaping @Sendable () -> Date) {
        self.reconciler = reconciler
        self.queue = WorkQueue(backoffBase: backoffBase, backoffCap: backoffCap)
        self.workers = max(1, workers)
        self.metrics = metrics
        metrics?.controllerStarted(reconciler.name)
        self.logger = logger
        self.clock = clock
    }

    /// When each key's last pass finished (a pass whose object is gone drops its key).
    func lastPasses() -> [String: Date] { passes.withLock { $0 } }

    /// Adds every key the reconciler owns now; a store that cannot be read adds nothing (the next trigger will).
    func enqueueAll(reason: String) async {
        guard let keys = try? reconciler.keys() else { return }
        for key in keys {
            logger.debug("Enqueue", metadata: [reconciler.logKey: "\(key)", "trigger": "\(reason)"])
            await queue.add(key)
        }
    }

    /// One worker: passes keys until the queue shuts down.
    func work() async {
        while let key = await queue.get() {
            await process(key)
            await queue.done(key)
        }
    }

    /// controller-runtime's `reconcileHandler`: one arm per outcome, each with its metric.
    private func process(_ key: String) async {
        var log = logger
        log[metadataKey: reconciler.logKey] = "\(key)"
        let started = ContinuousClock.now
        func record(_ result: OperatorMetrics.ReconcileResult, retried: Bool) {
            metrics?.reconciled(result, in: ContinuousClock.now - started, retried: retried, controller: name)
        }
        do {
            guard let outcome = try await reconciler.reconcile(key, logger: log) else {
                await queue.forget(key)
                _ = passes.withLock { $0.removeValue(forKey: key) }
                record(.success, retried: false)
                return
            }
            passes.withLock { $0[key] = clock() }
            if outcome.requeue {
                let delay = await queue.addRateLimited(key)
                log.warning("Observation incomplete; retrying with backoff", metadata: ["retryIn": "\(delay)"])
                record(.requeue, retried: true)
            } else {
                await queue.forget(key)
                await queue.addAfter(key, outcome.requeueAfter)
                record(.requeueAfter, retried: false)
            }
        } catch where Task.isCancelled {
            // The manager is stopping: the pass ended at its next safe point, and nothing is retried here.
            log.notice("Pass stopped: the controller is stopping", metadata: ["error": "\(error)"])
        } catch {
            let delay = await queue.addRateLimited(key)
            log.error("Pass failed; retrying with backoff", metadata: ["error": "\(error)", "retryIn": "\(delay)"])
            record(.error, retried: true)
        }
    }
}
