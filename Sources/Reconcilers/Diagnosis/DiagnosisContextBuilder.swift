import Foundation
import PDWire

/// Builds a `DiagnosisContext` from values the caller already holds. Pure: no I/O, no clock.
public enum DiagnosisContextBuilder {
    /// How much of each part is kept. A cut is stated in `truncated`, never silent.
    public struct Limits: Sendable, Equatable {
        public var stores = 24
        public var hotRegions = 10
        public var seriesPoints = 30
        public var series = 12
        public var events = 20
        public var plans = 10
        public var similarTickets = 8
        /// Any one string from the cluster.
        public var textLength = 240
        /// The encoded context; past it, history, then events, then similar tickets are dropped.
        public var totalBytes = 48_000
        public init() {}
    }

    public struct Input: Sendable {
        public var ticket: Ticket
        public var cluster: TiKVCluster
        public var snapshot: ClusterSnapshot
        public var maintenances: [StoreMaintenance]
        /// Range-query results, already fetched.
        public var history: [DiagnosisContext.Series]
        public var events: [Event]
        public var plans: [RemediationPlan]
        /// Every ticket of the cluster; similar ones are picked from it.
        public var tickets: [Ticket]
        /// Why some history is missing (a range query failed, no Prometheus), stated in the context.
        public var historyNotes: [String] = []

        public init(ticket: Ticket, cluster: TiKVCluster, snapshot: ClusterSnapshot, maintenances: [StoreMaintenance] = [],
                    history: [DiagnosisContext.Series] = [], events: [Event] = [], plans: [RemediationPlan] = [], tickets: [Ticket] = []) {
            self.ticket = ticket
            self.cluster = cluster
            self.snapshot = snapshot
            self.maintenances = maintenances
            self.history = history
            self.events = events
            self.plans = plans
            self.tickets = tickets
        }
    }

    public static func build(_ input: Input, limits: Limits = Limits()) -> DiagnosisContext {
        let snap = input.snapshot
        let t = input.ticket
        var truncated: [String] = input.historyNotes
        let q = { (s: String) in quote(s, limit: limits.textLength) }

        let ticket = DiagnosisContext.TicketFacts(
            name: t.name, invariant: t.spec.invariant, subject: t.spec.subject, severity: t.spec.severity.rawValue, summary: q(t.spec.summary),
            state: t.status.state.rawValue, firstSeen: t.status.firstSeen, brokenSince: t.status.brokenSince, lastSeen: t.status.lastSeen,
            occurrences: t.status.occurrences, flapping: t.status.flapping,
            readings: t.status.readings.map { DiagnosisReading(name: $0.name, subject: t.spec.subject, value: $0.value, unit: $0.unit, source: $0.source) })

        var sources: [String: String] = [:]
        for source in ObservationSource.allCases {
            let s = snap.state(of: source)
            sources[source.rawValue] = s.isComplete ? "Complete" : "\(s.name): \(q(s.reason ?? ""))"
        }

        let storeHistory = Dictionary((input.cluster.status.storeHistory ?? []).map { ($0.storeID, $0) }, uniquingKeysWith: { first, _ in first })
        let maintained = Set(input.maintenances.map(\.spec.storeID))
        let subjectStore = HealthSubject.storeID(of: t.spec.subject)
        // The subject first, then stores in trouble, then the rest by id.
        let ordered = snap.stores.filter { !$0.isTombstone }.sorted { a, b in
            func rank(_ s: StoreSnapshot) -> Int { s.id == subjectStore ? 0 : (s.liveness == .alive && s.state == .up ? 2 : 1) }
            return (rank(a), a.id) < (rank(b), b.id)
        }
        let kept = ordered.prefix(limits.stores)
        if ordered.count > kept.count {
            truncated.append("stores: \(kept.count) of \(ordered.count) shown (the ticket's store and stores not Up and alive first)")
        }
        let stores = kept.sorted { $0.id < $1.id }.map { s in
            let past = storeHistory[s.id]
            var facts = DiagnosisContext.StoreFacts(
                id: s.id, address: q(s.address), labels: Dictionary(uniqueKeysWithValues: s.labels.prefix(16).map { (q($0.key), q($0.value)) }),
                state: stateText(s.state), stateName: q(s.stateName), liveness: s.liveness.rawValue,
                heartbeatAgeSeconds: s.heartbeatAge(at: snap.observedAt).map(round1), startTime: s.startTime,
                leaderCount: s.leaderCount, regionCount: s.regionCount, leaderWeight: s.leaderWeight,
                availablePercent: s.availablePercent.map(round1), capacityBytes: s.capacityBytes, slowScore: s.slowScore, isBusy: s.isBusy,
                scrapedUp: s.metrics.up.value, p99LatencySeconds: s.metrics.p99Latency.value, writeStallSeconds: s.metrics.writeStall.value,
                qps: s.metrics.qps.value.map(round1), metricsNote: metricsNote(s.metrics).map(q),
                // A scrape taken during the observation (after it began) is as fresh as the observation: age 0, never negative.
                metricsAgeSeconds: s.metrics.scrapedAt.map { round1(max(0, snap.observedAt.timeIntervalSince($0))) },
                livenessTransitions: past?.transitions.count ?? 0, underMaintenance: maintained.contains(s.id))
            facts.restarts = past?.restarts.count ?? 0
            facts.recentSlowScores = past?.slowScores ?? []
            facts.slowScoreTrend = (past?.slowScoreTrend ?? .steady).rawValue
            return facts
        }

        let hot = snap.hotRegions.sorted { ($0.bytesPerSecond, $0.regionID) > ($1.bytesPerSecond, $1.regionID) }
        if hot.count > limits.hotRegions { truncated.append("hotRegions: the \(limits.hotRegions) hottest of \(hot.count) shown") }

        var history: [DiagnosisContext.Series] = []
        for series in input.history.prefix(limits.series) {
            var s = series
            if s.points.count > limits.seriesPoints {
                // Keep evenly spaced points, the newest always included.
                let stride = Double(s.points.count - 1) / Double(limits.seriesPoints - 1)
                s.points = (0..<limits.seriesPoints).map { series.points[min(series.points.count - 1, Int((Double($0) * stride).rounded()))] }
                truncated.append("history \(s.name)/\(s.subject): \(limits.seriesPoints) of \(series.points.count) points kept")
            }
            history.append(s)
        }
        if input.history.count > limits.series { truncated.append("history: \(limits.series) of \(input.history.count) series shown") }

        let events = input.events.sorted { $0.lastTimestamp > $1.lastTimestamp }
        if events.count > limits.events { truncated.append("events: the \(limits.events) most recent of \(events.count) shown") }
        let plans = input.plans.filter { $0.spec.cluster == t.spec.cluster }
            .sorted { ($0.spec.ticket == t.name ? 0 : 1, $0.name) < ($1.spec.ticket == t.name ? 0 : 1, $1.name) }
        if plans.count > limits.plans { truncated.append("plans: \(limits.plans) of \(plans.count) shown (this ticket's first)") }
        let planPhase = Dictionary(input.plans.map { ($0.name, $0.status.phase.rawValue) }, uniquingKeysWith: { a, _ in a })
        let similar = input.tickets.filter {
            $0.name != t.name && $0.spec.cluster == t.spec.cluster && ($0.spec.invariant == t.spec.invariant || $0.spec.subject == t.spec.subject)
        }.sorted { ($0.status.lastSeen ?? .distantPast, $0.name) > ($1.status.lastSeen ?? .distantPast, $1.name) }
        if similar.count > limits.similarTickets { truncated.append("similarTickets: \(limits.similarTickets) of \(similar.count) shown") }

        var context = DiagnosisContext(
            cluster: t.spec.cluster, observedAt: snap.observedAt, ticket: ticket, sources: sources,
            prometheusConfigured: input.cluster.spec.prometheus != nil, stores: stores,
            allStoreIDs: snap.stores.map(\.id).sorted(), regionCount: snap.regionCount,
            regionChecks: Dictionary(uniqueKeysWithValues: snap.regionChecks.map { ($0.key.rawValue, $0.value.count) }),
            schedulers: snap.schedulers.names.prefix(40).map(q), pausedSchedulers: snap.schedulers.paused.prefix(40).map(q),
            evictLeaderStores: snap.schedulers.evictLeaderStores, evictSlowStores: snap.schedulers.evictSlowStores,
            operatorsInFlight: snap.operators.count,
            lowSpaceRatio: snap.settings.lowSpaceRatio, maxStoreDownTimeSeconds: snap.settings.maxStoreDownTime.seconds,
            hotRegions: hot.prefix(limits.hotRegions).map {
                DiagnosisContext.HotRegionFacts(regionID: $0.regionID, storeID: $0.storeID, direction: $0.direction.rawValue,
                                                bytesPerSecond: $0.bytesPerSecond.rounded())
            },
            history: history,
            events: events.prefix(limits.events).map {
                DiagnosisContext.EventFacts(at: $0.lastTimestamp, regarding: q("\($0.regarding.kind)/\($0.regarding.name)"),
                                            reason: q($0.reason), message: q($0.message))
            },
            plans: plans.prefix(limits.plans).map {
                DiagnosisContext.PlanFacts(name: $0.name, concern: q($0.spec.concern), origin: $0.spec.origin.rawValue,
                                           phase: $0.status.phase.rawValue, ticket: $0.spec.ticket, steps: $0.spec.steps.prefix(10).map { q($0.action.summary) })
            },
            similarTickets: similar.prefix(limits.similarTickets).map {
                DiagnosisContext.SimilarTicket(
                    name: $0.name, invariant: $0.spec.invariant, subject: $0.spec.subject, state: $0.status.state.rawValue,
                    occurrences: $0.status.occurrences, resolvedAt: $0.status.resolvedAt, plan: $0.status.plan,
                    planPhase: $0.status.plan.flatMap { planPhase[$0] },
                    previousDiagnosis: $0.status.diagnosis.map { q("\($0.primary.cause.rawValue): \($0.primary.title)") })
            },
            truncated: truncated)
        context.metricsOrigin = snap.metricsOrigin
        context.relatedOpenTickets = input.tickets.filter { other in
            other.name != t.name && other.spec.cluster == t.spec.cluster && other.status.state == .open
                && (other.spec.invariant == t.spec.invariant || other.spec.subject == t.spec.subject
                    || other.name == t.status.incident?.root || other.status.incident?.root == t.name)
        }.map(\.name).sorted().prefix(20).map { $0 }
        if let incident = t.status.incident {
            let root = incident.root.flatMap { name in input.tickets.first { $0.name == name } }
            context.incident = DiagnosisContext.IncidentFacts(
                cause: incident.cause.rawValue, store: incident.store, rootTicket: incident.root, rootInvariant: root?.spec.invariant,
                message: q(incident.message), rootDiagnosedCause: root?.status.diagnosis?.primary.cause.rawValue,
                rootDiagnosisTitle: root?.status.diagnosis.map { q($0.primary.title) })
        }
        if InvariantID(rawValue: t.spec.invariant) == .pdMembers {
            let leaders = input.cluster.status.pdLeaderHistory
            context.pd = DiagnosisContext.PDFacts(
                members: snap.members.prefix(limits.stores).map { .init(name: q($0.name), isLeader: $0.isLeader, healthy: $0.healthy) },
                leaderChangesLastHour: leaders?.changes.filter { snap.observedAt.timeIntervalSince($0.at) <= PDLeaderHistory.window }.count ?? 0,
                leaderChanges: (leaders?.changes ?? []).reversed().prefix(10).map { q("\(CanonicalJSON.formatDate($0.at)): \($0.from) → \($0.to)") })
        }
        if InvariantID(rawValue: t.spec.invariant) == .replicaIsolation, let i = snap.isolation {
            context.isolation = DiagnosisContext.IsolationFacts(
                locationLabels: i.locationLabels.map(q), isolationLevel: q(i.isolationLevel),
                regionsByLevel: Dictionary(i.regionsByLevel.map { (q($0.key), $0.value) }, uniquingKeysWith: +),
                distinctValues: Dictionary(i.distinctValues.map { (q($0.key), $0.value) }, uniquingKeysWith: max),
                sampledRegions: i.sampledRegions, exact: i.exact, sample: i.sample,
                replicaScheduleLimit: snap.settings.replicaScheduleLimit, placementRulesEnabled: snap.placement.enabled,
                betterLocationOperators: snap.operators.filter { $0.description == "move-to-better-location" }.count)
        }
        if let a = snap.availability, a.unavailableCount > 0 || a.atRiskCount > 0 {
            context.availability = DiagnosisContext.AvailabilityFacts(
                unavailableRegions: a.unavailableCount, atRiskRegions: a.atRiskCount, exact: a.isExact, storesRead: a.storesRead,
                storesUnread: a.storesUnread,
                lostTo: Dictionary(a.unavailableByStores.prefix(8).map { ($0.stores.map(String.init).joined(separator: "+"), $0.regions) },
                                   uniquingKeysWith: +),
                sample: a.unavailableSample.prefix(10).map { q("\($0.id) [\($0.startKey), \($0.endKey))") })
        }

        // The total bound: drop the bulkiest optional parts until it fits, and say so.
        var size = CanonicalJSON.encode(context).count
        if size > limits.totalBytes, !context.history.isEmpty {
            context.truncated.append("history: all \(context.history.count) series dropped to stay under \(limits.totalBytes) bytes")
            context.history = []
            size = CanonicalJSON.encode(context).count
        }
        if size > limits.totalBytes, !context.events.isEmpty {
            context.truncated.append("events: all dropped to stay under \(limits.totalBytes) bytes")
            context.events = []
            size = CanonicalJSON.encode(context).count
        }
        if size > limits.totalBytes, !context.similarTickets.isEmpty {
            context.truncated.append("similarTickets: all dropped to stay under \(limits.totalBytes) bytes")
            context.similarTickets = []
        }
        return context
    }

    /// What decides whether a diagnosis is still current: the ticket's **categorical evidence**. That is its identity,
    /// episode and which signals broke (its summary names them, never their values); the facts a primary cause is
    /// decided on, as categories — state, liveness, scrape state (scraped, unscraped, unknown), maintenance, busy flag and
    /// slow-score band (`PDSlowScore`: none, normal, elevated, slow) of the ticket's store, of its incident's store and
    /// of every store not Up and alive; the observation sources that did not answer in full; the schedulers running and
    /// paused and the stores PD's evict-slow-store and the evict-leader schedulers hold; the ticket's incident (cause,
    /// root, the root's diagnosed cause) and the related tickets open (`relatedOpenTickets`: its incident's, its store's,
    /// its invariant's); and whether each of its own plans (a model's `ai` plans excepted) is under way or how it ended.
    /// Numbers that move every pass (latencies, heartbeat ages, counts, slow scores), a healthy store's scrape flickering
    /// and other tickets' plans are left out, so an incident is diagnosed again only when what it is made of changes, and
    /// a model's call budget is not spent on one ticket.
    public static func digest(_ c: DiagnosisContext) -> String {
        var parts: [String] = [c.ticket.name, c.ticket.state, String(c.ticket.occurrences), String(c.ticket.flapping), c.ticket.summary]
        parts.append("incomplete=" + c.sources.filter { $0.value != "Complete" }.keys.sorted().joined(separator: ","))
        let named = Set([c.subjectStoreID, c.incident?.store].compactMap { $0 })
        parts += c.stores.filter { named.contains($0.id) || !($0.state == "Up" && $0.liveness == StoreLiveness.alive.rawValue) }.map { s in
            let up = s.scrapedUp.map { $0 > 0 ? "scraped" : "unscraped" } ?? "unknown"
            return "store/\(s.id) \(s.state) \(s.liveness) \(up) maint=\(s.underMaintenance) busy=\(s.isBusy) slow=\(slowBand(s.slowScore))"
        }
        parts.append("schedulers=\(c.schedulers.sorted().joined(separator: ",")) paused=\(c.pausedSchedulers.sorted().joined(separator: ","))")
        parts.append("evict=\(c.evictLeaderStores.sorted().map(String.init).joined(separator: ","))")
        parts.append("evict-slow=\(c.evictSlowStores.sorted().map(String.init).joined(separator: ","))")
        if let i = c.incident { parts.append("incident=\(i.cause) \(i.store) \(i.rootTicket ?? "-") \(i.rootDiagnosedCause ?? "-")") }
        parts.append("open=" + c.relatedOpenTickets.joined(separator: ","))
        // A model's own proposal is left out: the plan made from a diagnosis must not make the next one due (a model
        // answering a little differently each time would then propose, re-diagnose and supersede without end).
        parts += c.plans.filter { $0.ticket == c.ticket.name && $0.origin != PlanOrigin.ai.rawValue }.map { plan in
            let phase = PlanPhase(rawValue: plan.phase)
            return "plan/\(plan.name) \(phase.map { $0.isTerminal ? $0.rawValue : "active" } ?? plan.phase)"
        }
        return ContentHash.hex(of: Array(parts.joined(separator: "\n").utf8))
    }

    /// PD's slow score as the category a diagnosis reads: none reported, at its floor, above it, or slow.
    static func slowBand(_ score: UInt64) -> String {
        if score == 0 { return "none" }
        if PDSlowScore.isRecovered(score) { return "normal" }
        return PDSlowScore.isSlow(score) ? "slow" : "elevated"
    }

    /// Cluster text as data: control characters removed, length capped (the cut is marked).
    public static func quote(_ text: String, limit: Int = 240) -> String {
        // The prompt's data markers cannot be forged from inside: `<<<` and `>>>` lose their meaning.
        let cleaned = String(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : Character($0) })
            .replacingOccurrences(of: "<<<", with: "‹‹‹").replacingOccurrences(of: ">>>", with: "›››")
        return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…[cut]" : cleaned
    }

    private static func metricsNote(_ m: StoreMetrics) -> String? {
        if case .failed(let why) = m.up { return "up: \(why)" }
        if m.up == .noSeries { return "up: no series" }
        return nil
    }

    static func stateText(_ s: StoreState) -> String {
        switch s {
        case .up: "Up"
        case .offline: "Offline"
        case .tombstone: "Tombstone"
        case .unknown(let n): "Unknown(\(n))"
        }
    }

    private static func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
}
