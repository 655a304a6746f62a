import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// The ticket lifecycle through `HealthReconciler.reconcile`, pass after pass, the way the manager runs it:
/// each pass gets the tickets and the store history the previous one returned.
@Suite struct TicketLifecycleTests {
    typealias F = HealthFixtures
    let t0 = HealthFixtures.t0

    struct Run {
        var cluster = HealthFixtures.cluster()
        var tickets: [Ticket] = []
        var maintenances: [StoreMaintenance] = []

        /// One pass; keeps what the caller would store.
        mutating func pass(_ snapshot: ClusterSnapshot, at now: Date) -> HealthResult {
            let result = HealthReconciler.reconcile(HealthInput(cluster: cluster, snapshot: snapshot, maintenances: maintenances,
                                                                tickets: tickets, now: now))
            tickets = result.tickets
            cluster.status.storeHistory = result.storeHistory
            return result
        }
    }

    func storeTwoDead(at now: Date) -> ClusterSnapshot {
        F.snapshot(stores: [F.store(1, at: now), F.dead(F.store(2, at: now), at: now), F.store(3, at: now)], at: now)
    }

    func storeDownTicket(_ r: HealthResult) -> Ticket? { r.tickets.first { $0.spec.key == "storeDown/store/2" } }

    @Test func pendingDuringGraceThenOpen() throws {
        var run = Run()
        let first = run.pass(storeTwoDead(at: t0), at: t0)
        let pending = try #require(storeDownTicket(first))
        #expect(pending.name == "prod-storedown-store-2")
        #expect(pending.status.state == .pending)
        #expect(pending.status.firstSeen == t0)
        #expect(pending.status.occurrences == 1)
        #expect(pending.status.conditions[type: "Open"]?.reason == "GracePeriod")
        #expect(pending.spec.severity == .critical)
        #expect(pending.status.readings.first { $0.name == "heartbeatAge" }?.value == 60)
        #expect(first.events.isEmpty)

        let second = run.pass(storeTwoDead(at: t0 + 30), at: t0 + 30)
        #expect(storeDownTicket(second) == pending)
        #expect(second.events.isEmpty)

        let third = run.pass(storeTwoDead(at: t0 + 60), at: t0 + 60)
        let open = try #require(storeDownTicket(third))
        #expect(open.status.state == .open)
        #expect(open.status.conditions.isTrue("Open"))
        #expect(open.status.lastSeen == t0 + 60)
        #expect(third.events.map(\.reason) == ["TicketOpened"])
        #expect(third.events.first?.regarding == ObjectReference(kind: "Ticket", name: "prod-storedown-store-2"))
    }

    @Test func resolvesOnlyOnACompleteObservation() throws {
        var run = Run()
        _ = run.pass(storeTwoDead(at: t0), at: t0)
        _ = run.pass(storeTwoDead(at: t0 + 60), at: t0 + 60)
        let open = try #require(run.tickets.first)

        // The store is back, but the region checks timed out: nothing resolves.
        let partial = F.with(F.snapshot(at: t0 + 90)) { $0.sources[.regionChecks] = .partial("miss-peer: timeout") }
        let kept = run.pass(partial, at: t0 + 90)
        #expect(kept.tickets == [open])
        #expect(kept.events.isEmpty)
        #expect(kept.notes.contains { $0.contains("no ticket resolves") })

        // PD unreachable: nothing at all is known.
        let failed = ClusterSnapshot(cluster: "prod", observedAt: t0 + 120, sources: [.stores: .failed("connection refused")])
        #expect(run.pass(failed, at: t0 + 120).tickets == [open])

        let resolved = run.pass(F.snapshot(at: t0 + 150), at: t0 + 150)
        let ticket = try #require(resolved.tickets.first)
        #expect(ticket.status.state == .resolved)
        #expect(ticket.status.resolvedAt == t0 + 150)
        #expect(ticket.status.conditions[type: "Open"]?.status == .false)
        #expect(resolved.events.map(\.reason) == ["TicketResolved"])
        // Resolved tickets are history: kept, and left alone by later healthy passes.
        #expect(run.pass(F.snapshot(at: t0 + 180), at: t0 + 180).tickets == [ticket])
    }

    @Test func unknownMetricNeitherOpensNorResolves() throws {
        var run = Run()
        run.cluster.spec.invariants.highLatency.gracePeriod = .zero
        let slow = F.snapshot(stores: [F.store(1), F.store(2, p99: .value(2)), F.store(3)])
        _ = run.pass(slow, at: t0)
        let open = try #require(run.tickets.first)
        #expect(open.spec.key == "highLatency/store/2")
        #expect(open.status.state == .open)
        let noSeries = F.snapshot(stores: [F.store(1), F.store(2, p99: .noSeries), F.store(3)], at: t0 + 30)
        #expect(run.pass(noSeries, at: t0 + 30).tickets == [open])
        let fast = F.snapshot(stores: [F.store(1), F.store(2, p99: .value(0.01)), F.store(3)], at: t0 + 60)
        #expect(run.pass(fast, at: t0 + 60).tickets.first?.status.state == .resolved)
    }

    @Test func reopenIncrementsOccurrencesWithoutADuplicate() throws {
        var run = Run()
        _ = run.pass(storeTwoDead(at: t0), at: t0)
        _ = run.pass(storeTwoDead(at: t0 + 60), at: t0 + 60)
        _ = run.pass(F.snapshot(at: t0 + 120), at: t0 + 120)
        // Broken again well after the flapping window: a plain reopen, through the grace period again.
        let later = t0 + 3600
        let again = run.pass(storeTwoDead(at: later), at: later)
        #expect(again.tickets.count == 1)
        let ticket = try #require(again.tickets.first)
        #expect(ticket.name == "prod-storedown-store-2")
        #expect(ticket.status.occurrences == 2)
        #expect(ticket.status.state == .pending)
        #expect(ticket.status.firstSeen == t0)
        #expect(ticket.status.brokenSince == later)
        #expect(!ticket.status.flapping)
        let reopened = run.pass(storeTwoDead(at: later + 60), at: later + 60)
        #expect(reopened.tickets.first?.status.state == .open)
        #expect(reopened.events.map(\.reason) == ["TicketOpened"])
    }

    @Test func flappingTicketIsHeldOpenAfterItClears() throws {
        var run = Run()
        run.cluster.spec.invariants.storeDown.gracePeriod = .zero
        _ = run.pass(storeTwoDead(at: t0), at: t0)
        _ = run.pass(F.snapshot(at: t0 + 30), at: t0 + 30)
        #expect(run.tickets.first?.status.state == .resolved)

        // Broken again two minutes after resolving (window 10m): flapping, reopened at once.
        let flap = run.pass(storeTwoDead(at: t0 + 150), at: t0 + 150)
        let flapping = try #require(flap.tickets.first { $0.spec.invariant == "storeDown" })
        #expect(flapping.status.state == .open)
        #expect(flapping.status.flapping)
        #expect(flapping.status.occurrences == 2)
        #expect(flapping.status.conditions.isTrue("Flapping"))
        #expect(flap.events.map(\.reason) == ["TicketFlapping"])

        // It clears: held open for the window instead of resolving.
        let held = try #require(run.pass(F.snapshot(at: t0 + 180), at: t0 + 180).tickets.first { $0.spec.invariant == "storeDown" })
        #expect(held.status.state == .open)
        #expect(held.status.holdUntil == t0 + 180 + 600)
        #expect(held.status.conditions[type: "Open"]?.reason == "HeldWhileFlapping")
        // While held and holding, passes change nothing.
        let idle = run.pass(F.snapshot(at: t0 + 400), at: t0 + 400)
        #expect(idle.tickets.first { $0.spec.invariant == "storeDown" } == held)
        #expect(idle.events.isEmpty)

        // Broken again during the hold: a new occurrence, the hold ends.
        let rebroken = try #require(run.pass(storeTwoDead(at: t0 + 500), at: t0 + 500).tickets.first { $0.spec.invariant == "storeDown" })
        #expect(rebroken.status.occurrences == 3)
        #expect(rebroken.status.holdUntil == nil)
        #expect(rebroken.status.state == .open)

        // Clears, is held, and resolves once the hold has passed.
        _ = run.pass(F.snapshot(at: t0 + 530), at: t0 + 530)
        let stillHeld = run.pass(F.snapshot(at: t0 + 1100), at: t0 + 1100)
        #expect(stillHeld.tickets.first { $0.spec.invariant == "storeDown" }?.status.state == .open)
        let done = run.pass(F.snapshot(at: t0 + 1130), at: t0 + 1130)
        let resolved = try #require(done.tickets.first { $0.spec.invariant == "storeDown" })
        #expect(resolved.status.state == .resolved)
        #expect(!resolved.status.flapping)
        #expect(done.events.map(\.reason) == ["TicketResolved"])
    }

    @Test func blipsWithinTheGracePeriodDoNotFlap() throws {
        var run = Run()
        _ = run.pass(storeTwoDead(at: t0), at: t0)
        let cleared = try #require(run.pass(F.snapshot(at: t0 + 30), at: t0 + 30).tickets.first { $0.spec.invariant == "storeDown" })
        #expect(cleared.status.state == .resolved)
        #expect(cleared.status.conditions[type: "Open"]?.reason == "ClearedInGracePeriod")
        let again = run.pass(storeTwoDead(at: t0 + 60), at: t0 + 60)
        let ticket = try #require(again.tickets.first { $0.spec.invariant == "storeDown" })
        #expect(ticket.status.state == .pending)
        #expect(!ticket.status.flapping)
        #expect(ticket.status.occurrences == 2)
        #expect(again.events.isEmpty)
    }

    @Test func storeFlappingInvariantFromLivenessHistory() throws {
        var run = Run()
        var now = t0
        for i in 0..<4 {
            _ = run.pass(i % 2 == 0 ? F.snapshot(at: now) : storeTwoDead(at: now), at: now)
            now += 60
        }
        // alive → dead → alive → dead: three changes within 10 minutes.
        #expect(run.cluster.status.storeHistory?.first { $0.storeID == 2 }?.transitions.count == 3)
        let flapping = try #require(run.tickets.first { $0.spec.key == "storeFlapping/store/2" })
        #expect(flapping.status.state == .open)
        #expect(flapping.name == "prod-storeflapping-store-2")
    }

    @Test func idlePassesWriteNothingAndLastSeenRefreshesEveryFiveMinutes() throws {
        var run = Run()
        _ = run.pass(storeTwoDead(at: t0), at: t0)
        let opened = run.pass(storeTwoDead(at: t0 + 60), at: t0 + 60)
        var previous = opened.tickets
        var history = run.cluster.status.storeHistory
        // Every 30 s for 4 minutes: the store is still dead (its heartbeat age grows), nothing is written.
        for step in 1...8 {
            let now = t0 + 60 + Double(step * 30)
            let r = run.pass(storeTwoDead(at: now), at: now)
            #expect(r.tickets == previous)
            #expect(r.events.isEmpty)
            #expect(r.storeHistory == history)
            previous = r.tickets
            history = r.storeHistory
        }
        // Five minutes after lastSeen: lastSeen and the readings move, once.
        let refreshed = try #require(run.pass(storeTwoDead(at: t0 + 360), at: t0 + 360).tickets.first)
        #expect(refreshed.status.lastSeen == t0 + 360)
        #expect(refreshed.status.state == .open)
        #expect(refreshed.status.conditions == previous.first?.status.conditions)
        #expect(run.pass(storeTwoDead(at: t0 + 390), at: t0 + 390).tickets == [refreshed])
    }

    @Test func severityAndDisablingFollowTheSpec() throws {
        var run = Run()
        _ = run.pass(storeTwoDead(at: t0), at: t0)
        _ = run.pass(storeTwoDead(at: t0 + 60), at: t0 + 60)
        run.cluster.spec.invariants.storeDown.severity = .warning
        let downgraded = try #require(run.pass(storeTwoDead(at: t0 + 90), at: t0 + 90).tickets.first)
        #expect(downgraded.spec.severity == .warning)
        #expect(downgraded.status.lastSeen == t0 + 90)
        // A disabled invariant finds nothing broken: its ticket resolves on a complete observation.
        run.cluster.spec.invariants.storeDown.enabled = false
        #expect(run.pass(storeTwoDead(at: t0 + 120), at: t0 + 120).tickets.first?.status.state == .resolved)
    }

    @Test func staleSnapshotChangesNothing() {
        var run = Run()
        _ = run.pass(storeTwoDead(at: t0), at: t0)
        let before = run.tickets
        let history = run.cluster.status.storeHistory
        let stale = run.pass(F.snapshot(at: t0 + 60), at: t0 + 600)
        #expect(stale.tickets == before)
        #expect(stale.storeHistory == history)
        #expect(stale.notes.first?.contains("stale") == true)
    }

    @Test func restartRecomputesTheSameResultFromStoredObjects() throws {
        var run = Run()
        _ = run.pass(storeTwoDead(at: t0), at: t0)
        _ = run.pass(storeTwoDead(at: t0 + 60), at: t0 + 60)
        let input = HealthInput(cluster: run.cluster, snapshot: storeTwoDead(at: t0 + 400), tickets: run.tickets, now: t0 + 400)
        // What a restarted controller reads back from the store: the same objects through canonical JSON.
        let cluster = try CanonicalJSON.decode(TiKVCluster.self, from: CanonicalJSON.encode(run.cluster))
        let tickets = try CanonicalJSON.decode([Ticket].self, from: CanonicalJSON.encode(run.tickets))
        #expect(tickets == run.tickets)
        let restarted = HealthInput(cluster: cluster, snapshot: input.snapshot, tickets: tickets, now: input.now)
        #expect(HealthReconciler.reconcile(input) == HealthReconciler.reconcile(restarted))
        #expect(HealthReconciler.reconcile(input) == HealthReconciler.reconcile(input))
    }

    @Test func ticketsOfOtherClustersAndUnknownInvariantsPassThrough() {
        var foreign = Ticket(metadata: ObjectMeta(name: "staging-storedown-store-2"),
                             spec: TicketSpec(cluster: "staging", invariant: "storeDown", subject: "store/2", severity: .critical, summary: "x"))
        foreign.status.state = .open
        var retired = Ticket(metadata: ObjectMeta(name: "prod-oldcheck-cluster"),
                             spec: TicketSpec(cluster: "prod", invariant: "oldCheck", subject: "cluster", severity: .info, summary: "y"))
        retired.status.state = .open
        var run = Run(tickets: [retired, foreign])
        #expect(run.pass(F.snapshot(), at: t0).tickets == [retired, foreign])
    }
}
