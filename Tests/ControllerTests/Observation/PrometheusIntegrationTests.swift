import Foundation
import Testing
import PDWire
import Reconcilers
import TiKVSimulator
@testable import Operator
@testable import PDClient
@testable import TiKVObservation

/// A real Prometheus scraping the simulator: each TiKV store is its own target with `instance` set to
/// the store's status address (as a real deployment scrapes `:20180`), PD's series come from a second job.
@Suite(.serialized, .enabled(if: PrometheusProcess.isInstalled, "needs prometheus on PATH (hack/test.sh installs it)"))
struct PrometheusIntegrationTests {
    @Test func catalogueAnswersMatchTheSimulatorModel() async throws {
        let cluster = SimulatedCluster.generated(stores: 4, regions: 120, seed: 5)
        // A steady model: no scheduler moves leaders while the answers are compared.
        try cluster.withState { try $0.pauseScheduler(name: "all", delaySeconds: 24 * 3600) }
        _ = try cluster.withState { try $0.inject(Fault(kind: .slow, store: 2, factor: 10)) }
        // TiKV's slow score climbs one heartbeat at a time (it doubles per 10 s while the disk probe times out).
        cluster.advance(seconds: 90)
        let server = try SimulatorServer(cluster: cluster, host: "127.0.0.1", port: 0)
        let port = try await server.start()
        let simAddress = "127.0.0.1:\(port)"
        // Time moves with the wall clock so counters grow and rate() has something to say.
        let clock = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                cluster.advance(seconds: 0.2)
            }
        }
        let stores = cluster.withState { $0.stores.map { ($0.id, $0.address, $0.statusAddress) } }
        let prometheus: PrometheusProcess
        do {
            prometheus = try await PrometheusProcess.start(jobs: [
                .init(name: "tikv", targets: stores.map { .init(address: simAddress, labels: ["instance": $0.2, "__param_store": String($0.0)]) }),
                .init(name: "pd", targets: [.init(address: simAddress)], honorLabels: true, dropMetrics: "tikv_.*"),
            ])
        } catch {
            clock.cancel()
            await server.stop()
            throw error
        }
        defer {
            clock.cancel()
            prometheus.stop()
            Task { await server.stop() }
        }

        let client = PrometheusClient(baseURL: prometheus.url, queryTimeout: .seconds(30))
        let pd = PDClient(configuration: PDClientConfiguration(endpoints: [URL(string: "http://\(simAddress)")!], limits: .patient, retry: .none))
        let matcher = StoreSeriesMatcher(stores: try await pd.stores().stores.map(\.store))

        // The status-address mapping: every series lands on the store whose status address it names.
        for (id, address, status) in stores { #expect(address != status, "store \(id) must be scraped on its status port") }
        let capacity = try await poll("capacity of every store") {
            let r = await client.storeReadings(SimulatorSeriesQueries.diskCapacity(), matcher: matcher)
            return r.values.allSatisfy(\.isKnown) ? r : nil
        }
        let model = cluster.withState { c in
            c.stores.map { s in
                (id: s.id, capacity: Double(s.capacityBytes), available: Double(s.availableBytes),
                 leaders: Double(c.truth.filter { $0.leaderStoreId == UInt32(s.id) }.count),
                 regions: Double(c.truth.filter { $0.peers.contains { $0.storeId == UInt32(s.id) } }.count))
            }
        }
        for m in model { #expect(capacity[m.id] == .value(m.capacity), "store \(m.id)") }
        let available = await client.storeReadings(SimulatorSeriesQueries.diskAvailable(), matcher: matcher)
        let leaders = await client.storeReadings(SimulatorSeriesQueries.tikvLeaderCount(), matcher: matcher)
        let regions = await client.storeReadings(SimulatorSeriesQueries.tikvRegionCount(), matcher: matcher)
        for m in model {
            #expect(available[m.id] == .value(m.available), "store \(m.id)")
            #expect(leaders[m.id] == .value(m.leaders), "store \(m.id)")
            #expect(regions[m.id] == .value(m.regions), "store \(m.id)")
        }
        // PD's own per-store view (the `store` label) agrees with `/stores`.
        let pdStores = try await pd.stores().stores
        let pdLeaders = try await poll("PD leader counts") {
            let r = await client.storeReadings(SimulatorSeriesQueries.pdLeaderCount(), matcher: matcher)
            return r.values.allSatisfy(\.isKnown) ? r : nil
        }
        for s in pdStores { #expect(pdLeaders[s.store.id] == .value(Double(s.status.leaderCount))) }
        // pd_cluster_status per store: the slowed store counts as slow (score ≥ 80), the others as up.
        let slowIDs = Set(cluster.withState { c in c.stores.filter { $0.slowScore >= 80 }.map(\.id) })
        #expect(slowIDs == [2])
        let upStatus = await client.storeReadings(SimulatorSeriesQueries.pdStoreStatus(type: "store_up_count"), matcher: matcher)
        let slowStatus = await client.storeReadings(SimulatorSeriesQueries.pdStoreStatus(type: "store_slow_count"), matcher: matcher)
        for s in pdStores {
            let slow = slowIDs.contains(s.store.id)
            #expect(upStatus[s.store.id] == .value(slow ? 0 : 1), "pd_cluster_status store_up_count, store \(s.store.id)")
            #expect(slowStatus[s.store.id] == .value(slow ? 1 : 0), "pd_cluster_status store_slow_count, store \(s.store.id)")
        }
        let upTotal = try await client.query(SimulatorSeriesQueries.pdStoreStatusCount(type: "store_up_count").expr)
        #expect(StoreSeriesMatcher.clusterReading(upTotal.vector) == .value(Double(stores.count - slowIDs.count)))

        // The observer's snapshot: every store's readings known, the slowed store's p99 the highest.
        let observer = ClusterObserver(pd: PDEndpoint(urls: ["http://\(simAddress)"], timeout: .seconds(30)),
                                       prometheus: PrometheusEndpoint(url: prometheus.url.absoluteString), retry: RetryBackoff(maxAttempts: 1))
        let snap = try await poll("p99 latency of every store") {
            let now = Date(timeIntervalSince1970: Double(cluster.nowNanos) / 1e9)
            let s = await observer.observe(cluster: "g", regions: .none, now: now)
            return s.state(of: .metrics) == .complete && s.stores.allSatisfy({ $0.metrics.p99Latency.isKnown && $0.metrics.qps.isKnown }) ? s : nil
        }
        let p99 = Dictionary(uniqueKeysWithValues: snap.stores.map { ($0.id, $0.metrics.p99Latency.value ?? 0) })
        let slow = try #require(p99[2])
        for (id, v) in p99 where id != 2 { #expect(slow > v * 3, "slowed store 2 (\(slow)s) against store \(id) (\(v)s)") }
        for s in snap.stores {
            #expect(s.metrics.up == .value(1))
            // Dated by the scrape itself (`timestamp(up)`), never later than the observation's own queries.
            #expect(s.metrics.scrapedAt != nil, "store \(s.id)'s scrape time")
            // The slowed store's disk also stalls writes in the simulator's workload model.
            if s.id == 2 { #expect((s.metrics.writeStall.value ?? 0) > 0) } else { #expect(s.metrics.writeStall == .value(0)) }
            #expect((s.metrics.qps.value ?? 0) > 0)
        }

        // An instant query's `[ts, "value"]` carries the evaluation time; the sample's own time is `timestamp(up)`, at or before it.
        let evaluated = try await client.query(PromQLCatalogue.tikvUp().expr).vector
        let scraped = try await client.query(PromQLCatalogue.tikvUpScrapeTime().expr).vector
        for sample in scraped {
            let eval = try #require(evaluated.first { $0.labels["instance"] == sample.labels["instance"] }?.point.time)
            #expect(sample.point.value <= eval, "\(sample.labels): scraped at \(sample.point.value), evaluated at \(eval)")
        }
        #expect(!scraped.isEmpty)

        // A killed store's series vanish: unknown, never healthy.
        _ = try cluster.withState { try $0.inject(Fault(kind: .kill, store: 3)) }
        let afterKill = try await poll("store 3's series to vanish") {
            let r = await client.storeReadings(SimulatorSeriesQueries.diskCapacity(), matcher: matcher)
            return r[3] == .noSeries ? r : nil
        }
        #expect(afterKill[3]?.isKnown == false)
        #expect(afterKill[1]?.isKnown == true)
        let leadersAfterKill = await client.storeReadings(SimulatorSeriesQueries.tikvLeaderCount(), matcher: matcher)
        #expect(leadersAfterKill[3] == .noSeries)
    }

    /// Retries `body` until it returns a value, for at most `limit`.
    private func poll<T: Sendable>(_ what: String, limit: Duration = .seconds(90), _ body: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let v = try await body() { return v }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw PollTimeout(what: what)
    }

    struct PollTimeout: Error, CustomStringConvertible {
        var what: String
        var description: String { "gave up waiting for \(what)" }
    }
}
