import Foundation

/// The offline, deterministic provider: a differential diagnosis per ticket class. Each rule weighs
/// the candidate causes of its invariant against the facts of the context, names the best-supported
/// one, and lists the others with what speaks for and against them. When the data cannot tell the
/// candidates apart it says so (`insufficientData`, low confidence) instead of guessing.
public enum RulesEngine {
    public static let providerName = "rules"
    public static let modelName = "rules-v1"

    public static func diagnose(_ c: DiagnosisContext, now: Date) -> Diagnosis {
        var finding: Finding
        switch InvariantID(rawValue: c.ticket.invariant) {
        case .storeDown: finding = storeDown(c)
        case .storeFlapping: finding = storeFlapping(c)
        case .lowSpace: finding = lowSpace(c)
        case .highLatency, .writeStall: finding = slowStore(c)
        case .hotSpot: finding = hotSpot(c)
        case .leaderSkew, .regionSkew: finding = skew(c)
        case .leftoverScheduler: finding = leftoverScheduler(c)
        case .regionHealth: finding = regionHealth(c)
        case .regionsUnavailable: finding = quorumLoss(c)
        case .regionsAtRisk: finding = quorumAtRisk(c)
        case .pdMembers: finding = pdHealth(c)
        case .replicaIsolation: finding = replicaIsolation(c)
        default: finding = Finding(primary: Hypothesis(cause: .insufficientData, title: "no rule knows invariant \(c.ticket.invariant)",
                                                      confidence: .low, evidence: [Evidence(.fact, "ticket.invariant", c.ticket.invariant)]),
                                  recommended: "Read the ticket's readings and investigate by hand.")
        }
        // A consequence is diagnosed by its root's cause; what the ticket alone suggests becomes an alternative.
        if let incident = c.incident, InvariantID(rawValue: c.ticket.invariant) != .regionsUnavailable {
            finding = consequence(c, incident, own: finding)
        }
        var components = [c.ticket.subject]
        if let id = c.subjectStoreID, let s = c.store(id) { components.append("tikv \(s.address)") }
        components += finding.components
        return DiagnosisValidation.finalize(
            DiagnosisDraft(timeline: timeline(c), affectedComponents: components.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } },
                           readings: readings(c), primary: finding.primary, alternatives: finding.alternatives,
                           recommendedAction: finding.recommended, pdCtlEquivalents: finding.pdCtl, risks: finding.risks,
                           suggestedActions: finding.actions.map { SuggestedActionDraft($0) }),
            context: c, provider: providerName, model: modelName, now: now)
    }

    struct Finding {
        var primary: Hypothesis
        var alternatives: [Alternative] = []
        var recommended: String
        var pdCtl: [String] = []
        var risks: [String] = []
        var actions: [Action] = []
        var components: [String] = []
    }

    // MARK: - Store down: process down, partition, or unknown

    static func storeDown(_ c: DiagnosisContext) -> Finding {
        guard let id = c.subjectStoreID, let s = c.store(id) else { return missingStore(c) }
        let ref = "store/\(id)"
        let hb = Evidence(.fact, "\(ref).heartbeatAge", "PD has had no heartbeat from store \(id) for \(seconds(s.heartbeatAgeSeconds)) (liveness \(s.liveness))")
        let signal = processSignal(s, ref: ref, scraper: scraper(c))
        let pdctl = ["pd-ctl store \(id)", "pd-ctl region check down-peer"]
        let space = s.availablePercent.map { $0 < 5 }
        var diskAlt = Alternative(cause: .diskFull, title: "the disk filled up and TiKV stopped", whyRuledOut: "")
        if space == true {
            diskAlt.supporting.append(Evidence(.fact, "\(ref).availablePercent", "only \(pct(s.availablePercent)) of its disk was free at the last heartbeat"))
            diskAlt.whyRuledOut = "not ruled out: a full disk is a likely reason for the process to stop; check the disk first"
        } else if let p = s.availablePercent {
            diskAlt.contradicting.append(Evidence(.fact, "\(ref).availablePercent", "\(pct(p)) of its disk was free at the last heartbeat"))
            diskAlt.whyRuledOut = "the store had ample free space when last heard from"
        } else {
            diskAlt.whyRuledOut = "PD reports no capacity for the store; nothing points at the disk"
        }
        var flapAlt = Alternative(cause: .flappingStore, title: "the store is flapping rather than down", whyRuledOut: "")
        let earlier = max(0, c.ticket.occurrences - 1)
        if s.livenessTransitions >= 2 || earlier > 0 {
            flapAlt.supporting.append(Evidence(.fact, "\(ref).livenessTransitions", "\(s.livenessTransitions) alive ↔ not-alive changes within the window, \(earlier) earlier occurrence(s)"))
            flapAlt.whyRuledOut = "it is down now; the storeFlapping ticket tracks the pattern"
        } else {
            flapAlt.contradicting.append(Evidence(.fact, "\(ref).livenessTransitions", "no earlier alive ↔ not-alive changes within the window"))
            flapAlt.whyRuledOut = "a single, lasting outage"
        }
        switch signal {
        case .alive(let ev):
            return Finding(
                primary: Hypothesis(cause: .networkPartition, title: "store \(id) is partitioned from PD: its process runs but its heartbeats do not arrive",
                                    // Only a scrape known to be newer than the last heartbeat shows the process running now.
                                    confidence: s.metricsAgeSeconds == nil ? .medium : .high, evidence: [hb] + ev),
                alternatives: [
                    Alternative(cause: .storeProcessDown, title: "the TiKV process of store \(id) is down", supporting: [hb], contradicting: ev,
                                whyRuledOut: "\(scraper(c)) still scrapes the process, so it is running"),
                    diskAlt, flapAlt,
                ],
                recommended: "Check the network between store \(id) (\(s.address)) and PD: firewall rules, routes, DNS, the PD address TiKV is configured with. Do not take the store offline while it is only partitioned: its data is intact.",
                pdCtl: pdctl + ["pd-ctl member"],
                risks: ["Taking a partitioned store offline moves all its replicas needlessly and costs hours of I/O.",
                        "If the partition also isolates it from its raft peers, its regions lose a replica until it heals."])
        case .dead(let ev):
            return Finding(
                primary: Hypothesis(cause: .storeProcessDown, title: "the TiKV process of store \(id) is down (no heartbeats and no metrics)",
                                    confidence: .high, evidence: [hb] + ev),
                alternatives: [
                    Alternative(cause: .networkPartition, title: "store \(id) is partitioned from PD only", supporting: [hb], contradicting: ev,
                                whyRuledOut: "\(scraper(c)) cannot scrape it either, so it is not just the path to PD"),
                    diskAlt, flapAlt,
                ],
                recommended: "Restart TiKV on \(s.address) and read its log for the reason it stopped. If the host is lost for good, take the store offline once it is past max-store-down-time so PD re-replicates its regions.",
                pdCtl: pdctl,
                risks: ["Until it returns or is replaced, its regions run with one replica fewer; a second failure among them loses quorum.",
                        "Taking a store offline moves every replica it held: plan for the I/O."])
        case .unknown(let why):
            return Finding(
                primary: Hypothesis(cause: .insufficientData,
                                    title: "store \(id) sends no heartbeats; PD alone cannot tell a stopped process from a network partition",
                                    confidence: .low, evidence: [hb, why]),
                alternatives: [
                    Alternative(cause: .storeProcessDown, title: "the TiKV process of store \(id) is down", supporting: [hb],
                                whyRuledOut: "not ruled out: no process-level signal (Prometheus) to confirm or refute it"),
                    Alternative(cause: .networkPartition, title: "store \(id) is partitioned from PD", supporting: [hb],
                                whyRuledOut: "not ruled out: no process-level signal (Prometheus) to confirm or refute it"),
                    diskAlt, flapAlt,
                ],
                recommended: "Check whether TiKV runs on \(s.address) (process list, its status port :20180/metrics). "
                    + (c.metricsOrigin != nil && s.metricsAgeSeconds != nil
                        ? "The next diagnosis, on a scrape newer than the last heartbeat, can tell a down process from a partition."
                        : "Configure spec.prometheus so the next diagnosis can tell a down process from a partition."),
                pdCtl: pdctl,
                risks: ["Acting on a guess: offlining a store that is only partitioned moves all its data for nothing."])
        }
    }

    enum ProcessSignal {
        case alive([Evidence])
        case dead([Evidence])
        case unknown(Evidence)
    }

    /// Who scrapes the stores, to begin a sentence: Prometheus, or the controller itself without one.
    static func scraper(_ c: DiagnosisContext) -> String { (c.metricsOrigin ?? .prometheus).scraper }

    /// What the metrics scrape says about the process, independently of PD's heartbeats.
    /// Evidence carries its age: a scrape taken before PD's last heartbeat from the store (older than the
    /// heartbeat age) is not evidence about the process now — PD itself heard from it later — so it supports
    /// neither a running process (a partition) nor a dead one; the finding then says the data cannot tell.
    static func processSignal(_ s: DiagnosisContext.StoreFacts, ref: String, scraper: String) -> ProcessSignal {
        let age = s.metricsAgeSeconds.map { ", scraped \(seconds($0)) before the observation" } ?? ""
        if let scraped = s.metricsAgeSeconds, let heard = s.heartbeatAgeSeconds, scraped > heard, s.scrapedUp != nil {
            return .unknown(Evidence(.metric, "\(ref).metrics.age",
                                     "\(scraper)'s newest scrape of it (up = \(num(s.scrapedUp ?? 0))) is \(seconds(scraped)) old, older than its last heartbeat (\(seconds(heard))): it says nothing about the process now"))
        }
        // A failed scrape is the freshest signal: rate-based readings average a window that may predate the death.
        if s.scrapedUp == 0 { return .dead([Evidence(.metric, "\(ref).metrics.up", "\(scraper) cannot scrape it (up = 0\(age))")]) }
        var alive: [Evidence] = []
        if s.scrapedUp == 1 { alive.append(Evidence(.metric, "\(ref).metrics.up", "\(scraper) scrapes the store's TiKV (up = 1\(age))")) }
        if let q = s.qps { alive.append(Evidence(.metric, "\(ref).metrics.qps", "it still serves \(num(q)) gRPC messages/s")) }
        if let p = s.p99LatencySeconds { alive.append(Evidence(.metric, "\(ref).metrics.p99Latency", "it still reports a p99 latency of \(ms(p))")) }
        if !alive.isEmpty { return .alive(alive) }
        if s.metricsNote == "up: no series" {
            return .dead([Evidence(.metric, "\(ref).metrics.up", "\(scraper) has no series for the store any more: its TiKV is not scraped")])
        }
        return .unknown(Evidence(.fact, "prometheusConfigured", s.metricsNote.map { "no process-level signal: \($0)" } ?? "no process-level signal"))
    }

    // MARK: - Flapping

    static func storeFlapping(_ c: DiagnosisContext) -> Finding {
        guard let id = c.subjectStoreID, let s = c.store(id) else { return missingStore(c) }
        let ref = "store/\(id)"
        var ev = [Evidence(.fact, "\(ref).livenessTransitions", "\(s.livenessTransitions) alive ↔ not-alive changes within the flapping window")]
        if s.restarts > 0 {
            // A restart shorter than a pass shows only in PD's start_ts.
            ev.insert(Evidence(.fact, "\(ref).restarts", "its process started anew \(s.restarts) time(s) within the flapping window (PD's start_ts)"), at: 0)
        }
        if c.ticket.occurrences > 1 { ev.append(Evidence(.fact, "ticket.occurrences", "the ticket broke again \(c.ticket.occurrences - 1) time(s)")) }
        let now = s.liveness == "alive" ? "alive right now" : "not alive right now (\(s.liveness))"
        ev.append(Evidence(.fact, "\(ref).liveness", "it is \(now)"))
        return Finding(
            primary: Hypothesis(cause: .flappingStore, title: "store \(id) keeps going up and down", confidence: max(s.livenessTransitions, s.restarts) >= 3 ? .high : .medium, evidence: ev),
            alternatives: [
                Alternative(cause: .storeProcessDown, title: "a single outage of store \(id)", supporting: s.liveness == "alive" ? [] : [ev[ev.count - 1]],
                            contradicting: [ev[0]], whyRuledOut: "it came back and went away again several times"),
                Alternative(cause: .slowDisk, title: "an overloaded store missing heartbeats", supporting: PDSlowScore.isSlow(s.slowScore) ? [Evidence(.fact, "\(ref).slowScore", "slow score \(s.slowScore)")] : [],
                            contradicting: !PDSlowScore.isSlow(s.slowScore) ? [Evidence(.fact, "\(ref).slowScore", "slow score \(s.slowScore) is normal")] : [],
                            whyRuledOut: PDSlowScore.isSlow(s.slowScore) ? "not ruled out: a slow store can miss heartbeats" : "PD's slow score is normal"),
            ],
            recommended: "Find why store \(id) restarts or loses its link: TiKV log (panics, OOM kills), the host's kernel log, the NIC. Keep it out of leader scheduling meanwhile if clients suffer.",
            pdCtl: ["pd-ctl store \(id)", "pd-ctl scheduler add evict-leader-scheduler \(id)"],
            risks: ["Each flap moves leaders away and back, which clients see as latency spikes.",
                    "Evicting leaders from it concentrates load on the other stores."],
            actions: [.store(.addEvictLeaderScheduler, id)])
    }

    /// The slow score's course over the last passes that saw it change, when there is one: rising means the disk is
    /// still getting worse, falling that it is recovering (PD releases an eviction only once it is back at 1).
    static func slowScoreCourse(_ s: DiagnosisContext.StoreFacts, ref: String) -> [Evidence] {
        guard s.recentSlowScores.count >= 2 else { return [] }
        let course = s.recentSlowScores.map(String.init).joined(separator: " → ")
        return [Evidence(.fact, "\(ref).slowScoreTrend", "its slow score is \(s.slowScoreTrend) (\(course) over the last passes)")]
    }

    // MARK: - Disk full

    static func lowSpace(_ c: DiagnosisContext) -> Finding {
        guard let id = c.subjectStoreID, let s = c.store(id) else { return missingStore(c) }
        let ref = "store/\(id)"
        let ev = [Evidence(.fact, "\(ref).availablePercent", "\(pct(s.availablePercent)) of the disk is free"),
                  Evidence(.fact, "settings.lowSpaceRatio", "PD counts a store as low on space below \(pct((1 - c.lowSpaceRatio) * 100)) free")]
        let others = c.stores.filter { $0.id != id && $0.liveness == "alive" }
        let meanRegions = others.isEmpty ? 0 : Double(others.map(\.regionCount).reduce(0, +)) / Double(others.count)
        let heavy = meanRegions > 0 && Double(s.regionCount) > 1.3 * meanRegions
        let regionsEv = Evidence(.fact, "\(ref).regionCount", "it holds \(s.regionCount) regions; the other stores \(num(meanRegions)) on average")
        return Finding(
            primary: Hypothesis(cause: .diskFull, title: "store \(id)'s disk is nearly full", confidence: .high, evidence: ev),
            alternatives: [
                Alternative(cause: .regionImbalance, title: "PD piled more regions on store \(id) than on the others",
                            supporting: heavy ? [regionsEv] : [], contradicting: heavy ? [] : [regionsEv],
                            whyRuledOut: heavy ? "not ruled out: it holds clearly more regions; rebalancing would relieve it" : "it holds no more regions than the others: the data itself grew, or the disk is shared or small"),
            ],
            recommended: "Add disk space or stores. PD stops placing regions on it and moves some away, but a store that runs out of disk stops writing. Check for other data on the same disk.",
            pdCtl: ["pd-ctl store \(id)", "pd-ctl config show replication", "pd-ctl config show | grep space-ratio"],
            risks: ["Below about 5 % free, RocksDB stalls writes; at 0 TiKV stops.", "Raising low-space-ratio only postpones the problem."])
    }

    // MARK: - Slow store: slow disk, hot region, leader imbalance, full disk

    static func slowStore(_ c: DiagnosisContext) -> Finding {
        guard let id = c.subjectStoreID, let s = c.store(id) else { return missingStore(c) }
        let ref = "store/\(id)"
        let others = c.stores.filter { $0.id != id && $0.liveness == "alive" && $0.state == "Up" }
        var symptom: [Evidence] = []
        if let p = s.p99LatencySeconds {
            let otherP99 = others.compactMap(\.p99LatencySeconds)
            let typical = otherP99.isEmpty ? nil : otherP99.sorted()[otherP99.count / 2]
            symptom.append(Evidence(.metric, "\(ref).metrics.p99Latency", "p99 gRPC latency \(ms(p))" + (typical.map { " while the other stores' median is \(ms($0))" } ?? "")))
        }
        if let w = s.writeStallSeconds, w > 0 { symptom.append(Evidence(.metric, "\(ref).metrics.writeStall", "RocksDB write stall p99 \(ms(w))")) }
        symptom += c.ticket.readings.filter { $0.value != nil && $0.name != "threshold" }.prefix(1).map {
            Evidence(.metric, "ticket.readings.\($0.name)", "\($0.name) = \(num($0.value ?? 0)) \($0.unit) when the ticket was last seen")
        }

        let flow = Dictionary(grouping: c.hotRegions, by: \.storeID).mapValues { $0.map(\.bytesPerSecond).reduce(0, +) }
        let own = flow[id] ?? 0
        let othersFlow = others.isEmpty ? 0 : others.map { flow[$0.id] ?? 0 }.reduce(0, +) / Double(others.count)
        let hot = own > 0 && own > 3 * max(othersFlow, 1)
        let hotEv = Evidence(.fact, "hotRegions", "hot flow led from store \(id): \(bytes(own))/s; the other stores \(bytes(othersFlow))/s on average")

        let meanLeaders = others.isEmpty ? 0 : Double(others.map(\.leaderCount).reduce(0, +)) / Double(others.count)
        let leaderHeavy = meanLeaders > 0 && Double(s.leaderCount) > 1.5 * meanLeaders
        let leaderEv = Evidence(.fact, "\(ref).leaderCount", "it leads \(s.leaderCount) regions; the other stores \(num(meanLeaders)) on average")

        let full = (s.availablePercent ?? 100) < 10
        let spaceEv = Evidence(.fact, "\(ref).availablePercent", "\(pct(s.availablePercent)) of its disk is free")
        // TiKV's disk probe, whatever the traffic: slow from PD's line of 80; between it and the floor of 1 the disk is
        // not yet known to be healthy (the score falls 100 → 1 in five minutes once it is).
        var slowEv: [Evidence] = []
        if PDSlowScore.isSlow(s.slowScore) {
            slowEv = [Evidence(.fact, "\(ref).slowScore", "PD's slow score for it is \(s.slowScore) (disk I/O latency as TiKV measures it, whatever the traffic)")]
        } else if s.slowScore > PDSlowScore.recovered {
            slowEv = [Evidence(.fact, "\(ref).slowScore", "PD's slow score for it is \(s.slowScore): under PD's slow line of \(PDSlowScore.slow), not yet back at \(PDSlowScore.recovered)")]
        }
        if !slowEv.isEmpty { slowEv += slowScoreCourse(s, ref: ref) }

        var alternatives: [Alternative] = []
        let primary: Hypothesis
        var recommended: String
        var pdCtl = ["pd-ctl store \(id)"]
        var actions: [Action] = []
        var risks: [String] = []
        if full {
            primary = Hypothesis(cause: .diskFull, title: "store \(id) is slow because its disk is nearly full (RocksDB throttles writes)", confidence: .high, evidence: symptom + [spaceEv])
            recommended = "Free or add disk space on store \(id); see its lowSpace ticket."
        } else if hot {
            primary = Hypothesis(cause: .hotRegion, title: "store \(id) is slow because it serves a hot region's traffic", confidence: .medium, evidence: symptom + [hotEv])
            recommended = "Spread the hot region's load: let PD's hot-region scheduler move its leader, or split the region. Check the application's access pattern (a hot key, a sequential insert)."
            if let top = c.hotRegions.first(where: { $0.storeID == id }) { pdCtl += ["pd-ctl region \(top.regionID)", "pd-ctl operator add split-region \(top.regionID) --policy=scan"] }
            pdCtl.append("pd-ctl hot write")
            risks.append("Moving the leader moves the problem unless the region is split or the access pattern changes.")
        } else if leaderHeavy {
            primary = Hypothesis(cause: .leaderImbalance, title: "store \(id) is slow because it leads far more regions than the others", confidence: .medium, evidence: symptom + [leaderEv])
            recommended = "Rebalance leaders (see the leaderSkew ticket and its plan); check that balance-leader-scheduler runs and no evict-leader scheduler holds other stores."
            pdCtl.append("pd-ctl scheduler show")
        } else if symptom.isEmpty && slowEv.isEmpty {
            primary = Hypothesis(cause: .insufficientData, title: "store \(id) was reported slow, but no latency or stall reading is at hand now", confidence: .low,
                                 evidence: [Evidence(.fact, "sources.metrics", c.sources["metrics"] ?? "unknown")])
            recommended = "Check \(c.metricsOrigin == .metricsEndpoint ? "the stores' /metrics endpoints" : "Prometheus"): the readings that opened the ticket are not available in this context."
        } else if c.evictSlowStores.contains(id) {
            // PD is already acting: its evict-slow-store scheduler moves the leaders away and gives them back once the
            // disk has been healthy for its recovery duration. A second eviction would only compete with it.
            var pdActs = [Evidence(.fact, "evictSlowStores", "PD's evict-slow-store-scheduler is already evicting store \(id)'s leaders")]
            if s.p99LatencySeconds == nil || s.qps == 0 {
                // Drained: its own latency fell with its traffic; the slow score is what still shows the disk.
                pdActs.append(Evidence(.metric, "\(ref).metrics.qps", "it serves \(s.qps.map(num) ?? "no measured") requests/s: with its leaders gone its latency says nothing, the slow score does"))
            }
            primary = Hypothesis(cause: .slowDisk, title: "store \(id) has a slow disk, and PD is already evicting its leaders", confidence: .high,
                                 evidence: symptom + slowEv + pdActs)
            recommended = "PD is already acting: its evict-slow-store scheduler moves store \(id)'s leaders away and returns them once the disk recovers. Check the disk of \(s.address) (iostat, a failing device, a noisy neighbour); no eviction by the controller is needed."
            pdCtl.append("pd-ctl scheduler config evict-slow-store-scheduler")
            risks = ["The other stores carry store \(id)'s leaders until PD releases it (30 minutes after its slow score recovers by default)."]
        } else {
            primary = Hypothesis(cause: .slowDisk, title: "store \(id) is slow on its own: slow disk or I/O, not load", confidence: slowEv.isEmpty ? .medium : .high,
                                 evidence: symptom + slowEv + [Evidence(.fact, "\(ref).leaderCount", "its load is ordinary: \(s.leaderCount) leaders against \(num(meanLeaders)) on average")])
            recommended = "Check the disk of \(s.address): I/O latency and utilisation (iostat), a failing device, a noisy neighbour. If it stays slow, evict its leaders so clients stop waiting on it."
            pdCtl.append("pd-ctl scheduler add evict-leader-scheduler \(id)")
            actions = [.store(.addEvictLeaderScheduler, id)]
            risks = ["Evicting leaders moves read/write load onto the other stores.", "Remember to remove the evict-leader scheduler once the disk is fixed."]
        }
        if primary.cause != .slowDisk {
            alternatives.append(Alternative(cause: .slowDisk, title: "a slow disk on store \(id)", supporting: slowEv,
                                            contradicting: [], whyRuledOut: "a load or space explanation fits the facts; a slow disk is not excluded but not needed"))
        }
        if primary.cause != .hotRegion {
            alternatives.append(Alternative(cause: .hotRegion, title: "a hot region on store \(id)", supporting: hot ? [hotEv] : [], contradicting: hot ? [] : [hotEv],
                                            whyRuledOut: hot ? "a stronger explanation exists" : "its hot flow is not out of line with the other stores"))
        }
        if primary.cause != .leaderImbalance {
            alternatives.append(Alternative(cause: .leaderImbalance, title: "too many leaders on store \(id)", supporting: leaderHeavy ? [leaderEv] : [],
                                            contradicting: leaderHeavy ? [] : [leaderEv],
                                            whyRuledOut: leaderHeavy ? "a stronger explanation exists" : "it leads no more regions than the others"))
        }
        if primary.cause != .diskFull {
            alternatives.append(Alternative(cause: .diskFull, title: "a nearly full disk throttling writes", contradicting: [spaceEv], whyRuledOut: "the disk has room"))
        }
        return Finding(primary: primary, alternatives: alternatives, recommended: recommended, pdCtl: pdCtl, risks: risks, actions: actions)
    }

    // MARK: - Hot spot

    static func hotSpot(_ c: DiagnosisContext) -> Finding {
        guard let id = c.subjectStoreID, let s = c.store(id) else { return missingStore(c) }
        let ref = "store/\(id)"
        let mine = c.hotRegions.filter { $0.storeID == id }
        let own = mine.map(\.bytesPerSecond).reduce(0, +)
        let top = mine.first
        var ev = c.ticket.readings.filter { $0.name.hasSuffix("BytesPerSecond") }.map {
            Evidence(.metric, "ticket.readings.\($0.name)", "\($0.name) = \(bytes($0.value ?? 0))/s")
        }
        if let top { ev.append(Evidence(.fact, "hotRegions", "region \(top.regionID) alone carries \(bytes(top.bytesPerSecond))/s of \(top.direction) flow (\(pct(own > 0 ? top.bytesPerSecond / own * 100 : 0)) of the store's hot flow)")) }
        let others = c.stores.filter { $0.id != id && $0.liveness == "alive" && $0.state == "Up" }
        let meanLeaders = others.isEmpty ? 0 : Double(others.map(\.leaderCount).reduce(0, +)) / Double(others.count)
        let leaderHeavy = meanLeaders > 0 && Double(s.leaderCount) > 1.5 * meanLeaders
        let leaderEv = Evidence(.fact, "\(ref).leaderCount", "it leads \(s.leaderCount) regions; the other stores \(num(meanLeaders)) on average")
        var pdCtl = ["pd-ctl hot \(top?.direction ?? "write")"]
        if let top { pdCtl += ["pd-ctl region \(top.regionID)", "pd-ctl operator add split-region \(top.regionID) --policy=scan"] }
        // A hot-spot plan already split this region's range and moved this half here: its flow came along whole, so one
        // key carries it, and moving it on would only move the hot spot.
        if let top, let moved = c.plans.first(where: { p in
            p.concern.hasPrefix("hot-spot-store-") && p.phase == PlanPhase.succeeded.rawValue
                && p.steps.contains { $0.hasPrefix("transfer leader of region \(top.regionID) from store ") && $0.hasSuffix(" to store \(id)") }
        }) {
            ev.append(Evidence(.fact, "plans/\(moved.name)", "plan \(moved.name) moved region \(top.regionID)'s leader to store \(id), and its flow came along"))
            return Finding(
                primary: Hypothesis(cause: .hotRegion, title: "region \(top.regionID) on store \(id) is hot: a single hot key, whose flow follows its leader",
                                    confidence: .high, evidence: ev),
                recommended: "Splitting no further helps: one key carries the flow, and moving its leader only moves the hot spot (no hot-spot plan moves it again within the hour). Consider the application's key design: spread the key's writes over several keys, or cache its reads.",
                pdCtl: pdCtl,
                risks: ["Moving the region's leader again only moves the hot spot to another store."])
        }
        return Finding(
            primary: Hypothesis(cause: .hotRegion, title: top.map { "region \($0.regionID) on store \(id) is hot" } ?? "store \(id) carries hot-region flow",
                                confidence: top != nil && !leaderHeavy ? .high : .medium, evidence: ev),
            alternatives: [
                Alternative(cause: .leaderImbalance, title: "store \(id) simply leads more regions", supporting: leaderHeavy ? [leaderEv] : [],
                            contradicting: leaderHeavy ? [] : [leaderEv],
                            whyRuledOut: leaderHeavy ? "not ruled out: part of the flow follows its extra leaders" : "its leader count is ordinary; the flow is concentrated in few regions"),
            ],
            recommended: "Approve the hot-spot plan (it splits the hot region, then moves the hotter half's leader to the coolest store that may lead it), or let PD's hot-region scheduler spread it (check it is not paused). Look for a hot key or a sequential-write pattern in the application.",
            pdCtl: pdCtl + ["pd-ctl scheduler show"],
            risks: ["Splitting or moving a region briefly adds latency for its keys."])
    }

    // MARK: - Skew: imbalance, a leftover scheduler, weights

    static func skew(_ c: DiagnosisContext) -> Finding {
        let leaders = c.ticket.invariant == InvariantID.leaderSkew.rawValue
        let count: (DiagnosisContext.StoreFacts) -> Int = { leaders ? $0.leaderCount : $0.regionCount }
        let live = c.stores.filter { $0.liveness == "alive" && $0.state == "Up" }
        let mean = live.isEmpty ? 0 : Double(live.map(count).reduce(0, +)) / Double(live.count)
        let high = live.max { (count($0), $1.id) < (count($1), $0.id) }
        let low = live.min { (count($0), $1.id) < (count($1), $0.id) }
        let noun = leaders ? "leaders" : "regions"
        var ev: [Evidence] = []
        if let high { ev.append(Evidence(.fact, "store/\(high.id).\(leaders ? "leaderCount" : "regionCount")", "store \(high.id) holds \(count(high)) \(noun); the mean is \(num(mean))")) }
        if let low, low.id != high?.id { ev.append(Evidence(.fact, "store/\(low.id).\(leaders ? "leaderCount" : "regionCount")", "store \(low.id) holds \(count(low))")) }
        let held = c.evictLeaderStores.filter { id in live.contains { $0.id == id } }
        let balancer = leaders ? "balance-leader-scheduler" : "balance-region-scheduler"
        let balancerOff = !c.schedulers.contains(balancer) || c.pausedSchedulers.contains(balancer)
        let balancerEv = Evidence(.fact, balancerOff && c.pausedSchedulers.contains(balancer) ? "pausedSchedulers" : "schedulers",
                                  balancerOff ? "\(balancer) is \(c.pausedSchedulers.contains(balancer) ? "paused" : "not running")" : "\(balancer) runs")
        let weights = Set(live.map(\.leaderWeight)).count > 1
        let weightsEv = Evidence(.fact, "store/\(high?.id ?? 0).leaderWeight", weights ? "leader weights differ between stores" : "all leader weights are equal")
        let heldEv = Evidence(.fact, "evictLeaderStores", held.isEmpty ? "no evict-leader scheduler holds a store" : "the evict-leader scheduler holds store(s) \(held.map(String.init).joined(separator: ", "))")

        if leaders, !held.isEmpty {
            return Finding(
                primary: Hypothesis(cause: .leftoverScheduler, title: "an evict-leader scheduler keeps leaders off store \(held[0])", confidence: .high, evidence: ev + [heldEv]),
                alternatives: [
                    Alternative(cause: .leaderImbalance, title: "PD's leader balancing fell behind", supporting: ev, contradicting: [heldEv],
                                whyRuledOut: "the held store cannot take leaders whatever the balancer does"),
                ],
                recommended: "If no maintenance needs it, remove the evict-leader scheduler for store \(held[0]); PD then rebalances leaders on its own.",
                pdCtl: ["pd-ctl scheduler show", "pd-ctl scheduler config evict-leader-scheduler", "pd-ctl scheduler remove evict-leader-scheduler-\(held[0])"],
                risks: ["If a maintenance is in progress on that store, removing the scheduler brings leaders back to it."],
                actions: held.map { .store(.removeEvictLeaderScheduler, $0) })
        }
        let cause: DiagnosisCause = leaders ? .leaderImbalance : .regionImbalance
        return Finding(
            primary: Hypothesis(cause: cause, title: "\(noun) are unevenly spread" + (high.map { ", concentrated on store \($0.id)" } ?? ""),
                                confidence: balancerOff ? .high : .medium, evidence: ev + [balancerEv]),
            alternatives: [
                Alternative(cause: .leftoverScheduler, title: "a leftover evict-leader scheduler", contradicting: [heldEv], whyRuledOut: "no store is held"),
                Alternative(cause: .other, title: "intended by store weights", supporting: weights ? [weightsEv] : [], contradicting: weights ? [] : [weightsEv],
                            whyRuledOut: weights ? "not ruled out: the skew may follow the weights; the target already accounts for them" : "the weights are equal"),
            ],
            recommended: balancerOff ? "Resume or re-add \(balancer); then approve the balance plan if the skew persists." : "Approve the balance plan the controller proposed, or let PD's \(balancer) catch up (check its schedule limits).",
            pdCtl: ["pd-ctl scheduler show", "pd-ctl config show | grep \(leaders ? "leader" : "region")-schedule-limit", "pd-ctl store"],
            risks: ["Moving many \(noun) at once adds load; keep the schedule limits."])
    }

    // MARK: - Leftover scheduler

    static func leftoverScheduler(_ c: DiagnosisContext) -> Finding {
        guard let id = c.subjectStoreID else { return missingStore(c) }
        var ev = [Evidence(.fact, "evictLeaderStores", "the evict-leader scheduler holds store \(id)")]
        if let s = c.store(id) {
            ev.append(Evidence(.fact, "store/\(id).underMaintenance", s.underMaintenance ? "a StoreMaintenance covers it" : "no StoreMaintenance covers it"))
            ev.append(Evidence(.fact, "store/\(id).leaderCount", "it leads \(s.leaderCount) regions"))
        }
        let related = c.plans.filter { $0.steps.contains { $0.contains("store \(id)") } }
        let planEv = related.map { Evidence(.fact, "plans/\($0.name)", "plan \($0.name) (\($0.phase)) touched store \(id)") }
        return Finding(
            primary: Hypothesis(cause: .leftoverScheduler, title: "an evict-leader scheduler was left behind on store \(id)", confidence: .high, evidence: ev + planEv),
            alternatives: [
                Alternative(cause: .other, title: "a maintenance done by hand, still in progress", whyRuledOut: "not ruled out by the data: ask whoever added it; no StoreMaintenance declares one"),
            ],
            recommended: "Remove the evict-leader scheduler for store \(id) unless someone is still working on the store.",
            pdCtl: ["pd-ctl scheduler config evict-leader-scheduler", "pd-ctl scheduler remove evict-leader-scheduler-\(id)"],
            risks: ["Leaders return to store \(id): if it is about to be worked on, they will have to leave again."],
            actions: [.store(.removeEvictLeaderScheduler, id)])
    }

    // MARK: - Regions and PD

    static func regionHealth(_ c: DiagnosisContext) -> Finding {
        let checks = c.regionChecks.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        let ev = checks.map { Evidence(.fact, "regionChecks.\($0.key)", "\($0.value) region(s) with \($0.key)") }
        let dead = c.stores.filter { $0.liveness != "alive" && $0.state != "Tombstone" }
        let deadEv = dead.map { Evidence(.fact, "store/\($0.id).liveness", "store \($0.id) is \($0.liveness)") }
        if !dead.isEmpty {
            return Finding(
                primary: Hypothesis(cause: .storeProcessDown, title: "regions lost replicas because store(s) \(dead.map { String($0.id) }.joined(separator: ", ")) are not alive",
                                    confidence: .medium, evidence: ev + deadEv),
                recommended: "Follow the storeDown ticket(s); the regions heal when the store returns or PD re-replicates after max-store-down-time.",
                pdCtl: ["pd-ctl region check down-peer", "pd-ctl region check miss-peer"])
        }
        return Finding(
            primary: Hypothesis(cause: .unhealthyRegions, title: "regions are missing or have unhealthy peers while every store is alive", confidence: .medium, evidence: ev),
            recommended: "Look at the listed regions; pending peers usually catch up; persistent miss-peer regions mean PD cannot place a replica (labels, capacity).",
            pdCtl: ["pd-ctl region check miss-peer", "pd-ctl region check pending-peer", "pd-ctl config placement-rules show"])
    }

    // MARK: - Quorum loss

    static func quorumLoss(_ c: DiagnosisContext) -> Finding {
        guard let a = c.availability, a.unavailableRegions > 0 else {
            return Finding(primary: Hypothesis(cause: .insufficientData, title: "no count of regions without a quorum in this observation", confidence: .low,
                                               evidence: [Evidence(.fact, "sources.availability", c.sources["availability"] ?? "unknown")]),
                           recommended: "Wait for a complete observation of the stores that are not alive.")
        }
        let lostStores = Array(Set(a.lostTo.keys.flatMap { $0.split(separator: "+").compactMap { UInt64($0) } })).sorted()
        let stores = lostStores.map(String.init).joined(separator: ", ")
        let count = a.exact ? "\(a.unavailableRegions)" : "at least \(a.unavailableRegions)"
        var ev = [Evidence(.fact, "availability", "\(count) regions have a majority of their voters on stores that are not alive"
                           + (a.exact ? "" : " (stores \(a.storesUnread.map(String.init).joined(separator: ", ")) not read)"))]
        ev += a.lostTo.sorted { $0.key < $1.key }.map { Evidence(.fact, "availability.lostTo", "\($0.value) regions lost their quorum to stores \($0.key.replacingOccurrences(of: "+", with: " and "))") }
        ev += lostStores.compactMap { id in c.store(id).map { Evidence(.fact, "store/\(id).liveness", "store \(id) is \($0.liveness), no heartbeat for \(seconds($0.heartbeatAgeSeconds))") } }
        if !a.sample.isEmpty { ev.append(Evidence(.fact, "availability.sample", "e.g. regions " + a.sample.prefix(3).joined(separator: "; "))) }
        var why = ""
        if let incident = c.incident {
            ev.append(Evidence(.fact, "incident", "root: \(incident.message)" + (incident.rootTicket.map { " (ticket \($0))" } ?? "")))
            if let cause = incident.rootDiagnosedCause, let title = incident.rootDiagnosisTitle { why = "; the root's diagnosis: \(title) (\(cause))" }
        }
        return Finding(
            primary: Hypothesis(cause: .quorumLoss, title: "\(count) regions lost their Raft quorum: stores \(stores) are not alive\(why)",
                                confidence: a.exact ? .high : .medium, evidence: ev),
            alternatives: [
                Alternative(cause: .unhealthyRegions, title: "regions that only lost a replica", contradicting: [ev[0]],
                            whyRuledOut: "a majority of their voters is gone: PD cannot re-replicate them, no leader can be elected"),
            ],
            recommended: "Bring stores \(stores) back (restart TiKV; restore the host or its network): every region recovers with no data lost. Only if they cannot come back, PD's online unsafe recovery (the unsafe-recovery plan, two approvers) gives them up: writes only they had applied are lost and ranges with no surviving replica come back empty.",
            pdCtl: ["pd-ctl store " + (lostStores.first.map(String.init) ?? ""), "pd-ctl region check down-peer",
                    "pd-ctl unsafe remove-failed-stores \(lostStores.map(String.init).joined(separator: ","))", "pd-ctl unsafe remove-failed-stores show"],
            risks: ["Reads and writes to these key ranges fail until the quorum is back.",
                    "Unsafe recovery is irreversible: data only the failed stores held is lost, and they can never rejoin."],
            components: lostStores.map { "store/\($0)" })
    }

    static func quorumAtRisk(_ c: DiagnosisContext) -> Finding {
        let a = c.availability
        let n = a.map { "\($0.atRiskRegions)" } ?? "some"
        let dead = c.stores.filter { $0.liveness != "alive" && $0.state != "Tombstone" }
        let ev = [Evidence(.fact, "availability", "\(n) regions keep their quorum only while every alive voter stays up")]
            + dead.map { Evidence(.fact, "store/\($0.id).liveness", "store \($0.id) is \($0.liveness)") }
        return Finding(
            primary: Hypothesis(cause: .storeProcessDown, title: "\(n) regions are one failure from losing their quorum: store(s) \(dead.map { String($0.id) }.joined(separator: ", ")) not alive",
                                confidence: .medium, evidence: ev),
            recommended: "Bring the store back or let PD re-replicate its regions (offline it past max-store-down-time); avoid restarting or draining any other store meanwhile.",
            pdCtl: ["pd-ctl region check down-peer", "pd-ctl region check miss-peer"],
            risks: ["One more store failure makes these regions unavailable."])
    }

    // MARK: - Consequences

    /// The root's cause, taken from the root ticket's own diagnosis when it has one, else from the same rules applied to
    /// the root's store, so a consequence never contradicts its root.
    static func consequence(_ c: DiagnosisContext, _ incident: DiagnosisContext.IncidentFacts, own: Finding) -> Finding {
        let rootRef = Evidence(.fact, "incident", incident.message + (incident.rootTicket.map { " (ticket \($0))" } ?? ""))
        var cause: DiagnosisCause
        var title: String
        var evidence = [rootRef]
        switch TicketIncident.Cause(rawValue: incident.cause) {
        case .storeNotAlive?:
            if let diagnosed = incident.rootDiagnosedCause.flatMap(DiagnosisCause.init(rawValue:)), let rootTitle = incident.rootDiagnosisTitle {
                cause = diagnosed
                title = rootTitle
            } else {
                var root = c
                root.ticket.invariant = InvariantID.storeDown.rawValue
                root.ticket.subject = HealthSubject.store(incident.store)
                let derived = storeDown(root).primary
                cause = derived.cause
                title = derived.title
                evidence += derived.evidence
            }
        case .storeRestarted?:
            cause = .storeProcessDown
            title = "store \(incident.store) restarted"
        case .storeFlapping?:
            cause = .flappingStore
            title = "store \(incident.store) keeps going up and down"
        case .slowStoreEvictedByPD?:
            cause = .slowDisk
            title = "store \(incident.store) is slow and PD's evict-slow-store-scheduler is draining it"
        case .evictLeaderScheduler?:
            cause = .leftoverScheduler
            title = "an evict-leader scheduler holds store \(incident.store)"
        case .storeBeingRemoved?, nil:
            cause = .other
            title = "store \(incident.store) is being removed"
        }
        let follows = "\(c.ticket.invariant) follows from it: \(title)"
        var f = own
        f.alternatives.insert(Alternative(cause: own.primary.cause, title: own.primary.title, supporting: own.primary.evidence,
                                          whyRuledOut: "a symptom of the incident's root (\(incident.message)), not a cause of its own"), at: 0)
        f.primary = Hypothesis(cause: cause, title: follows, confidence: own.primary.confidence == .low ? .low : .medium, evidence: evidence)
        f.recommended = "Part of the incident rooted at \(incident.rootTicket.map { "ticket \($0)" } ?? incident.message): work on the root; this ticket clears when it does. "
            + (cause == .slowDisk ? "PD is already acting; no balance or eviction plan is needed." : "No plan is proposed for it while its root is open.")
        f.actions = []
        return f
    }

    static func missingStore(_ c: DiagnosisContext) -> Finding {
        Finding(primary: Hypothesis(cause: .insufficientData, title: "the ticket's store is not in the current observation", confidence: .low,
                                    evidence: [Evidence(.fact, "ticket.subject", c.ticket.subject), Evidence(.fact, "sources.stores", c.sources["stores"] ?? "unknown")]),
                recommended: "Wait for a complete observation of the store list.")
    }

    // MARK: - Common parts

    static func timeline(_ c: DiagnosisContext) -> [TimelineEntry] {
        var out: [TimelineEntry] = []
        if let id = c.subjectStoreID, let s = c.store(id), let age = s.heartbeatAgeSeconds {
            out.append(TimelineEntry(at: CanonicalJSON.formatDate(c.observedAt.addingTimeInterval(-age)), event: "last heartbeat from store \(id)"))
        }
        if let t = c.ticket.firstSeen { out.append(TimelineEntry(at: CanonicalJSON.formatDate(t), event: "first seen: \(c.ticket.invariant) on \(c.ticket.subject)")) }
        if let t = c.ticket.brokenSince, t != c.ticket.firstSeen { out.append(TimelineEntry(at: CanonicalJSON.formatDate(t), event: "broken again (occurrence \(c.ticket.occurrences))")) }
        for e in c.events.filter({ $0.regarding.hasSuffix("/\(c.ticket.name)") }).prefix(5) {
            out.append(TimelineEntry(at: CanonicalJSON.formatDate(e.at), event: "\(e.reason): \(e.message)"))
        }
        out.append(TimelineEntry(at: CanonicalJSON.formatDate(c.observedAt), event: "observation this diagnosis is based on"))
        return out.sorted { $0.at < $1.at }
    }

    static func readings(_ c: DiagnosisContext) -> [DiagnosisReading] {
        var out = c.ticket.readings
        if let id = c.subjectStoreID, let s = c.store(id) {
            let subject = "store/\(id)"
            let metrics = (c.metricsOrigin ?? .prometheus).readingPrefix
            out += [
                DiagnosisReading(name: "up", subject: subject, value: s.scrapedUp, unit: "bool", source: "\(metrics):up"),
                DiagnosisReading(name: "p99Latency", subject: subject, value: s.p99LatencySeconds, unit: "seconds", source: "\(metrics):grpc_p99_seconds"),
                DiagnosisReading(name: "leaderCount", subject: subject, value: Double(s.leaderCount), unit: "regions", source: "pd:/pd/api/v1/stores"),
                DiagnosisReading(name: "availablePercent", subject: subject, value: s.availablePercent, unit: "percent", source: "pd:/pd/api/v1/stores"),
            ]
        }
        return out
    }

    static func seconds(_ s: Double?) -> String { s.map { "\(Int($0))s" } ?? "ever" }
    static func pct(_ p: Double?) -> String { p.map { String(format: "%.1f %%", $0) } ?? "unknown" }
    static func ms(_ s: Double) -> String { String(format: "%.0f ms", s * 1000) }
    public static func num(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x) }
    static func bytes(_ b: Double) -> String {
        b >= 1_048_576 ? String(format: "%.1f MiB", b / 1_048_576) : b >= 1024 ? String(format: "%.1f KiB", b / 1024) : "\(Int(b)) B"
    }
}
