import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// The fake key-value subject's invariant runs through the core's ticket machinery (`InvariantTickets`), and its
/// ticket's plan through the core's approval, gates and executor: the whole loop, no line of the core written for it.
extension SecondSubjectTests {
    var desired: FakeKVSubject.Desired { FakeKVSubject.Desired(greeting: "hello", gracePeriod: .minutes(1)) }

    /// One health pass of the service, as its reconciler would run it.
    func health(_ snapshot: FakeKVSubject.Snapshot, tickets: [Ticket], at now: Date) -> InvariantTickets.Outcome {
        InvariantTickets.run(InvariantTickets.Pass(
            owner: "kv", registry: FakeKVSubject.invariants, context: FakeKVSubject.HealthReads(desired: desired, snapshot: snapshot),
            observation: snapshot, maxObservationAge: 30, flapWindow: 600, tickets: tickets, now: now))
    }

    @Test func aBrokenInvariantsTicketOpensAndItsPlanRepairsItUntilTheTicketResolves() async throws {
        let service = FakeKVService()
        let executor = FakeKVExecutor(service: service)
        let wrong = FakeKVSubject.Request(key: "greeting", value: "hi")
        await service.apply(wrong)

        // Broken, but within its grace period: a pending ticket keyed `greetingMatches/key/greeting`, nothing to plan yet.
        let first = health(await service.read(at: t0), tickets: [], at: t0)
        let pending = try #require(first.tickets.first)
        #expect(first.tickets.count == 1)
        #expect(pending.name == "kv-greetingmatches-key-greeting")
        #expect(pending.spec.key == "greetingMatches/key/greeting")
        #expect(pending.spec.cluster == "kv")
        #expect(pending.status.state == .pending)
        #expect(first.events.isEmpty)
        #expect(FakeKVSubject.repair(pending, desired) == nil)
        let second = health(await service.read(at: t0 + 30), tickets: first.tickets, at: t0 + 30)
        #expect(second.tickets == first.tickets, "an idle pass changes nothing")

        // Broken for its grace period: the ticket opens, and the service's planner makes a plan of it.
        let opened = health(await service.read(at: t0 + 60), tickets: second.tickets, at: t0 + 60)
        let ticket = try #require(opened.tickets.first)
        #expect(ticket.status.state == .open)
        #expect(opened.events.map(\.reason) == ["TicketOpened"])
        #expect(opened.events.first?.message == "greeting is not hello")
        let plan = try #require(FakeKVSubject.repair(ticket, desired))
        #expect(plan.spec.ticket == ticket.name)

        // Approval → gates → the executor, as for any plan.
        let waiting = pass([plan], await service.read(at: t0 + 61), at: t0 + 61)
        #expect(waiting.calls.isEmpty)
        #expect(waiting.plans[0].status.conditions[type: .blocked]?.reason == Gate.approval.rawValue)
        let vote = approve(plan)
        let sent = pass(waiting.plans, await service.read(at: t0 + 62), votes: [vote], at: t0 + 62)
        let fix = FakeKVSubject.Request(key: "greeting", value: "hello")
        #expect(sent.calls.map(\.call) == [fix])
        var plans = sent.plans
        for call in sent.calls {
            let outcome = await executor.send(call.call)
            plans[0] = PlanExecution.recordOutcome(plans[0], step: call.step, outcome: outcome, policy: ExecutionPolicy(), now: t0 + 62).0
        }
        #expect(await service.received == [wrong, fix])

        // The effect is observed: the plan succeeds, and the same observation resolves the ticket.
        let observed = await service.read(at: t0 + 63)
        let done = pass(plans, observed, votes: [vote], at: t0 + 63)
        #expect(done.plans[0].status.phase == .succeeded)
        let resolved = health(observed, tickets: opened.tickets, at: t0 + 63)
        #expect(resolved.tickets.first?.status.state == .resolved)
        #expect(resolved.events.map(\.reason) == ["TicketResolved"])

        // Broken again within the flap window of resolving: the core reopens it at once and holds it open.
        await service.apply(wrong)
        let again = health(await service.read(at: t0 + 90), tickets: resolved.tickets, at: t0 + 90)
        #expect(again.tickets.first?.status.state == .open)
        #expect(again.tickets.first?.status.flapping == true)
        #expect(again.tickets.first?.status.occurrences == 2)
        #expect(again.events.map(\.reason) == ["TicketFlapping"])
    }

    @Test func anIncompleteOrStaleReadMovesNoTicketAndOthersTicketsAreLeftAlone() async throws {
        let service = FakeKVService()
        await service.apply(FakeKVSubject.Request(key: "greeting", value: "hi"))
        // A TiKV ticket, and one of this owner for an invariant it does not register: not this pass's to move.
        let foreign = Ticket(metadata: ObjectMeta(name: "prod-storedown-store-4"),
                             spec: TicketSpec(cluster: "prod", invariant: "storeDown", subject: "store/4", severity: .critical, summary: "down"))
        let unregistered = Ticket(metadata: ObjectMeta(name: "kv-storedown-store-4"),
                                  spec: TicketSpec(cluster: "kv", invariant: "storeDown", subject: "store/4", severity: .critical, summary: "down"))
        let opened = health(await service.read(at: t0 + 60),
                            tickets: health(await service.read(at: t0), tickets: [foreign, unregistered], at: t0).tickets, at: t0 + 60)
        let open = try #require(opened.tickets.first { $0.spec.invariant == "greetingMatches" })
        #expect(open.status.state == .open)
        #expect(opened.tickets.contains(foreign) && opened.tickets.contains(unregistered))
        #expect(opened.tickets.count == 3)

        await service.apply(FakeKVSubject.Request(key: "greeting", value: "hello"))
        var incomplete = await service.read(at: t0 + 70)
        incomplete.isComplete = false
        incomplete.incompleteReasons = ["kv: timed out"]
        let kept = health(incomplete, tickets: opened.tickets, at: t0 + 70)
        #expect(kept.tickets == opened.tickets)
        #expect(kept.events.isEmpty)
        #expect(kept.notes == ["observation incomplete (kv: timed out): no ticket resolves this pass",
                               "no verdict for greetingMatches: their sources did not answer in full"])

        let stale = health(await service.read(at: t0 + 70), tickets: opened.tickets, at: t0 + 101)
        #expect(!stale.judged)
        #expect(stale.tickets == opened.tickets)
        #expect(stale.notes == ["snapshot is stale (completed 31s ago, more than 30s): tickets left as they are"])

        let resolved = health(await service.read(at: t0 + 101), tickets: opened.tickets, at: t0 + 101)
        #expect(resolved.tickets.first { $0.spec.invariant == "greetingMatches" }?.status.state == .resolved)
        #expect(resolved.tickets.contains(foreign) && resolved.tickets.contains(unregistered))
    }
}
