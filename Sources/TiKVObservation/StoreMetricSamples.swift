import Foundation
import Reconcilers

/// What one read of a `StoreMetricsSource` returned, per store and in TiKV's units, before `StoreMetricsMapping`.
package struct StoreMetricSamples: Sendable, Equatable {
    /// One store's samples; a sample the source could not read is `.failed` with the reason.
    package struct Store: Sendable, Equatable {
        /// 1 when the store's TiKV was scraped, 0 when its scrape failed (its other series are gone then).
        var up: MetricReading
        var p99LatencySeconds: MetricReading
        var qps: MetricReading
        /// TiKV's write-stall gauge, in microseconds as TiKV exports it.
        var writeStallMicros: MetricReading
        /// When the store was scraped (dates the readings); nil when unknown.
        var scrapedAt: Date?
    }

    /// By store id. A store the source has nothing for reads as having no series.
    var stores: [UInt64: Store]
    /// The reads that failed, each `what: why`, in a stable order.
    var failures: [String]
    /// How many reads the source made (its queries, or its one scrape): when all failed, the source failed.
    var reads: Int
    /// What the source saw that no store can report (several series for one store), `what: why`; the readings
    /// concerned are already unknown.
    var implausible: [String] = []

    /// Every store's every sample `.failed(why)`: a read that failed as a whole.
    static func failed(_ why: String, stores: [StoreSnapshot]) -> StoreMetricSamples {
        let none = MetricReading.failed(why)
        let all = Store(up: none, p99LatencySeconds: none, qps: none, writeStallMicros: none)
        return StoreMetricSamples(stores: Dictionary(uniqueKeysWithValues: stores.map { ($0.id, all) }), failures: [why], reads: 1)
    }
}
