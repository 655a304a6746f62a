import Foundation
import Reconcilers

/// How long each stage of a pass may spend on PD and Prometheus (`PassBudget`), from the cluster's own timeouts:
/// enough for every request a stage chains to answer within its timeout, not for retrying a server that does not.
/// A server that timed out is not asked again in the pass whatever the stage, so a hung PD costs about one
/// `pd.timeout` (the region checks' own floor of 10 s for PD's first byte aside).
package struct PassStageBounds: Equatable {
    /// The store-level observation: its longest chain of PD answers is four (the `/leader` lookup, the scheduler list,
    /// then the evict-leader and evict-slow-store configs), and the metrics are read after the store list.
    package var observation: Duration
    /// The reads steps in progress need (one region and its operator each, a few at a time).
    package var stepReads: Duration
    /// Region lists and PD mutations get no stage deadline: a list of a million regions takes tens of seconds within
    /// its own limits, and a mutation cut short would only become an unknown outcome.

    package init(spec: TiKVClusterSpec) {
        // Without Prometheus the metrics come from an exposition endpoint (the demo's simulator) under PD's timeout.
        self.init(pd: .nanoseconds(spec.pd.timeout.nanoseconds), metrics: spec.prometheus.map { .nanoseconds($0.timeout.nanoseconds) })
    }

    /// The same bounds for reads with no spec behind them (the CLI's live views): `metrics` nil means PD's timeout.
    package init(pd: Duration, metrics: Duration?) {
        observation = pd * 4 + (metrics ?? pd)
        stepReads = pd * 4
    }
}
