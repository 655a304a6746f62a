import Foundation
import PDWire
import Reconcilers
import Testing
import TiKVSimulator
import TestSupport
@testable import PDClient
@testable import TiKVObservation

/// Store metrics mean the same whichever source read them: one mapping from a `StoreMetricsSource`'s samples to
/// the snapshot's readings, and the direct `/metrics` read reporting a dead store as Prometheus does (`up = 0`).
@Suite struct StoreMetricsMappingTests {
    let stores = [StoreSnapshot(id: 1, address: "tikv-1:20160", statusAddress: "tikv-1:20180"),
                  StoreSnapshot(id: 2, address: "tikv-2:20160", statusAddress: "tikv-2:20180"),
                  StoreSnapshot(id: 3, address: "tikv-3:20160", statusAddress: "tikv-3:20180", state: .tombstone, stateName: "Tombstone")]

    @Test func upZeroMakesRatesUnknownAndWriteStallIsInSeconds() {
        let scraped = Date(timeIntervalSince1970: 1_800_000_000)
        let silent = StoreMetricSamples.Store(up: .noSeries, p99LatencySeconds: .noSeries, qps: .noSeries, writeStallMicros: .noSeries)
        let samples = StoreMetricSamples(stores: [
            // Rates over the window before the death still show traffic; the failed scrape is the news.
            1: .init(up: .value(0), p99LatencySeconds: .value(0.2), qps: .value(50), writeStallMicros: .value(2_000_000), scrapedAt: scraped),
            2: silent, 3: silent,
        ], failures: [], reads: 4)
        let metrics = StoreMetricsMapping.metrics(samples, stores: stores)
        let dead = metrics.readings[1]
        #expect(dead?.up == .value(0))
        #expect(dead?.p99Latency == .noSeries)
        #expect(dead?.qps == .noSeries)
        #expect(dead?.writeStall == .value(2))
        #expect(dead?.scrapedAt == scraped)
        // A store with no series at all is news about the source; a tombstone's silence is not.
        #expect(metrics.state == .partial("no series for store 2"))
    }

    @Test func everyReadFailingFailsTheSourceAndEveryReading() {
        let failed = StoreMetricSamples.failed("GET http://127.0.0.1:1/metrics: connection refused", stores: stores)
        let metrics = StoreMetricsMapping.metrics(failed, stores: stores)
        #expect(metrics.state == .failed("GET http://127.0.0.1:1/metrics: connection refused"))
        for id in [UInt64(1), 2, 3] {
            let m = metrics.readings[id]
            #expect(m?.up == .failed("GET http://127.0.0.1:1/metrics: connection refused"))
            #expect(m?.p99Latency.isKnown == false)
        }
        // Some reads answering: partial, named by what failed.
        var some = StoreMetricSamples(stores: [:], failures: ["qps: timeout"], reads: 4)
        some.stores = Dictionary(uniqueKeysWithValues: stores.map {
            ($0.id, StoreMetricSamples.Store(up: .value(1), p99LatencySeconds: .value(0.01), qps: .failed("timeout"), writeStallMicros: .value(0)))
        })
        #expect(StoreMetricsMapping.metrics(some, stores: stores).state == .partial("qps: timeout"))
    }

    /// The simulator's `/metrics` drops a killed store's series, as its own target would fail: read directly, that
    /// store is `up = 0` with no rates, as the Prometheus path reads it, and the source stays complete.
    @Test func aStoreMissingFromTheDirectScrapeReadsUpZero() async throws {
        let sim = try await LoopbackSimulator.start(.fixtureClusterA())
        try await withServer(sim) { sim in
            _ = try sim.cluster.withState { try $0.inject(Fault(kind: .kill, store: 4)) }
            sim.cluster.advance(seconds: 60)
            let url = try #require(URL(string: sim.url + "/metrics"))
            let clock: @Sendable () -> Date = { [cluster = sim.cluster] in Date(timeIntervalSince1970: Double(cluster.nowNanos) / 1e9) }
            let observer = ClusterObserver(pd: PDEndpoint(urls: [sim.url], timeout: .seconds(30)), prometheus: nil,
                                           retry: RetryBackoff(maxAttempts: 1), exposition: ExpositionMetrics(url: url), clock: clock)
            let snap = await observer.observe(cluster: "a", now: sim.now)
            #expect(snap.metricsOrigin == .metricsEndpoint)
            #expect(snap.state(of: .metrics) == .complete)
            let dead = try #require(snap.store(4))
            #expect(dead.metrics.up == .value(0))
            #expect(dead.metrics.p99Latency == .noSeries && dead.metrics.qps == .noSeries)
            #expect(dead.metrics.scrapedAt == sim.now)
            let alive = try #require(snap.store(1))
            #expect(alive.metrics.up == .value(1))
            // One scrape so far: a rate needs two.
            #expect(alive.metrics.qps == .failed("one scrape so far: a rate needs two 15 s apart"))
        }
    }
}
