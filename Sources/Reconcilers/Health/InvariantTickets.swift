import Foundation

/// How any subject's invariants become tickets: one pass judges every registered invariant and moves each of the
/// owner's tickets one step (`TicketLifecycle`), keyed by `invariant/subject`. Pure: same input, same result. TiKV's
/// health reconciler is this plus its store history; a second subject brings its registry and what its invariants read.
public enum InvariantTickets {
    public struct Pass<Context> {
        /// Whose tickets these are (a ticket's `spec.cluster`); the tickets of another owner pass through untouched.
        public var owner: String
        public var registry: InvariantRegistry<Context>
        /// What the invariants read this pass.
        public var context: Context
        /// The observation the context holds: a stale one moves nothing, an incomplete one resolves nothing.
        public var observation: any SubjectSnapshot
        public var maxObservationAge: TimeInterval
        /// A ticket that breaks again within this long of resolving is flapping, and is held open this long.
        public var flapWindow: TimeInterval
        /// Every stored ticket of the owner, in any state.
        public var tickets: [Ticket]
        public var now: Date

        public init(owner: String, registry: InvariantRegistry<Context>, context: Context, observation: any SubjectSnapshot,
                    maxObservationAge: TimeInterval, flapWindow: TimeInterval, tickets: [Ticket], now: Date) {
            self.owner = owner
            self.registry = registry
            self.context = context
            self.observation = observation
            self.maxObservationAge = maxObservationAge
            self.flapWindow = flapWindow
            self.tickets = tickets
            self.now = now
        }
    }

    public struct Outcome: Sendable, Equatable {
        /// Every ticket after this pass, sorted by name: new ones, changed ones, and unchanged ones **equal to their
        /// input** (the caller writes only those that differ, so an idle pass writes nothing).
        public var tickets: [Ticket]
        /// TicketOpened / TicketReopened / TicketFlapping / TicketResolved, for people.
        public var events: [Event]
        /// One line per pass for the logs: what was judged and why nothing resolved when nothing could.
        public var notes: [String]
        /// False when the observation was stale: nothing was judged, every ticket is as it was.
        public var judged: Bool
        /// The invariants that could not say whether they hold, each with why ("its source did not answer in full",
        /// "no reading for store/1, store/2"): while any is here, health is unknown, not good.
        public var unknown: [InvariantUnknown] = []
    }

    public static func run<Context>(_ pass: Pass<Context>) -> Outcome {
        let now = pass.now
        let observation = pass.observation
        let sortedInput = pass.tickets.sorted { $0.name < $1.name }

        // An old observation says nothing about now: it neither opens nor resolves anything.
        guard observation.isFresh(at: now, maxAge: pass.maxObservationAge) else {
            return Outcome(tickets: sortedInput, events: [], notes: [
                "snapshot is stale (completed \(Int(now.timeIntervalSince(observation.completedAt)))s ago, more than \(Int(pass.maxObservationAge))s): tickets left as they are",
            ], judged: false, unknown: pass.registry.ids.map { InvariantUnknown(invariant: $0, why: "the observation is stale") })
        }

        let verdicts = Dictionary(uniqueKeysWithValues: pass.registry.evaluate(pass.context).map { ($0.invariant, $0) })
        let mayResolve = observation.isComplete
        var notes: [String] = []
        if !mayResolve {
            notes.append("observation incomplete (\(observation.incompleteReasons.joined(separator: "; "))): no ticket resolves this pass")
        }
        let unjudged = verdicts.values.filter { !$0.judged }.map(\.invariant.rawValue).sorted()
        if !unjudged.isEmpty { notes.append("no verdict for \(unjudged.joined(separator: ", ")): their sources did not answer in full") }

        // The stored ticket per key; a ticket of another owner, of an invariant not registered here or a second one
        // for a key already seen is passed through untouched.
        var byKey: [String: Ticket] = [:]
        var untouched: [Ticket] = []
        for ticket in sortedInput {
            guard ticket.spec.cluster == pass.owner, pass.registry.definition(InvariantID(rawValue: ticket.spec.invariant)) != nil,
                  byKey[ticket.spec.key] == nil else {
                untouched.append(ticket)
                continue
            }
            byKey[ticket.spec.key] = ticket
        }
        var subjects: [String: (InvariantID, String)] = [:]
        for ticket in byKey.values {
            subjects[ticket.spec.key] = (InvariantID(rawValue: ticket.spec.invariant), ticket.spec.subject)
        }
        for verdict in verdicts.values {
            for v in verdict.violations { subjects[v.key] = (v.invariant, v.subject) }
        }

        var tickets = untouched
        var events: [Event] = []
        for key in subjects.keys.sorted() {
            guard let (invariant, subject) = subjects[key], let verdict = verdicts[invariant] else { continue }
            let context = TicketLifecycle.Context(
                cluster: pass.owner, invariant: invariant, subject: subject,
                grace: pass.registry.gracePeriod(invariant, pass.context).timeInterval,
                flapWindow: pass.flapWindow, mayResolve: mayResolve, now: now)
            let (ticket, newEvents) = TicketLifecycle.advance(byKey[key], finding: verdict.finding(for: subject), context)
            if let ticket { tickets.append(ticket) }
            events += newEvents
        }
        return Outcome(tickets: tickets.sorted { $0.name < $1.name }, events: events, notes: notes, judged: true,
                       unknown: verdicts.values.compactMap(InvariantUnknown.init).sorted { $0.invariant < $1.invariant })
    }
}
