import Foundation
import Reconcilers

/// Where the observer reads store metrics from, once per pass: Prometheus (`PrometheusStoreMetrics`) or the stores'
/// own `/metrics` read directly (`ExpositionMetrics`). A source only reads; `StoreMetricsMapping` turns what it
/// read into the snapshot's `StoreMetrics`, so both agree on units, on `up == 0` and on silent stores.
package protocol StoreMetricsSource: Sendable {
    /// Named in readings and diagnoses.
    var origin: MetricsOrigin { get }

    /// One read for the pass's store list; never throws: a failed read is in the samples' `failures`.
    func read(stores: [StoreSnapshot], now: Date) async -> StoreMetricSamples
}
