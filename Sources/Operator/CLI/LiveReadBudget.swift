import ControllerRuntime
import Foundation
import PDClient
import PDWire
import TiKVController

/// The deadline of one live read from PD (and Prometheus) by the CLI or the dashboard, the same a pass has
/// (`PassBudget`, `PassStageBounds`): a server that timed out is not asked again — no retry, no second `/leader`
/// lookup — and the read ends within the pass's bound for it. Without it a hung PD kept `operator get stores`
/// waiting out every retry (5 s for `--timeout 1`); now it costs about one timeout, then one error naming PD.
struct LiveReadBudget {
    let pdTimeout: GoDuration
    let bounds: PassStageBounds
    let budget = PassBudget()

    init(pdTimeout: GoDuration, metricsTimeout: GoDuration?) {
        self.pdTimeout = pdTimeout
        bounds = PassStageBounds(pd: .nanoseconds(pdTimeout.nanoseconds), metrics: metricsTimeout.map { .nanoseconds($0.nanoseconds) })
    }

    /// The store list and its metrics: the bound of a pass's store-level observation.
    func stores<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        try await budget.run(within: bounds.observation, body)
    }

    /// One or a few reads (members, hot regions): the bound of a pass's step reads.
    func reads<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        try await budget.run(within: bounds.stepReads, body)
    }

    /// A region list: no overall deadline (a long list takes its time within its own limits), but a server that timed
    /// out is not asked again.
    func regionList<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        try await budget.run(within: nil, body)
    }

    /// What a failed read says when a server timed out: which one, and the timeout it did not answer within; nil
    /// when nothing timed out (the failure's own words then say what happened).
    var timedOut: String? {
        let servers = budget.timedOutServers
        guard !servers.isEmpty else { return nil }
        return "no answer from \(servers.joined(separator: ", ")) within the timeout (\(pdTimeout))"
    }

    /// `what` failed with `reason`: the CLI's error, leading with the timeout when there was one.
    func failure(_ what: String, pd: String, _ reason: String) -> CLIError {
        CLIError.failure("cannot read \(what) from PD (\(pd)): " + (timedOut.map { "\($0): " } ?? "") + reason)
    }
}
