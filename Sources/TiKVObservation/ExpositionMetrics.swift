import Foundation
import PDClient
import Reconcilers

/// The `StoreMetricsSource` for a cluster with no Prometheus: store metrics read straight from a `/metrics`
/// endpoint that serves every store's TiKV series (the simulator's). Rates need two scrapes: each observation
/// compares its scrape with the latest one at least `minimumSpan` older — what `rate(…[1m])` does over a
/// window — so the first observation, and any within `minimumSpan` of it, reads latency and QPS as unknown.
package actor ExpositionMetrics: StoreMetricsSource {
    let url: URL
    private let transport: any HTTPTransport
    private let limits: HTTPLimits
    private let minimumSpan: TimeInterval
    /// Earlier scrapes, oldest first; only the latest one old enough to compare with (and newer ones) are kept.
    private var history: [(at: Date, scrape: ExpositionScrape)] = []

    package init(url: URL, transport: any HTTPTransport = CurlTransport(), timeout: Duration = .seconds(5), minimumSpan: TimeInterval = 15) {
        self.url = url
        self.transport = transport
        self.limits = HTTPLimits(responseHeaderTimeout: timeout, deadline: timeout, maxBodyBytes: 64 << 20)
        self.minimumSpan = minimumSpan
    }

    nonisolated package var origin: MetricsOrigin { .metricsEndpoint }

    /// One scrape; each store found through its status address, as Prometheus's `instance` label finds it.
    package func read(stores: [StoreSnapshot], now: Date) async -> StoreMetricSamples {
        let scrape: ExpositionScrape
        do {
            let response = try await transport.send(HTTPRequest(url: url, headers: ["Accept": "text/plain"]), limits: limits)
            guard response.head.status == 200 else { return .failed("GET \(url.absoluteString): HTTP \(response.head.status)", stores: stores) }
            scrape = ExpositionScrape(text: String(decoding: response.body, as: UTF8.self))
        } catch {
            return .failed("GET \(url.absoluteString): \(error)", stores: stores)
        }
        let base = history.last { now.timeIntervalSince($0.at) >= minimumSpan }
        history.append((now, scrape))
        if let base { history.removeAll { $0.at < base.at } }

        // The scrape's own spelling of each instance, found by the normalized status address.
        let spelled = Dictionary(scrape.instances.keys.map { (StoreSeriesMatcher.normalize($0), $0) }, uniquingKeysWith: { a, _ in a })
        var samples: [UInt64: StoreMetricSamples.Store] = [:]
        for store in stores {
            guard let instance = spelled[StoreSeriesMatcher.normalize(store.statusAddress)], let series = scrape.instances[instance] else {
                // A dead TiKV exports nothing: its scrape failed, which Prometheus records as `up = 0`.
                samples[store.id] = StoreMetricSamples.Store(up: .value(0), p99LatencySeconds: .noSeries, qps: .noSeries,
                                                             writeStallMicros: .noSeries, scrapedAt: now)
                continue
            }
            let stall: MetricReading = series.writeStallMicros.map { .value($0) } ?? .noSeries
            guard let base, let rates = scrape.rates(of: instance, since: base.scrape, seconds: now.timeIntervalSince(base.at)) else {
                let warming = MetricReading.failed("one scrape so far: a rate needs two \(Int(minimumSpan)) s apart")
                samples[store.id] = StoreMetricSamples.Store(up: .value(1), p99LatencySeconds: warming, qps: warming,
                                                             writeStallMicros: stall, scrapedAt: now)
                continue
            }
            samples[store.id] = StoreMetricSamples.Store(up: .value(1), p99LatencySeconds: rates.p99.isNaN ? .notANumber : .value(rates.p99),
                                                         qps: .value(rates.qps), writeStallMicros: stall, scrapedAt: now)
        }
        return StoreMetricSamples(stores: samples, failures: [], reads: 1)
    }
}
