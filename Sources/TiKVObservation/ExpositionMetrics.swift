import Foundation
import PDClient
import Reconcilers

/// Store metrics read straight from a `/metrics` endpoint that serves every store's TiKV series (the
/// simulator's), for a cluster with no Prometheus. Rates need two scrapes: each observation compares its
/// scrape with the latest one at least `minimumSpan` older — what `rate(…[1m])` does over a window —
/// so the first observation, and any within `minimumSpan` of it, reads latency and QPS as unknown.
package actor ExpositionMetrics {
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

    /// One reading per store, mapped through its status address like Prometheus's `instance` label.
    func observe(stores: [StoreSnapshot], now: Date) async -> ClusterObserver.Metrics {
        let scrape: ExpositionScrape
        do {
            let response = try await transport.send(HTTPRequest(url: url, headers: ["Accept": "text/plain"]), limits: limits)
            guard response.head.status == 200 else { return Self.failed("GET \(url.absoluteString): HTTP \(response.head.status)") }
            scrape = ExpositionScrape(text: String(decoding: response.body, as: UTF8.self))
        } catch {
            return Self.failed("GET \(url.absoluteString): \(error)")
        }
        let base = history.last { now.timeIntervalSince($0.at) >= minimumSpan }
        history.append((now, scrape))
        if let base { history.removeAll { $0.at < base.at } }

        // The scrape's own spelling of each instance, found by the normalized status address.
        let spelled = Dictionary(scrape.instances.keys.map { (StoreSeriesMatcher.normalize($0), $0) }, uniquingKeysWith: { a, _ in a })
        var readings: [UInt64: StoreMetrics] = [:]
        var silent: [UInt64] = []
        for store in stores {
            guard let instance = spelled[StoreSeriesMatcher.normalize(store.statusAddress)], let series = scrape.instances[instance] else {
                // A dead TiKV exports nothing: unknown, never healthy.
                readings[store.id] = StoreMetrics(p99Latency: .noSeries, qps: .noSeries, writeStall: .noSeries, up: .noSeries, scrapedAt: now)
                if !store.isTombstone { silent.append(store.id) }
                continue
            }
            let stall: MetricReading = series.writeStallMicros.map { .value($0 / 1e6) } ?? .noSeries
            guard let base, let rates = scrape.rates(of: instance, since: base.scrape, seconds: now.timeIntervalSince(base.at)) else {
                let warming = MetricReading.failed("one scrape so far: a rate needs two \(Int(minimumSpan)) s apart")
                readings[store.id] = StoreMetrics(p99Latency: warming, qps: warming, writeStall: stall, up: .value(1), scrapedAt: now)
                continue
            }
            readings[store.id] = StoreMetrics(p99Latency: rates.p99.isNaN ? .notANumber : .value(rates.p99), qps: .value(rates.qps),
                                              writeStall: stall, up: .value(1), scrapedAt: now)
        }
        let state: SourceState = silent.isEmpty ? .complete : .partial("no series for store " + silent.map(String.init).joined(separator: ", "))
        return ClusterObserver.Metrics(readings: readings, fallback: StoreMetrics(), state: state)
    }

    private static func failed(_ why: String) -> ClusterObserver.Metrics {
        let none = MetricReading.failed(why)
        return ClusterObserver.Metrics(readings: [:], fallback: StoreMetrics(p99Latency: none, qps: none, writeStall: none, up: none),
                                       state: .failed(why))
    }
}
