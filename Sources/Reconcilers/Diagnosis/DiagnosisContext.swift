import Foundation

/// Everything a provider may read about one ticket, and nothing else: built by
/// `DiagnosisContextBuilder`, bounded in size, and honest about what it left out (`truncated`).
///
/// Text that comes from the cluster (addresses, labels, PD error strings, event messages) is carried
/// as JSON string values and rendered to a model inside a block marked as data; it never becomes
/// part of the instructions.
public struct DiagnosisContext: Codable, Sendable, Equatable {
    public struct TicketFacts: Codable, Sendable, Equatable {
        public var name: String
        public var invariant: String
        public var subject: String
        public var severity: String
        public var summary: String
        public var state: String
        public var firstSeen: Date?
        public var brokenSince: Date?
        public var lastSeen: Date?
        public var occurrences: Int
        public var flapping: Bool
        public var readings: [DiagnosisReading]
    }

    public struct StoreFacts: Codable, Sendable, Equatable {
        public var id: UInt64
        /// Quoted cluster text.
        public var address: String
        public var labels: [String: String]
        public var state: String
        public var stateName: String
        /// alive / disconnected / down / neverSeen / tombstone, from the heartbeat age.
        public var liveness: String
        public var heartbeatAgeSeconds: Double?
        public var startTime: Date?
        public var leaderCount: Int
        public var regionCount: Int
        public var leaderWeight: Double
        public var availablePercent: Double?
        public var capacityBytes: Int64
        public var slowScore: UInt64
        public var isBusy: Bool
        /// Whether Prometheus scrapes the store (`up`): 1, 0, or nil when unknown (see `metricsState`).
        public var scrapedUp: Double?
        public var p99LatencySeconds: Double?
        public var writeStallSeconds: Double?
        public var qps: Double?
        /// Why metrics are unknown, when they are (quoted).
        public var metricsNote: String?
        /// How long before `observedAt` the scrape behind `scrapedUp` (and the other metrics) was taken; nil
        /// when unknown. Older than `heartbeatAgeSeconds` means it predates PD's last word from the store.
        public var metricsAgeSeconds: Double?
        /// Alive ↔ not-alive changes within the flapping window.
        public var livenessTransitions: Int
        public var underMaintenance: Bool
        /// Times its process started anew (PD's `start_ts` moved) within the flapping window.
        public var restarts: Int = 0
        /// PD's slow score at the last passes that saw it change, oldest first, and which way it last moved
        /// (`rising`, `falling`, `steady`).
        public var recentSlowScores: [UInt64] = []
        public var slowScoreTrend: String = SlowScoreTrend.steady.rawValue
    }

    public struct HotRegionFacts: Codable, Sendable, Equatable {
        public var regionID: UInt64
        public var storeID: UInt64
        public var direction: String
        public var bytesPerSecond: Double
    }

    /// A metric's recent history from a Prometheus range query: `[seconds before observedAt, value]`.
    public struct Series: Codable, Sendable, Equatable {
        public var name: String
        public var subject: String
        public var unit: String
        public var points: [[Double]]

        public init(name: String, subject: String, unit: String, points: [[Double]]) {
            self.name = name
            self.subject = subject
            self.unit = unit
            self.points = points
        }
    }

    public struct EventFacts: Codable, Sendable, Equatable {
        public var at: Date
        public var regarding: String
        public var reason: String
        public var message: String
    }

    public struct PlanFacts: Codable, Sendable, Equatable {
        public var name: String
        public var concern: String
        public var origin: String
        public var phase: String
        public var ticket: String?
        public var steps: [String]
    }

    /// An earlier ticket on the same invariant or subject, and how it ended.
    public struct SimilarTicket: Codable, Sendable, Equatable {
        public var name: String
        public var invariant: String
        public var subject: String
        public var state: String
        public var occurrences: Int
        public var resolvedAt: Date?
        public var plan: String?
        public var planPhase: String?
        public var previousDiagnosis: String?
    }

    /// The ticket is a consequence (`TicketIncident`): what caused it, and what the root ticket's own diagnosis says.
    public struct IncidentFacts: Codable, Sendable, Equatable {
        /// `TicketIncident.Cause`.
        public var cause: String
        public var store: UInt64
        public var rootTicket: String?
        public var rootInvariant: String?
        public var message: String
        /// The root ticket's diagnosed primary cause and its title (quoted), when it has a diagnosis.
        public var rootDiagnosedCause: String?
        public var rootDiagnosisTitle: String?
    }

    /// Regions without a quorum, counted from the regions of the not-alive stores.
    public struct AvailabilityFacts: Codable, Sendable, Equatable {
        public var unavailableRegions: Int
        public var atRiskRegions: Int
        public var exact: Bool
        public var storesRead: [UInt64]
        public var storesUnread: [UInt64]
        /// Per set of not-alive stores (`4+5`), how many regions lost their quorum to it.
        public var lostTo: [String: Int]
        /// The first unavailable regions: `id [startKey, endKey)`, keys as PD prints them (quoted).
        public var sample: [String]
    }

    /// PD's members and leadership, for a PD-health ticket.
    public struct PDFacts: Codable, Sendable, Equatable {
        public struct Member: Codable, Sendable, Equatable {
            public var name: String
            public var isLeader: Bool
            /// nil when `/health` did not mention it.
            public var healthy: Bool?
        }
        public var members: [Member]
        public var leaderChangesLastHour: Int
        /// The leader changes of the last hour, newest first: `at: from → to`.
        public var leaderChanges: [String]
    }

    /// The replica isolation count and what decides whether PD's checkers can fix it, for a `replicaIsolation` ticket.
    public struct IsolationFacts: Codable, Sendable, Equatable {
        public var locationLabels: [String]
        public var isolationLevel: String
        public var regionsByLevel: [String: Int]
        /// Per level, the distinct values among the Up, alive stores.
        public var distinctValues: [String: Int]
        public var sampledRegions: Int
        public var exact: Bool
        /// The first regions counted.
        public var sample: [UInt64]
        /// 0 stops every checker fix (PD counts them as replica operators).
        public var replicaScheduleLimit: Int
        /// The rule checker fixes placement when placement rules are enabled, the replica checker otherwise.
        public var placementRulesEnabled: Bool
        /// `move-to-better-location` operators PD runs now: its checker is fixing placement.
        public var betterLocationOperators: Int
    }

    public var cluster: String
    public var observedAt: Date
    public var ticket: TicketFacts
    public var pd: PDFacts? = nil
    public var isolation: IsolationFacts? = nil
    public var incident: IncidentFacts? = nil
    public var availability: AvailabilityFacts? = nil
    /// Per observation source: `Complete`, or the state and its reason (quoted).
    public var sources: [String: String]
    public var prometheusConfigured: Bool
    /// Where the store metrics came from (nil: no metrics source).
    public var metricsOrigin: MetricsOrigin? = nil
    public var stores: [StoreFacts]
    /// Every store id PD lists, even when `stores` is truncated: suggested actions are checked against it.
    public var allStoreIDs: [UInt64]
    public var regionCount: Int?
    public var regionChecks: [String: Int]
    public var schedulers: [String]
    public var pausedSchedulers: [String]
    public var evictLeaderStores: [UInt64]
    /// Stores PD's own evict-slow-store scheduler is evicting: PD already acting on a slow disk.
    public var evictSlowStores: [UInt64] = []
    public var operatorsInFlight: Int
    public var lowSpaceRatio: Double
    public var maxStoreDownTimeSeconds: Double
    public var hotRegions: [HotRegionFacts]
    public var history: [Series]
    public var events: [EventFacts]
    public var plans: [PlanFacts]
    public var similarTickets: [SimilarTicket]
    /// The other open tickets of its incident or its store, and those of its invariant, by name (at most 20): which
    /// related tickets are open is part of what a diagnosis is decided on.
    public var relatedOpenTickets: [String] = []
    /// One line per cut: what was left out and how much.
    public var truncated: [String]

    public func store(_ id: UInt64) -> StoreFacts? { stores.first { $0.id == id } }

    /// The store the ticket is about, when its subject names one.
    public var subjectStoreID: UInt64? { HealthSubject.storeID(of: ticket.subject) }

    /// Whether an evidence reference points at something this context holds. References are
    /// `ticket.<field>`, `ticket.readings.<name>`, `store/<id>.<field>`, `store/<id>.metrics.<name>`,
    /// `history.<name>/<subject>`, `sources.<source>`, `schedulers`, `evictLeaderStores`, `evictSlowStores`, `hotRegions`, `relatedOpenTickets`,
    /// `regionChecks.<check>`, `events`, `plans/<name>`, `similarTickets/<name>`, `settings.<name>`, `incident[.<field>]`,
    /// `availability[.<field>]`, `pd[.<field>]`, `isolation[.<field>]`.
    public func knows(_ ref: String) -> Bool {
        let r = ref.trimmingCharacters(in: .whitespaces)
        if r.hasPrefix("ticket.readings.") { return ticket.readings.contains { "ticket.readings.\($0.name)" == r } }
        if r.hasPrefix("ticket.") { return Self.ticketFields.contains(String(r.dropFirst("ticket.".count))) }
        if r.hasPrefix("store/") {
            let rest = r.dropFirst("store/".count)
            guard let dot = rest.firstIndex(of: "."), let id = UInt64(rest[..<dot]), store(id) != nil else { return false }
            let field = String(rest[rest.index(after: dot)...])
            return Self.storeFields.contains(field)
        }
        if r.hasPrefix("history.") { return history.contains { "history.\($0.name)/\($0.subject)" == r } }
        if r.hasPrefix("sources.") { return sources[String(r.dropFirst("sources.".count))] != nil }
        if r.hasPrefix("regionChecks.") { return regionChecks[String(r.dropFirst("regionChecks.".count))] != nil }
        if r.hasPrefix("plans/") { return plans.contains { "plans/\($0.name)" == r } }
        if r.hasPrefix("similarTickets/") { return similarTickets.contains { "similarTickets/\($0.name)" == r } }
        if r.hasPrefix("settings.") { return ["lowSpaceRatio", "maxStoreDownTime"].contains(String(r.dropFirst("settings.".count))) }
        if r == "incident" || r.hasPrefix("incident.") { return incident != nil }
        if r == "availability" || r.hasPrefix("availability.") { return availability != nil }
        if r == "pd" || r.hasPrefix("pd.") { return pd != nil }
        if r == "isolation" || r.hasPrefix("isolation.") { return isolation != nil }
        return ["schedulers", "pausedSchedulers", "evictLeaderStores", "evictSlowStores", "hotRegions", "events", "operatorsInFlight", "regionCount",
                "prometheusConfigured", "relatedOpenTickets"].contains(r)
    }

    static let ticketFields: Set<String> = ["invariant", "subject", "severity", "summary", "state", "firstSeen", "brokenSince",
                                            "lastSeen", "occurrences", "flapping"]
    static let storeFields: Set<String> = [
        "address", "labels", "state", "stateName", "liveness", "heartbeatAge", "startTime", "leaderCount", "regionCount", "leaderWeight",
        "availablePercent", "capacity", "slowScore", "isBusy", "metrics.up", "metrics.p99Latency", "metrics.writeStall", "metrics.qps", "metrics.age",
        "livenessTransitions", "underMaintenance", "restarts", "recentSlowScores", "slowScoreTrend",
    ]
}
