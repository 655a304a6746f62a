import Foundation
import Testing
@testable import Reconcilers

/// Tickets that share a cause: a consequence names its root, from the snapshot's facts, and its diagnosis names the
/// root's cause instead of contradicting it.
@Suite struct IncidentAttributionTests {
    typealias F = HealthFixtures

    func ticket(_ invariant: String, _ subject: String, state: TicketState = .open, brokenSince: Date = F.t0) -> Ticket {
        var t = Ticket(metadata: ObjectMeta(name: TicketName.make(cluster: "prod", invariant: invariant, subject: subject)),
                       spec: TicketSpec(cluster: "prod", invariant: invariant, subject: subject, severity: .warning, summary: "\(invariant) on \(subject)"))
        t.status.state = state
        t.status.brokenSince = brokenSince
        return t
    }

    func facts(_ snapshot: ClusterSnapshot, history: [StoreHistory] = []) -> IncidentAttribution.Facts {
        IncidentAttribution.Facts(snapshot: snapshot, maintenances: [], history: history, flapWindow: 600, now: F.t0)
    }

    @Test func regionTicketsDuringAnOutageNameTheFirstDeadStoresTicket() throws {
        var snapshot = F.snapshot(stores: (1...6).map { F.store(UInt64($0)) })
        snapshot.stores[3] = F.dead(snapshot.stores[3])
        snapshot.stores[4] = F.dead(snapshot.stores[4])
        let down4 = ticket("storeDown", "store/4", brokenSince: F.t0 - 30), down5 = ticket("storeDown", "store/5", brokenSince: F.t0 - 20)
        let tickets = [down4, down5, ticket("regionHealth", "cluster"), ticket("regionsUnavailable", "cluster")]
        let out = IncidentAttribution.apply(tickets, cluster: "prod", facts: facts(snapshot))
        let health = try #require(out.first { $0.spec.invariant == "regionHealth" }?.status.incident)
        #expect(health.root == down4.name && health.cause == .storeNotAlive && health.store == 4)
        #expect(health.message.contains("also not alive: store 5"))
        #expect(out.first { $0.spec.invariant == "regionsUnavailable" }?.status.incident?.root == down4.name)
        // Roots stay roots; an unchanged attribution leaves the ticket equal.
        #expect(out.filter { $0.spec.invariant == "storeDown" }.allSatisfy { $0.status.incident == nil })
        #expect(IncidentAttribution.apply(out, cluster: "prod", facts: facts(snapshot)) == out)
    }

    @Test func aSkewFollowsPDsEvictionOrARestart() throws {
        var evicting = F.snapshot()
        evicting.schedulers = SchedulerSnapshot(names: ["evict-slow-store-scheduler"], evictSlowStores: [2])
        let slow = ticket("highLatency", "store/2")
        let skew = ticket("leaderSkew", "cluster")
        let byPD = try #require(IncidentAttribution.attribute(skew, tickets: [skew, slow], facts: facts(evicting)))
        #expect(byPD.cause == .slowStoreEvictedByPD && byPD.root == slow.name)

        // Store 3 went away and came back within the window: its (resolved) down ticket is the root.
        let down = ticket("storeDown", "store/3", state: .resolved)
        let history = [StoreHistory(storeID: 3, alive: true, transitions: [F.t0 - 200, F.t0 - 100])]
        let restarted = try #require(IncidentAttribution.attribute(skew, tickets: [skew, down], facts: facts(F.snapshot(), history: history)))
        #expect(restarted.cause == .storeRestarted && restarted.root == down.name && restarted.store == 3)
        // Nothing in the facts: a root of its own.
        #expect(IncidentAttribution.attribute(skew, tickets: [skew], facts: facts(F.snapshot())) == nil)
    }

    /// A restart no pass saw (only PD's start_ts moved) is a cause too, with no down ticket to be its root; a restart
    /// after the skew broke is not its cause.
    @Test func aSkewFollowsARestartShorterThanAPass() throws {
        let skew = ticket("leaderSkew", "cluster", brokenSince: F.t0 - 30)
        let history = [StoreHistory(storeID: 3, alive: true, startTime: F.t0 - 100, restarts: [F.t0 - 100])]
        let restarted = try #require(IncidentAttribution.attribute(skew, tickets: [skew], facts: facts(F.snapshot(), history: history)))
        #expect(restarted.cause == .storeRestarted && restarted.root == nil && restarted.store == 3)
        let later = [StoreHistory(storeID: 3, alive: true, startTime: F.t0 - 10, restarts: [F.t0 - 10])]
        #expect(IncidentAttribution.attribute(skew, tickets: [skew], facts: facts(F.snapshot(), history: later)) == nil)
    }

    /// During a partition the region ticket's diagnosis names the partition, as the store's own does.
    @Test func aConsequenceIsDiagnosedByItsRootsCause() throws {
        var snapshot = F.snapshot(stores: (1...3).map { F.store(UInt64($0)) })
        // Store 3: no heartbeat for a minute, but its process was scraped a moment ago.
        snapshot.stores[2].liveness = .disconnected
        snapshot.stores[2].lastHeartbeat = F.t0 - 60
        snapshot.stores[2].metrics.scrapedAt = F.t0 - 2
        snapshot.regionChecks = F.checks([.downPeer: 40])
        let down = ticket("storeDown", "store/3")
        var health = ticket("regionHealth", "cluster")
        health.status.incident = IncidentAttribution.attribute(health, tickets: [down, health], facts: facts(snapshot))
        #expect(health.status.incident?.root == down.name)
        let context = DiagnosisContextBuilder.build(.init(ticket: health, cluster: F.cluster(), snapshot: snapshot, tickets: [down, health]))
        let d = RulesEngine.diagnose(context, now: F.t0)
        #expect(d.primary.cause == .networkPartition, "\(d.primary)")
        #expect(d.primary.evidence.contains { $0.ref == "incident" })
        #expect(d.alternatives.first?.cause == .storeProcessDown, "what the ticket alone suggested stays as an alternative")
        #expect(d.suggestedActions.isEmpty)
        #expect(d.notes.isEmpty, "\(d.notes)")

        // The root's stored diagnosis, when there is one, is taken as it is.
        var diagnosedDown = down
        diagnosedDown.status.diagnosis = Diagnosis(ticket: down.name, primary: Hypothesis(cause: .storeProcessDown, title: "store 3's process is down", confidence: .high, evidence: []),
                                                   recommendedAction: "restart", provider: "anthropic", model: "m", createdAt: F.t0, contextDigest: "d")
        let rooted = DiagnosisContextBuilder.build(.init(ticket: health, cluster: F.cluster(), snapshot: snapshot, tickets: [diagnosedDown, health]))
        #expect(RulesEngine.diagnose(rooted, now: F.t0).primary.cause == .storeProcessDown)
    }

    @Test func quorumLossIsDiagnosedWithItsStoresAndRoot() throws {
        let snapshot = RegionAvailabilityTests.twoDead(unavailable: 618)
        let down = ticket("storeDown", "store/4")
        var lost = ticket("regionsUnavailable", "cluster")
        lost.status.incident = IncidentAttribution.attribute(lost, tickets: [down, lost], facts: facts(snapshot))
        let context = DiagnosisContextBuilder.build(.init(ticket: lost, cluster: F.cluster(), snapshot: snapshot, tickets: [down, lost]))
        let d = RulesEngine.diagnose(context, now: F.t0)
        #expect(d.primary.cause == .quorumLoss)
        #expect(d.primary.confidence == .high)
        #expect(d.primary.title.contains("618 regions") && d.primary.title.contains("stores 4, 5"))
        #expect(d.primary.evidence.contains { $0.ref == "incident" })
        #expect(d.recommendedAction.contains("Bring stores 4, 5 back"))
        #expect(d.notes.isEmpty, "\(d.notes)")
    }
}
