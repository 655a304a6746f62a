import Logging

/// The contract between the manager and what it runs, after controller-runtime's `reconcile` package: a
/// reconciler names the objects it owns and brings one of them to its desired state per call; the manager
/// decides when (triggers, requeue-after, backoff) and never what. Nothing here knows a kind.
package protocol Reconciler: Sendable {
    /// The controller's name: its work queue's name and the `controller` label of its metrics.
    var name: String { get }
    /// The log metadata key that names a key's object (e.g. `cluster`).
    var logKey: String { get }
    /// Every object this reconciler owns now; a trigger (spec change, client write) enqueues them all.
    func keys() throws -> [String]
    /// One pass over one object. Nil when the object is gone (its backoff and pass record are dropped);
    /// a throw is a failed pass, retried with the key's backoff.
    func reconcile(_ key: String, logger: Logger) async throws -> ReconcileOutcome?
}

/// What a pass asks of the manager: when to run again (controller-runtime's `reconcile.Result`).
package struct ReconcileOutcome: Sendable, Equatable {
    /// Pass again after this long however quiet the triggers are (a resync or a step timer).
    package var requeueAfter: Duration
    /// The pass could not see what it needed (an incomplete observation): retry with the key's backoff
    /// instead of waiting for `requeueAfter`.
    package var requeue: Bool

    package init(requeueAfter: Duration, requeue: Bool = false) {
        self.requeueAfter = requeueAfter
        self.requeue = requeue
    }
}
