import Foundation
import Reconcilers
import Testing
import TestSupport
@testable import Operator
@testable import TerminalDashboard

/// What one dashboard refresh reads, against a simulated cluster over loopback.
@Suite struct DashboardSourceTests {
    /// The demo without Prometheus: the workload panel's QPS and p99 come from the simulator's /metrics,
    /// measured in the simulator's seconds, and stay unknown (never zero) until two scrapes can be compared.
    @Test func withoutPrometheusTheWorkloadIsReadFromTheMetricsEndpoint() async throws {
        let h = try await ControlLoopHarness()
        try await withServer(h) { h in
            try h.writeSpec("cluster.yaml", h.clusterYAML())
            try h.syncSpecs()
            let metricsURL = try #require(URL(string: "\(h.pdURL)/metrics"))
            let source = DashboardSource(store: h.store, cluster: h.clusterName, exposition: metricsURL, clock: { h.now })
            let blind = DashboardSource(store: h.store, cluster: h.clusterName, clock: { h.now })

            let first = await source.read(now: h.now)
            #expect(first.observationProblem == nil)
            #expect(first.stores.count == 5)
            #expect(first.stores.allSatisfy { $0.metrics.qps.value == nil }, "one scrape cannot give a rate")
            var model = DashboardModel(data: first)
            #expect(model.history.qps == [nil])

            h.advance(20)
            let second = await source.read(now: h.now)
            let qps = second.stores.compactMap(\.metrics.qps.value)
            #expect(qps.count == 5 && qps.allSatisfy { $0 > 0 }, "\(second.stores.map(\.metrics))")
            model.update(second)
            #expect(model.history.qps.last??.isFinite == true)
            #expect(model.history.qps.last.flatMap { $0 } == qps.reduce(0, +))

            // The same cluster without the endpoint: unknown, not zero.
            let unseen = await blind.read(now: h.now)
            #expect(unseen.stores.count == 5)
            #expect(unseen.stores.allSatisfy { $0.metrics.qps.value == nil && $0.metrics.p99Latency.value == nil })
        }
    }
}
