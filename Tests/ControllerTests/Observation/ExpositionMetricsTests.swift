import Foundation
import Testing
import PDWire
import Reconcilers
import TiKVSimulator
@testable import TiKVObservation

/// Store metrics read straight from the simulator's `/metrics` (no Prometheus): rates between two scrapes,
/// p99 the way `histogram_quantile` computes it, and a dead store unknown rather than healthy.
@Suite struct ExpositionMetricsTests {
    @Test func quantileInterpolatesLikePrometheus() {
        // 100 requests: 50 ≤ 0.1, 90 ≤ 0.2, 100 ≤ 0.4. p99 is 90 % of the way through (0.2, 0.4].
        let buckets: [(le: Double, count: Double)] = [(0.1, 50), (0.2, 90), (0.4, 100), (.infinity, 100)]
        #expect(abs(ExpositionScrape.quantile(0.99, buckets) - 0.38) < 1e-9)
        #expect(ExpositionScrape.quantile(0.5, buckets) == 0.1)
        // Past the last finite bound: that bound, as Prometheus answers.
        #expect(ExpositionScrape.quantile(0.99, [(0.1, 10), (.infinity, 100)]) == 0.1)
        #expect(ExpositionScrape.quantile(0.99, [(0.1, 0), (.infinity, 0)]).isNaN)
    }

    @Test func labelsWithEscapes() {
        let labels = ExpositionScrape.labels(#"instance="a:1",type="x\"y",le="+Inf""#)
        #expect(labels == ["instance": "a:1", "type": "x\"y", "le": "+Inf"])
    }

    @Test func slowStoreIsSlowIdleStoreIsNaNDeadStoreIsUnknown() throws {
        let cluster = SimulatedCluster.generated(stores: 4, regions: 120, seed: 5)
        try cluster.withState { try $0.pauseScheduler(name: "all", delaySeconds: 24 * 3600) }
        _ = try cluster.withState { try $0.inject(Fault(kind: .slow, store: 2, factor: 20)) }
        _ = try cluster.withState { try $0.inject(Fault(kind: .kill, store: 4)) }
        let status = cluster.withState { s in Dictionary(uniqueKeysWithValues: s.stores.map { ($0.id, $0.statusAddress) }) }
        cluster.advance(seconds: 30)
        let before = ExpositionScrape(text: cluster.withState { $0.prometheusText() })
        cluster.advance(seconds: 60)
        let after = ExpositionScrape(text: cluster.withState { $0.prometheusText() })

        let fast = try #require(after.rates(of: status[1] ?? "", since: before, seconds: 60))
        let slow = try #require(after.rates(of: status[2] ?? "", since: before, seconds: 60))
        #expect(fast.p99 > 0.001 && fast.p99 < 0.05)
        #expect(slow.p99 > 0.5)
        #expect(fast.qps > 0)
        #expect(after.instances[status[2] ?? ""]?.writeStallMicros ?? 0 > 0)
        // A killed store exports nothing.
        #expect(after.rates(of: status[4] ?? "", since: before, seconds: 60) == nil)
        // No requests between the scrapes: no latency to speak of.
        let idle = try #require(after.rates(of: status[1] ?? "", since: after, seconds: 60))
        #expect(idle.p99.isNaN && idle.qps == 0)
    }
}
