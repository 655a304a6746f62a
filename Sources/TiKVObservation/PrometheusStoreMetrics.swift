import Foundation
import PDWire
import Reconcilers

/// Store metrics from Prometheus: the catalogue's per-store queries, each series mapped to its store through the
/// `instance` label (TiKV's status address), and each `up` sample's own scrape time (`timestamp(up)`).
package struct PrometheusStoreMetrics: StoreMetricsSource {
    package let client: PrometheusClient
    /// `spec.prometheus.rateWindow` as PromQL spells a range (`15s`, `1m`).
    let rateWindow: String

    package var origin: MetricsOrigin { .prometheus }

    init(client: PrometheusClient, rateWindow: GoDuration) {
        self.client = client
        let seconds = max(1, rateWindow.nanoseconds / 1_000_000_000)
        self.rateWindow = seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds)s"
    }

    package func read(stores: [StoreSnapshot], now: Date) async -> StoreMetricSamples {
        let client = self.client
        let matcher = StoreSeriesMatcher(stores: stores.map { MetaStore(id: $0.id, address: $0.address, statusAddress: $0.statusAddress) })
        async let p99 = Self.readings(client, PromQLCatalogue.grpcP99Latency(window: rateWindow))
        async let qps = Self.readings(client, PromQLCatalogue.qps(window: rateWindow))
        async let stall = Self.readings(client, PromQLCatalogue.writeStall())
        async let up = Self.readings(client, PromQLCatalogue.tikvUp())
        // The scrape times only date the readings: without them an age is unknown, not a failed read.
        async let scrapedAt = Self.readings(client, PromQLCatalogue.tikvUpScrapeTime())
        let answers: [(String, Result<[PromSample], PrometheusError>)] =
            [("p99 latency", await p99), ("qps", await qps), ("write stall", await stall), ("up", await up)]
        // Every query here is of TiKV's own series, tied to a store by `instance`.
        let key = StoreSeriesKey.instance

        var failures: [String] = []
        var implausible: [String] = []
        var byName: [String: [UInt64: MetricReading]] = [:]
        for (name, answer) in answers {
            switch answer {
            case .success(let samples):
                byName[name] = matcher.readings(samples, key: key)
                for (id, count) in matcher.seriesCounts(samples, key: key).sorted(by: { $0.key < $1.key }) where count > 1 {
                    implausible.append("store \(id): \(count) series of \(name)")
                }
            case .failure(let e):
                failures.append("\(name): \(e)")
                byName[name] = matcher.failed(e)
            }
        }
        let scrapeTimes = (try? (await scrapedAt).get()).map { matcher.readings($0, key: .instance) } ?? [:]
        var samples: [UInt64: StoreMetricSamples.Store] = [:]
        for s in stores {
            func reading(_ name: String) -> MetricReading { byName[name]?[s.id] ?? .noSeries }
            samples[s.id] = StoreMetricSamples.Store(up: reading("up"), p99LatencySeconds: reading("p99 latency"), qps: reading("qps"),
                                                     writeStallMicros: reading("write stall"),
                                                     scrapedAt: scrapeTimes[s.id]?.value.map { Date(timeIntervalSince1970: $0) })
        }
        return StoreMetricSamples(stores: samples, failures: failures, reads: answers.count, implausible: implausible)
    }

    private static func readings(_ client: PrometheusClient, _ query: PromQuery) async -> Result<[PromSample], PrometheusError> {
        do {
            return .success(try await client.query(query.expr).vector)
        } catch {
            return .failure(error)
        }
    }
}
