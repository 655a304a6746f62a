import Foundation
import Synchronization

/// What one reconcile pass may still spend on its upstreams (PD and Prometheus): the deadline of the stage under
/// way, and the servers that already timed out in this pass.
///
/// A hung server costs its timeout once per pass, not once per request: a server (scheme, host and port) that
/// timed out is not asked again until the pass ends — no retry, no `/leader` lookup, no later stage — and every
/// request a stage makes ends by the stage's deadline, retries and backoff included. Without a budget in force (the
/// CLI, the diagnosis history) requests keep only their own limits.
///
/// The budget travels as a task-local (`run(within:_:)`), so the clients read it without every call site passing it;
/// a task the pass spawns to outlive it (the diagnosis) must be started outside `run`.
package final class PassBudget: Sendable {
    /// The budget and deadline in force for the current task, if any.
    package struct Scope: Sendable {
        package let budget: PassBudget
        let deadline: ContinuousClock.Instant?

        /// `limits` cut to what is left of the deadline; nil once it has passed.
        package func clipped(_ limits: HTTPLimits) -> HTTPLimits? {
            guard let deadline else { return limits }
            let left = deadline - .now
            guard left > .zero else { return nil }
            var l = limits
            l.connectTimeout = min(l.connectTimeout, left)
            l.responseHeaderTimeout = min(l.responseHeaderTimeout, left)
            l.deadline = min(l.deadline, left)
            return l
        }

        /// Whether a backoff of `delay` would end past the deadline.
        func cannotWait(_ delay: Duration) -> Bool {
            deadline.map { ContinuousClock.now + delay >= $0 } ?? false
        }

        var expired: Bool { deadline.map { ContinuousClock.now >= $0 } ?? false }
    }

    @TaskLocal package static var current: Scope?

    /// Per server (`scheme://host:port`), the first request that timed out and how.
    private let timedOut = Mutex<[String: String]>([:])

    package init() {}

    /// Runs `body` with this budget in force, every request it makes ending within `limit` from now (nil: no stage
    /// deadline, only each request's own limits and the servers that timed out).
    package func run<T: Sendable>(within limit: Duration?, _ body: () async throws -> T) async rethrows -> T {
        try await Self.$current.withValue(Scope(budget: self, deadline: limit.map { .now + $0 })) { try await body() }
    }

    /// The servers that timed out in this pass, as `scheme://host:port`, sorted (logs, tests).
    package var timedOutServers: [String] { timedOut.withLock { $0.keys.sorted() } }

    /// How the server at `url` timed out earlier in this pass (what a skipped request reports); nil if it did not.
    package func timeout(of url: URL) -> String? {
        let key = Self.server(url)
        return timedOut.withLock { $0[key] }
    }

    /// Records that `what` (the request and its failure) timed out at `url`'s server; the first one is kept.
    package func recordTimeout(_ url: URL, _ what: String) {
        let key = Self.server(url)
        timedOut.withLock { if $0[key] == nil { $0[key] = what } }
    }

    /// The failure of a request not sent because its server timed out earlier in the pass.
    package static func skipped(after timeout: String) -> String { "not asked again in this pass after \(timeout)" }

    /// A failure that says the server did not answer in time: connection, head, whole exchange, or a trickle.
    package static func isTimeout(_ kind: TransportError.Kind) -> Bool {
        switch kind {
        case .connectTimeout, .responseTimeout, .requestTimeout, .stalled: true
        default: false
        }
    }

    static func server(_ url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? "http"
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(url.host?.lowercased() ?? ""):\(port)"
    }
}
