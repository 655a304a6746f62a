import Foundation
import PDWire

/// Health invariants become tickets: every pass runs every invariant over the snapshot and moves each
/// ticket one step (`TicketLifecycle`). Pure: same input, same result.
public enum HealthReconciler {
    public static func reconcile(_ input: HealthInput) -> HealthResult {
        let spec = input.cluster.spec
        let snapshot = input.snapshot
        let now = input.now
        let previousHistory = input.cluster.status.storeHistory ?? []
        let sortedInput = input.tickets.sorted { $0.name < $1.name }

        // An old observation says nothing about now: it neither opens nor resolves anything.
        let maxAge = maxSnapshotAge(spec)
        guard snapshot.isFresh(at: now, maxAge: maxAge) else {
            return HealthResult(tickets: sortedInput, events: [], storeHistory: previousHistory,
                                notes: ["snapshot is stale (completed \(Int(now.timeIntervalSince(snapshot.completedAt)))s ago, more than \(Int(maxAge))s): tickets left as they are"])
        }

        let history = StoreLivenessHistory.update(previousHistory, snapshot: snapshot, window: spec.invariants.storeFlapping.window, now: now)
        let verdicts = Dictionary(uniqueKeysWithValues: evaluate(spec, snapshot, input.maintenances, history: history, now: now).map { ($0.invariant, $0) })
        let mayResolve = snapshot.isComplete
        var notes: [String] = []
        if !mayResolve {
            notes.append("observation incomplete (\(snapshot.incompleteReasons.joined(separator: "; "))): no ticket resolves this pass")
        }
        let unjudged = verdicts.values.filter { !$0.judged }.map(\.invariant.rawValue).sorted()
        if !unjudged.isEmpty { notes.append("no verdict for \(unjudged.joined(separator: ", ")): their sources did not answer in full") }

        // The stored ticket per key; a ticket of another cluster, of an unknown invariant or a second one
        // for a key already seen is passed through untouched.
        var byKey: [String: Ticket] = [:]
        var untouched: [Ticket] = []
        for ticket in sortedInput {
            guard ticket.spec.cluster == input.cluster.name, InvariantID(rawValue: ticket.spec.invariant) != nil,
                  byKey[ticket.spec.key] == nil else {
                untouched.append(ticket)
                continue
            }
            byKey[ticket.spec.key] = ticket
        }
        var subjects: [String: (InvariantID, String)] = [:]
        for ticket in byKey.values {
            if let id = InvariantID(rawValue: ticket.spec.invariant) { subjects[ticket.spec.key] = (id, ticket.spec.subject) }
        }
        for verdict in verdicts.values {
            for v in verdict.violations { subjects[v.key] = (v.invariant, v.subject) }
        }

        var tickets = untouched
        var events: [Event] = []
        for key in subjects.keys.sorted() {
            guard let (invariant, subject) = subjects[key], let verdict = verdicts[invariant] else { continue }
            let context = TicketLifecycle.Context(
                cluster: input.cluster.name, invariant: invariant, subject: subject,
                grace: gracePeriod(invariant, spec.invariants).timeInterval,
                flapWindow: spec.invariants.storeFlapping.window.timeInterval, mayResolve: mayResolve, now: now)
            let (ticket, newEvents) = TicketLifecycle.advance(byKey[key], finding: verdict.finding(for: subject), context)
            if let ticket { tickets.append(ticket) }
            events += newEvents
        }
        return HealthResult(tickets: tickets.sorted { $0.name < $1.name }, events: events, storeHistory: history, notes: notes)
    }

    /// Every registered invariant's verdict on one snapshot, in `InvariantID` order.
    public static func evaluate(_ spec: TiKVClusterSpec, _ snapshot: ClusterSnapshot, _ maintenances: [StoreMaintenance],
                                history: [StoreLivenessHistory], now: Date) -> [InvariantVerdict] {
        let context = InvariantContext(spec: spec, snapshot: snapshot, maintenances: maintenances, history: history, now: now)
        return InvariantRegistry.tikv.map { $0.evaluate(context) }.sorted { $0.invariant < $1.invariant }
    }

    /// A snapshot is fresh when it completed no longer than one resync period (at least 30 s) ago.
    public static func maxSnapshotAge(_ spec: TiKVClusterSpec) -> TimeInterval {
        max(spec.resyncPeriod.timeInterval, 30)
    }

    /// How long an invariant must stay broken before its ticket opens (its registered definition says).
    static func gracePeriod(_ invariant: InvariantID, _ inv: Invariants) -> GoDuration {
        InvariantRegistry.definition(invariant)?.gracePeriod(inv) ?? .zero
    }
}
