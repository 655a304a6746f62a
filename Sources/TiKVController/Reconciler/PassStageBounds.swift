import Foundation
import Reconcilers

/// How long each stage of a pass may spend on PD and Prometheus (`PassBudget`), from the cluster's own timeouts:
/// enough for every request a stage chains to answer within its timeout, not for retrying a server that does not.
/// A server that timed out is not asked again in the pass whatever the stage, so a hung PD costs about one
/// `pd.timeout` (the region checks' own floor of 10 s for PD's first byte aside).
struct PassStageBounds: Equatable {
    /// The store-level observation: its longest chain of PD answers is four (the `/leader` lookup, the scheduler list,
    /// then the evict-leader and evict-slow-store configs), and the metrics are read after the store list.
    var observation: Duration
    /// The reads steps in progress need (one region and its operator each, a few at a time).
    var stepReads: Duration
    /// Region lists and PD mutations get no stage deadline: a list of a million regions takes tens of seconds within
    /// its own limits, and a mutation cut short would only become an unknown outcome.

    init(spec: TiKVClusterSpec) {
        let pd = Duration.nanoseconds(spec.pd.timeout.nanoseconds)
        // Without Prometheus the metrics come from an exposition endpoint (the demo's simulator) under PD's timeout.
        let metrics = spec.prometheus.map { Duration.nanoseconds($0.timeout.nanoseconds) } ?? pd
        observation = pd * 4 + metrics
        stepReads = pd * 4
    }
}
