import Dispatch
import Foundation
import Logging
import OperatorStore
import Synchronization

/// Holds the store's single-writer lease for the manager: renews it every third of its TTL on a dispatch queue of
/// its own, and reports at once when another controller took it.
///
/// Renewal runs apart from the work it protects: a spec sync of thousands of files is synchronous, a region download
/// can keep the task executor's threads busy for tens of seconds, and neither may let the lease lapse. A third of the
/// TTL leaves two renewals' worth of slack and commits once every few seconds, not every spec poll. A lost lease is
/// final: the keeper never renews it again, and the owner is told (`onLost`) so it can stop before anything else is
/// tried (`operator run` exits non-zero at once; every write is fenced by the lease regardless).
package final class LeaseKeeper: Sendable {
    package enum State: Sendable, Equatable {
        case idle, holding, stopped
        /// Another controller holds the lease now, as the store said it.
        case lost(StoreError)
    }

    let store: StatusStore
    /// The TTL the lease was acquired with; renewals extend it by the stored TTL.
    let ttl: Duration
    private let logger: Logger
    private let onLost: @Sendable (StoreError) -> Void
    private let queue = DispatchQueue(label: "operator.lease-keeper")
    private let state = Mutex<State>(.idle)

    package init(store: StatusStore, ttl: Duration, logger: Logger, onLost: @escaping @Sendable (StoreError) -> Void = { _ in }) {
        self.store = store
        self.ttl = ttl
        self.logger = logger
        self.onLost = onLost
    }

    /// How often the lease is renewed: a third of its TTL.
    package var period: Duration { ttl / 3 }

    package var current: State { state.withLock { $0 } }

    /// The store's refusal when the lease was lost; nil while it is held (or was never lost).
    package var lostError: StoreError? {
        if case .lost(let e) = current { return e }
        return nil
    }

    /// Starts renewing (the lease must already be held: `acquire`). Once only; a stopped keeper stays stopped.
    package func start() {
        let started = state.withLock { s in
            guard s == .idle else { return false }
            s = .holding
            return true
        }
        if started { scheduleRenewal() }
    }

    /// Stops renewing, after a renewal under way has finished, so the caller may release the lease next.
    package func stop() {
        state.withLock { s in if s == .idle || s == .holding { s = .stopped } }
        queue.sync {}
    }

    private func scheduleRenewal() {
        // One renewal after another, each a full period after the last ended: never two within a period.
        queue.asyncAfter(deadline: .now() + Self.dispatchInterval(period)) { [self] in renew() }
    }

    private func renew() {
        guard current == .holding else { return }
        do {
            _ = try store.renewLease()
        } catch let e as StoreError {
            if case .leaseLost = e {
                let lost = state.withLock { s in
                    guard s == .holding else { return false }
                    s = .lost(e)
                    return true
                }
                if lost {
                    logger.critical("Lost the store lease; stopping so two controllers never write one store", metadata: ["error": "\(e)"])
                    onLost(e)
                }
                return
            }
            logger.error("Lease renewal failed; retrying next period", metadata: ["error": "\(e)", "period": "\(period)"])
        } catch {
            logger.error("Lease renewal failed; retrying next period", metadata: ["error": "\(error)", "period": "\(period)"])
        }
        scheduleRenewal()
    }

    /// Takes the lease, waiting while another controller holds it: up to the longer of `ttl` and the time the holder's
    /// lease was valid for when first seen, with a log line each renewal period. A holder that died without releasing
    /// it (SIGKILL, a node lost) is waited out; one that keeps renewing it is alive, and the start fails with
    /// `leaseHeld`.
    package static func acquire(store: StatusStore, ttl: Duration, logger: Logger) async throws -> LeaseRecord {
        try await waitingOutLease(ttl: ttl, logger: logger, message: "Waiting for the store lease") {
            try store.acquireLease(ttl: ttl)
        }
    }

    /// Runs `attempt` until another controller's lease stops it (`leaseHeld`, or `upgradeWaitsForLease` when the store
    /// would be upgraded under it): each refusal is logged with `message` and waited on, up to the longer of `ttl` and the
    /// time the holder's lease was valid for when first seen, then rethrown.
    package static func waitingOutLease<T>(ttl: Duration, logger: Logger, message: Logger.Message,
                                           _ attempt: () throws -> T) async throws -> T {
        var giveUpAt: Date?
        while true {
            let holder: String, expiresAt: Date, refusal: StoreError
            do {
                return try attempt()
            } catch let error as StoreError {
                switch error {
                case .leaseHeld(let h, let e), .upgradeWaitsForLease(let h, let e): (holder, expiresAt, refusal) = (h, e, error)
                default: throw error
                }
            }
            let now = Date()
            let limit = giveUpAt ?? max(now.addingTimeInterval(seconds(ttl)), expiresAt)
            giveUpAt = limit
            guard now < limit else { throw refusal }
            logger.notice(message, metadata: [
                "holder": "\(holder)", "expiresAt": "\(expiresAt.formatted(.iso8601))", "giveUpAt": "\(limit.formatted(.iso8601))",
            ])
            // Look again each third of the TTL, and right after the holder's lease runs out.
            let untilExpiry = expiresAt.timeIntervalSince(now) + 0.05
            let nap = max(0.01, min(seconds(ttl / 3), untilExpiry, limit.timeIntervalSince(now)))
            try await Task.sleep(for: .seconds(nap))
        }
    }

    static func seconds(_ d: Duration) -> TimeInterval {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func dispatchInterval(_ d: Duration) -> DispatchTimeInterval {
        .nanoseconds(Int(min(seconds(d) * 1e9, Double(Int.max / 2))))
    }
}
