import Foundation
import PDClient
import PDWire
import Reconcilers

/// Builds one `ClusterSnapshot` per call from PD, with store metrics from its `StoreMetricsSource` when it has one.
///
/// `observe` never throws: every source is fetched concurrently and ends `.complete`, `.partial`,
/// `.failed` or `.skipped` with its reason, so a failed observation can never pass for a healthy one.
/// Steady state (`RegionScope.none`) downloads no region list beyond PD's region checks.
package actor ClusterObserver {
    package nonisolated let pd: PDClient
    /// Where store metrics come from: Prometheus when the spec names one, else the `/metrics` endpoint given
    /// (`ExpositionMetrics`), else none.
    nonisolated let metricsSource: (any StoreMetricsSource)?
    /// The Prometheus client when the metrics come from Prometheus: diagnosis reads a ticket's history there.
    package nonisolated var prometheus: PrometheusClient? { (metricsSource as? PrometheusStoreMetrics)?.client }
    /// Region ids kept per region check; the count stays exact.
    let regionCheckIDCap: Int
    /// `regions/key` page size for `RegionScope.all`.
    let regionPageSize: Int
    /// When answers arrived; decisions use the `now` passed to `observe`, never this.
    private let clock: @Sendable () -> Date
    /// The PD leader seen last, to mark region checks partial after a failover.
    private var leaderWatch = LeaderChangeWatch()

    package init(pd: PDEndpoint, prometheus: PrometheusEndpoint?, transport: any HTTPTransport = CurlTransport(),
         retry: RetryBackoff = RetryBackoff(), followLeader: Bool = true, regionCheckIDCap: Int = 64, regionPageSize: Int = 4096,
         exposition: ExpositionMetrics? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        let timeout = Duration.nanoseconds(pd.timeout.nanoseconds)
        // Spec validation already checked the URLs; one that still does not parse is left out, and
        // with none left every request fails with "no PD endpoints configured".
        let endpoints = pd.urls.compactMap { URL(string: $0) }
        let configuration = PDClientConfiguration(
            endpoints: endpoints, followLeader: followLeader, limits: HTTPLimits(responseHeaderTimeout: timeout, deadline: timeout),
            // PD computes a region list before its first byte: allow it at least the spec's timeout.
            regionListLimits: HTTPLimits(responseHeaderTimeout: max(timeout, .seconds(10)), deadline: .seconds(300), maxBodyBytes: 4 << 30),
            retry: retry, tls: pd.tls)
        self.pd = PDClient(configuration: configuration, transport: transport)
        if let prometheus {
            // Spec validation already checked the URL; one that still does not parse leaves the cluster without metrics.
            metricsSource = URL(string: prometheus.url).map { url in
                let t = Duration.nanoseconds(prometheus.timeout.nanoseconds)
                let client = PrometheusClient(baseURL: url, limits: HTTPLimits(responseHeaderTimeout: t, deadline: t, maxBodyBytes: PrometheusClient.maxAnswerBytes),
                                              queryTimeout: t, tls: prometheus.tls, transport: transport)
                return PrometheusStoreMetrics(client: client, rateWindow: prometheus.rateWindow)
            }
        } else {
            metricsSource = exposition
        }
        self.regionCheckIDCap = max(0, regionCheckIDCap)
        self.regionPageSize = max(1, regionPageSize)
        self.clock = clock
    }

    package init(spec: TiKVClusterSpec, transport: any HTTPTransport = CurlTransport(), retry: RetryBackoff = RetryBackoff(),
         exposition: ExpositionMetrics? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.init(pd: spec.pd, prometheus: spec.prometheus, transport: transport, retry: retry, exposition: exposition, clock: clock)
    }

    /// The store-level observation, then the regions `scope` asks for (the rules read with the config say whether
    /// their keys are kept).
    package func observe(cluster: String, regions scope: RegionScope, now: Date) async -> ClusterSnapshot {
        var snapshot = await observe(cluster: cluster, now: now)
        let r = await observeRegions(scope, keepKeys: snapshot.placement.needsRegionKeys, keysOf: snapshot.hotRegionIDs)
        snapshot.attachRegions(r.regions, state: r.state, scope: scope)
        snapshot.completedAt = clock()
        return snapshot
    }

    /// Everything but region lists: what health needs, a few small requests. The manager writes the pass's
    /// health from this before it downloads any region (`observeRegions`).
    package func observe(cluster: String, now: Date) async -> ClusterSnapshot {
        async let storesAndConfig = observeStoresAndConfig(now: now)
        async let checks = observeRegionChecks()
        async let members = observeMembers()
        async let schedulers = observeSchedulers()
        async let hot = observeHotspot()

        var snapshot = ClusterSnapshot(cluster: cluster, observedAt: now)
        snapshot.metricsOrigin = metricsSource?.origin
        var sources: [ObservationSource: SourceState] = [:]

        let sc = await storesAndConfig
        snapshot.settings = sc.settings
        snapshot.placement = sc.placement
        snapshot.pdClockOffset = sc.pdClockOffset
        sources[.config] = sc.configState
        sources[.stores] = sc.storesState
        // Metrics map series to stores through their status addresses, so they wait for the store list; so does the
        // availability count, which reads the regions of the stores that list calls not alive.
        let listed = sc.storesState == .complete ? sc.stores : nil
        async let availabilityAnswer = observeAvailability(stores: listed)
        async let isolationAnswer = observeIsolation(settings: sc.settings, configAnswered: !Self.failed(sc.configState), stores: listed)
        let metrics = await observeMetrics(stores: listed)
        sources[.metrics] = metrics.state
        let availability = await availabilityAnswer
        snapshot.availability = availability.availability
        sources[.availability] = availability.state
        let isolation = await isolationAnswer
        snapshot.isolation = isolation.isolation
        sources[.isolation] = isolation.state
        snapshot.stores = sc.stores.map {
            var store = $0
            store.metrics = metrics.readings[store.id] ?? metrics.fallback
            return store
        }

        let c = await checks
        snapshot.regionCount = c.regionCount
        snapshot.regionChecks = c.results
        sources[.regionChecks] = c.state

        let m = await members
        snapshot.members = m.members
        snapshot.clusterID = m.clusterID
        sources[.members] = m.state
        // Right after a PD leader change the checks read low, not healthy: say so instead of passing them on as complete.
        // A failed /members says nothing about the leader (its own source reports the failure).
        if !m.members.isEmpty, let caveat = leaderWatch.regionCheckCaveat(leader: m.members.first(where: \.isLeader), now: now) {
            sources[.regionChecks] = LeaderChangeWatch.downgrade(sources[.regionChecks], caveat)
        }

        let s = await schedulers
        snapshot.schedulers = s.schedulers
        // Operator times are on PD's clock; the store-limit estimate reads them on the controller's.
        let offset = SnapshotMapping.effectiveClockOffset(sc.pdClockOffset)
        snapshot.operators = s.operators.map {
            var op = $0
            op.admittedAt = op.admittedAt?.addingTimeInterval(-offset)
            return op
        }
        sources[.schedulers] = s.state

        let h = await hot
        snapshot.hotRegions = h.regions
        sources[.hotspot] = h.state

        sources[.regions] = .skipped("not requested")

        snapshot.sources = sources
        snapshot.completedAt = clock()
        return snapshot
    }

    /// The store list with its metrics and nothing else: what `operator get stores` shows.
    package func observeStores(now: Date) async -> (stores: [StoreSnapshot], state: SourceState, metrics: SourceState) {
        let sc = await observeStoresAndConfig(now: now, rules: false)
        let metrics = await observeMetrics(stores: sc.storesState == .complete ? sc.stores : nil)
        let stores = sc.stores.map {
            var store = $0
            store.metrics = metrics.readings[store.id] ?? metrics.fallback
            return store
        }
        return (stores, sc.storesState, metrics.state)
    }

    // MARK: Stores and config

    struct StoresAndConfig: Sendable {
        var stores: [StoreSnapshot]
        var storesState: SourceState
        var settings: PDSettings
        var placement = PlacementRuleTable()
        var configState: SourceState
        var pdClockOffset: TimeInterval?
    }

    /// Liveness needs PD's `max-store-down-time`, so the two are fetched together; without the
    /// config PD's default (30m) stands in and the config source says it failed. The placement rules come with the
    /// config (`rules`): while `enable-placement-rules` is on and they cannot be read, the config is partial, so
    /// nothing is planned or executed on rules the controller does not know.
    private func observeStoresAndConfig(now: Date, rules: Bool = true) async -> StoresAndConfig {
        let pd = self.pd
        async let storesAnswer = capture { try await pd.stores() }
        async let configAnswer = capture { try await pd.config() }
        // Asked alongside the config, not after it: PD answers 412 while the rules are disabled, which is then ignored.
        async let rulesAnswer = rules ? capture { try await pd.placementRules() } : .success([])
        var out = StoresAndConfig(stores: [], storesState: .failed("not observed"), settings: PDSettings(), configState: .failed("not observed"))
        switch await configAnswer {
        case .success(let config):
            let (settings, missing) = SnapshotMapping.settings(config)
            out.settings = settings
            var problems = missing.isEmpty ? [] : ["PD's defaults assumed for " + missing.joined(separator: ", ")]
            let enabled = config.replication?.enablePlacementRules ?? false
            switch await rulesAnswer {
            case .success(let bundles):
                out.placement = rules ? PlacementRuleTable(enabled: enabled, bundles: bundles) : PlacementRuleTable(enabled: enabled, rules: nil)
            case .failure(let e):
                out.placement = PlacementRuleTable(enabled: enabled, rules: nil)
                if enabled { problems.append("placement rules: \(e)") }
            }
            out.configState = problems.isEmpty ? .complete : .partial(problems.joined(separator: "; "))
        case .failure(let e):
            _ = await rulesAnswer
            out.configState = .failed(e.description)
        }
        switch await storesAnswer {
        case .success(let info):
            // The answers that carried the stores and the config also carried PD's clock; they are the first of
            // the observation, so little time has passed since `now`.
            out.pdClockOffset = await pd.clockOffset(now: now)
            let offset = SnapshotMapping.effectiveClockOffset(out.pdClockOffset)
            // A store listed twice is kept once (the first): the rest of the controller keys stores by id.
            var listed: Set<UInt64> = []
            out.stores = info.stores.filter { listed.insert($0.store.id).inserted }
                .map { SnapshotMapping.store($0, now: now, maxStoreDownTime: out.settings.maxStoreDownTime, pdClockOffset: offset) }
                .sorted { $0.id < $1.id }
            let implausible = Plausibility.problems(info.stores)
            out.storesState = implausible.isEmpty ? .complete : .partial("implausible: " + implausible.joined(separator: ", "))
        case .failure(let e):
            out.storesState = .failed(e.description)
        }
        return out
    }

    // MARK: Region checks

    struct RegionChecks: Sendable {
        var regionCount: Int?
        var results: [RegionCheck: RegionCheckResult]
        var state: SourceState
    }

    /// One answer of the region-check group.
    private enum CheckAnswer: Sendable {
        case check(RegionCheck, Result<RegionCheckResult, PDError>)
        case count(Result<Int, PDError>)
        case histogram(Result<[RegionHistogramBucket], PDError>)
    }

    private func observeRegionChecks() async -> RegionChecks {
        let pd = self.pd
        let cap = regionCheckIDCap
        // Every request is a child of one task group that returns its answers. Mixing `async let`s with a
        // task group in this function crashed release builds (Swift 6.3, Linux) with corrupted memory.
        let answers = await withTaskGroup(of: CheckAnswer.self) { group in
            group.addTask { .count(await capture { try await pd.regionCount() }) }
            group.addTask { .histogram(await capture { try await pd.regionHistogram(.size, bound: 1) }) }
            for check in Self.listedChecks {
                group.addTask { .check(check, await capture { try await Self.checkResult(pd: pd, check: check, cap: cap) }) }
            }
            var all: [CheckAnswer] = []
            for await answer in group { all.append(answer) }
            return all
        }
        var listed: [(RegionCheck, Result<RegionCheckResult, PDError>)] = []
        var count: Result<Int, PDError> = .failure(PDError(kind: .transport, message: "no answer"))
        var histogram: Result<[RegionHistogramBucket], PDError> = .failure(PDError(kind: .transport, message: "no answer"))
        for answer in answers {
            switch answer {
            case .check(let c, let r): listed.append((c, r))
            case .count(let r): count = r
            case .histogram(let r): histogram = r
            }
        }
        var results: [RegionCheck: RegionCheckResult] = [:]
        var failures: [String] = []
        for (check, result) in listed {
            switch result {
            case .success(let r): results[check] = r
            case .failure(let e): failures.append("\(check.rawValue): \(e)")
            }
        }
        // empty-region is `approximate_size <= 1` MiB: exactly the 0 and 1 MiB buckets of PD's size histogram.
        switch histogram {
        case .success(let buckets):
            results[.emptyRegion] = RegionCheckResult(count: Int(buckets.filter { $0.end <= 1 }.reduce(0) { $0 + $1.count }))
        case .failure(let e): failures.append("hist-size: \(e)")
        }
        var regionCount: Int?
        switch count {
        case .success(let n): regionCount = n
        case .failure(let e): failures.append("regions/count: \(e)")
        }
        failures.sort()
        let state: SourceState = failures.isEmpty ? .complete
            : results.isEmpty ? .failed(failures.joined(separator: "; ")) : .partial(failures.joined(separator: "; "))
        return RegionChecks(regionCount: regionCount, results: results, state: state)
    }

    /// The checks read as region lists. They are empty or short on a healthy cluster. The size checks
    /// are not: `undersized-region` routinely lists most regions (340 MB at a million), and PD has no
    /// count-only form, so `oversized-region` and `undersized-region` are left out of steady state and
    /// `empty-region` is counted from the size histogram.
    static let listedChecks: [RegionCheck] = [.missPeer, .extraPeer, .downPeer, .pendingPeer, .offlinePeer, .learnerPeer]

    /// One check: PD's exact count, and the first `cap` regions with the stores they touch.
    private static func checkResult(pd: PDClient, check: RegionCheck, cap: Int) async throws -> RegionCheckResult {
        let (count, regions) = try await pd.regionCheck(check, keep: cap)
        var involved: [UInt64: Int] = [:]
        for region in regions {
            for store in Set(region.storeIDs) { involved[store, default: 0] += 1 }
        }
        return RegionCheckResult(count: count, regionIDs: regions.map(\.id).sorted(), storesInvolved: involved)
    }

    // MARK: Members

    package struct Members: Sendable {
        package var members: [MemberSnapshot]
        var clusterID: UInt64?
        package var state: SourceState
    }

    package func observeMembers() async -> Members {
        let pd = self.pd
        async let membersAnswer = capture { try await pd.members() }
        async let healthAnswer = capture { try await pd.health() }
        let health = await healthAnswer
        switch await membersAnswer {
        case .failure(let e):
            // Every member that answered said it knows no leader, and each member's own /health (answered without a
            // leader) lists the members: that is PD without a leader, a fact, not a failed observation.
            if Self.saysNoLeader(e), case .success(let list) = health, !list.isEmpty {
                return Members(members: SnapshotMapping.members(health: list), clusterID: nil, state: .complete)
            }
            return Members(members: [], clusterID: nil, state: .failed(e.description))
        case .success(let m):
            let list = SnapshotMapping.members(m, health: try? health.get())
            // `/members` answered without a leader: PD's own word that none leads, so the list is complete.
            let state: SourceState
            if case .failure(let e) = health { state = .partial("health: \(e)") } else { state = .complete }
            return Members(members: list, clusterID: m.clusterID == 0 ? nil : m.clusterID, state: state)
        }
    }

    /// PD answered, and no member knew a leader to serve the request: `ErrRedirectNoLeader` (503) from at least one
    /// member, and from the others either the same, a refused connection (a stopped member), or `ErrRedirect` (a
    /// follower still proxying to a dead leader whose lease has not run out).
    static func saysNoLeader(_ e: PDError) -> Bool {
        let answers = e.kind == .allMembersFailed ? e.attempts : [e]
        guard answers.contains(where: { $0.kind == .noLeader }) else { return false }
        return answers.allSatisfy {
            $0.kind == .noLeader || $0.kind == .connectionRefused || $0.code?.name == "ErrRedirect"
        }
    }

    static func failed(_ state: SourceState) -> Bool {
        if case .failed = state { return true }
        return false
    }

    // MARK: Isolation (replicas sharing a location-labels level)

    package struct Isolation: Sendable {
        package var isolation: ReplicaIsolation?
        package var state: SourceState
    }

    /// At most this many regions a pass, the first in key order: the count is exact up to it and a lower bound past
    /// it. Always the same regions, so a ticket the sample opens is also resolved by it.
    static let isolationRegionCap = 4096

    /// Reads the first regions in key order while `location-labels` is set (no request otherwise) and counts the ones
    /// whose voters share a label level PD could separate them at.
    package func observeIsolation(settings: PDSettings?, configAnswered: Bool, stores: [StoreSnapshot]?) async -> Isolation {
        guard configAnswered, let settings else { return Isolation(isolation: nil, state: .failed("no config")) }
        guard let stores else { return Isolation(isolation: nil, state: .failed("no store list")) }
        guard !settings.locationLabels.isEmpty else {
            return Isolation(isolation: ReplicaIsolation(isolationLevel: settings.isolationLevel), state: .complete)
        }
        var tally = ReplicaIsolation.Tally(locationLabels: settings.locationLabels, isolationLevel: settings.isolationLevel, stores: stores)
        var read = 0
        var more = false
        do {
            // One page one region longer than the bound: its last region only says there are more.
            pages: for try await page in pd.regionPages(pageSize: Self.isolationRegionCap + 1) {
                for r in page {
                    guard read < Self.isolationRegionCap else { more = true; break pages }
                    read += 1
                    tally.add(regionID: r.id, voterStoreIDs: r.peers.filter { $0.role.isVoter }.map(\.storeID))
                }
            }
        } catch {
            return Isolation(isolation: nil, state: .failed(String(describing: error)))
        }
        return Isolation(isolation: tally.finish(exact: !more), state: .complete)
    }

    // MARK: Schedulers and operators

    struct Schedulers: Sendable {
        var schedulers: SchedulerSnapshot
        var operators: [OperatorSnapshot]
        var state: SourceState
    }

    private func observeSchedulers() async -> Schedulers {
        let pd = self.pd
        async let namesAnswer = capture { try await pd.schedulers() }
        async let pausedAnswer = capture { try await pd.pausedSchedulers() }
        async let operatorsAnswer = capture { try await pd.operatorTexts() }
        var problems: [String] = []
        var snapshot = SchedulerSnapshot()
        switch await namesAnswer {
        case .success(let names): snapshot.names = names.sorted()
        case .failure(let e):
            _ = await (pausedAnswer, operatorsAnswer)
            return Schedulers(schedulers: snapshot, operators: [], state: .failed(e.description))
        }
        switch await pausedAnswer {
        case .success(let paused): snapshot.paused = paused.map(\.name).sorted()
        case .failure(let e): problems.append("paused schedulers: \(e)")
        }
        // The evict-leader list exists only while that scheduler does: ask only then.
        if snapshot.names.contains("evict-leader-scheduler") {
            switch await capture({ try await pd.evictLeaderConfig() }) {
            case .success(let config): snapshot.evictLeaderStores = config?.storeIDs ?? []
            case .failure(let e): problems.append("evict-leader config: \(e)")
            }
        }
        // PD's own eviction of a slow store: a store the controller must neither target nor call a leftover.
        if snapshot.names.contains("evict-slow-store-scheduler") {
            switch await capture({ try await pd.evictSlowStoreConfig() }) {
            case .success(let config): snapshot.evictSlowStores = config?.evictStores ?? []
            case .failure(let e): problems.append("evict-slow-store config: \(e)")
            }
        }
        var operators: [OperatorSnapshot] = []
        switch await operatorsAnswer {
        case .success(let texts):
            var unreadable = 0
            for text in texts {
                guard let op = try? OperatorText(parsing: text) else { unreadable += 1; continue }
                operators.append(SnapshotMapping.operatorSnapshot(op, text: text))
            }
            if unreadable > 0 { problems.append("\(unreadable) operator text(s) not understood") }
        case .failure(let e): problems.append("operators: \(e)")
        }
        operators.sort { ($0.regionID, $0.description) < ($1.regionID, $1.description) }
        return Schedulers(schedulers: snapshot, operators: operators,
                          state: problems.isEmpty ? .complete : .partial(problems.joined(separator: "; ")))
    }

    // MARK: Hot spots

    package struct Hotspot: Sendable {
        package var regions: [HotRegion]
        package var state: SourceState
    }

    package func observeHotspot() async -> Hotspot {
        let pd = self.pd
        async let write = capture { try await pd.hotRegions(.write) }
        async let read = capture { try await pd.hotRegions(.read) }
        var regions: [HotRegion] = []
        var failures: [String] = []
        for (direction, answer) in [(HotRegion.Direction.write, await write), (.read, await read)] {
            switch answer {
            case .success(let infos): regions += SnapshotMapping.hotRegions(infos, direction: direction)
            case .failure(let e): failures.append("\(direction.rawValue): \(e)")
            }
        }
        let state: SourceState = failures.isEmpty ? .complete
            : failures.count == 2 ? .failed(failures.joined(separator: "; ")) : .partial(failures.joined(separator: "; "))
        return Hotspot(regions: regions, state: state)
    }

    // MARK: Metrics

    struct Metrics: Sendable {
        var readings: [UInt64: StoreMetrics]
        /// For a store without its own readings.
        var fallback: StoreMetrics
        var state: SourceState
    }

    private func observeMetrics(stores: [StoreSnapshot]?) async -> Metrics {
        guard let metricsSource else {
            let none = MetricReading.failed("no Prometheus configured")
            return Metrics(readings: [:], fallback: StoreMetrics(p99Latency: none, qps: none, writeStall: none, up: none),
                           state: .skipped("no Prometheus configured"))
        }
        guard let stores else {
            let none = MetricReading.failed("no store list to map series to")
            return Metrics(readings: [:], fallback: StoreMetrics(p99Latency: none, qps: none, writeStall: none, up: none),
                           state: .failed("no store list to map series to"))
        }
        return StoreMetricsMapping.metrics(await metricsSource.read(stores: stores, now: clock()), stores: stores)
    }

    // MARK: Availability (the regions of the stores that are not alive)

    package struct Availability: Sendable {
        package var availability: RegionAvailability?
        package var state: SourceState
    }

    /// At most this many not-alive stores are read a pass, and no more than this many regions by PD's counts (the
    /// first store always): a dead store's regions are a few MB even at a million regions, but a rack going down
    /// must not turn every pass into a download. Past the bound the counts are lower bounds and say so.
    static let availabilityStoreCap = 8
    static let availabilityRegionCap = 250_000

    /// Counts the regions without a quorum from the regions of the stores that are not alive (and of Tombstone stores
    /// PD still counts regions on: a forced removal whose peers are not gone yet). No request while every store is alive.
    package func observeAvailability(stores: [StoreSnapshot]?) async -> Availability {
        guard let stores else { return Availability(availability: nil, state: .failed("no store list")) }
        let alive = Set(stores.filter { $0.liveness == .alive && !$0.isTombstone }.map(\.id))
        let notAlive = stores.filter { !alive.contains($0.id) && (!$0.isTombstone || $0.regionCount > 0) }.sorted { $0.id < $1.id }
        guard !notAlive.isEmpty else { return Availability(availability: RegionAvailability(), state: .complete) }
        var read: [UInt64] = []
        var budget = Self.availabilityRegionCap
        for s in notAlive where read.count < Self.availabilityStoreCap && (read.isEmpty || s.regionCount <= budget) {
            read.append(s.id)
            budget -= s.regionCount
        }
        let unread = notAlive.map(\.id).filter { !read.contains($0) }
        var counting = RegionAvailability.Tally(alive: alive)
        do {
            for id in read {
                for try await r in pd.regions(onStore: id) { counting.add(r) }
            }
        } catch {
            // Half a count would pass for the whole: none at all.
            return Availability(availability: nil, state: .failed(String(describing: error)))
        }
        let tally = counting.result(storesRead: read, storesUnread: unread)
        let state: SourceState = unread.isEmpty ? .complete
            : .partial("regions of not-alive stores \(unread.map(String.init).joined(separator: ", ")) not read (at most \(Self.availabilityStoreCap) stores, \(Self.availabilityRegionCap) regions a pass)")
        return Availability(availability: tally, state: state)
    }

    // MARK: Regions (only when a planner asked)

    package struct Regions: Sendable {
        package var regions: [RegionPlacement]?
        package var state: SourceState
    }

    /// The regions `scope` names, whole or not at all; with their keys when ranged placement rules need them
    /// (`PlacementRuleTable.needsRegionKeys`: a million key pairs are not free), and those of `keysOf` in any case (the
    /// few regions PD lists as hot: a hot-spot plan splits one by its range).
    package func observeRegions(_ scope: RegionScope, keepKeys: Bool, keysOf: Set<UInt64> = []) async -> Regions {
        var seen = Set<UInt64>()
        var out: [RegionPlacement] = []
        func keep(_ r: RegionInfo) {
            if seen.insert(r.id).inserted { out.append(SnapshotMapping.placement(r, keepKeys: keepKeys || keysOf.contains(r.id))) }
        }
        do {
            switch scope {
            case .none:
                return Regions(regions: nil, state: .skipped("not requested"))
            case .stores(let ids):
                for id in ids {
                    for try await r in pd.regions(onStore: id) { keep(r) }
                }
            case .all:
                for try await page in pd.regionPages(pageSize: regionPageSize) {
                    for r in page { keep(r) }
                }
            }
        } catch {
            // Half a region list would plan on a cluster that does not exist: none at all.
            return Regions(regions: nil, state: .failed(String(describing: error)))
        }
        out.sort { $0.id < $1.id }
        return Regions(regions: out, state: .complete)
    }
}

/// A PD call's answer or its typed error, so concurrent calls can each be judged on their own.
private func capture<T: Sendable>(_ body: () async throws -> T) async -> Result<T, PDError> {
    do {
        return .success(try await body())
    } catch let e as PDError {
        return .failure(e)
    } catch {
        return .failure(PDError(kind: .transport, message: String(describing: error)))
    }
}
