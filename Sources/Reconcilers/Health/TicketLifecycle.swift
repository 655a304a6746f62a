import Foundation
import PDWire

/// How one ticket moves in one pass, given what its invariant found on its subject.
///
/// ```
///            broken ≥ grace                  holds (complete observation)
/// Pending ───────────────────▶ Open ───────────────────────────────────▶ Resolved
///    │ holds (complete)          ▲ │ holds while flapping: holdUntil = now + window;         │
///    └──────▶ Resolved           │ └ stays Open until holdUntil passes and it still holds    │
///                                └────────── broken again: occurrences + 1 ──────────────────┘
///                                   (→ Pending for the grace period, or straight to Open and
///                                    flapping when it broke again within the window of resolving)
/// ```
/// An unknown finding (source down, no reading) changes nothing, and nothing resolves unless the
/// caller says the observation was complete (`mayResolve`).
///
/// **Idle passes write nothing.** A ticket whose invariant is still broken is rewritten only when its
/// state, severity or summary changes, or when its `lastSeen` is older than `lastSeenRefresh`
/// (5 minutes); only then are `lastSeen` and the readings refreshed. So `lastSeen` is accurate to
/// 5 minutes and a lasting breakage costs one write per 5 minutes, not one per pass.
public enum TicketLifecycle {
    public static let lastSeenRefresh: TimeInterval = 5 * 60

    public struct Context: Sendable {
        public var cluster: String
        public var invariant: InvariantID
        public var subject: String
        /// How long the invariant must stay broken before the ticket opens.
        public var grace: TimeInterval
        /// A ticket that breaks again within this long of resolving is flapping, and a flapping ticket
        /// stays open this long after its invariant holds again.
        public var flapWindow: TimeInterval
        /// The observation was complete and fresh: tickets may resolve.
        public var mayResolve: Bool
        public var now: Date

        public init(cluster: String, invariant: InvariantID, subject: String, grace: TimeInterval, flapWindow: TimeInterval,
                    mayResolve: Bool, now: Date) {
            self.cluster = cluster
            self.invariant = invariant
            self.subject = subject
            self.grace = grace
            self.flapWindow = flapWindow
            self.mayResolve = mayResolve
            self.now = now
        }
    }

    /// The ticket after this pass (nil: there is none and none is needed) and the events for people.
    public static func advance(_ ticket: Ticket?, finding: InvariantVerdict.Finding, _ context: Context) -> (Ticket?, [Event]) {
        switch (ticket, finding) {
        case (nil, .broken(let violation)):
            return create(violation, context)
        case (nil, _):
            return (nil, [])
        case (let ticket?, .unknown):
            return (ticket, [])
        case (let ticket?, .broken(let violation)):
            return stillBroken(ticket, violation, context)
        case (let ticket?, .holds):
            return context.mayResolve ? holds(ticket, context) : (ticket, [])
        }
    }

    private static func create(_ v: Violation, _ c: Context) -> (Ticket?, [Event]) {
        let name = TicketName.make(cluster: c.cluster, invariant: v.invariant.rawValue, subject: v.subject)
        var t = Ticket(
            metadata: ObjectMeta(name: name, labels: ["operator.tikv/cluster": c.cluster, "operator.tikv/invariant": v.invariant.rawValue]),
            spec: TicketSpec(cluster: c.cluster, invariant: v.invariant.rawValue, subject: v.subject, severity: v.severity, summary: v.summary))
        t.status.state = c.grace <= 0 ? .open : .pending
        t.status.firstSeen = c.now
        t.status.brokenSince = c.now
        t.status.occurrences = 1
        t.status.lastSeen = c.now
        t.status.readings = v.readings
        setConditions(&t, c)
        let events = t.status.state == .open ? [event(t, .warning, "TicketOpened", v.summary, c)] : []
        return (t, events)
    }

    private static func stillBroken(_ ticket: Ticket, _ v: Violation, _ c: Context) -> (Ticket?, [Event]) {
        var t = ticket
        var events: [Event] = []
        var refresh = false
        switch t.status.state {
        case .resolved:
            // Only a ticket that was open flaps; one that cleared within its grace period was a blip the
            // grace period is there to absorb.
            let wasOpen = t.status.conditions[type: "Open"]?.reason == Reason.resolved
            let flapping = wasOpen && (t.status.resolvedAt.map { c.now.timeIntervalSince($0) < c.flapWindow } ?? false)
            t.status.occurrences += 1
            t.status.brokenSince = c.now
            t.status.resolvedAt = nil
            t.status.holdUntil = nil
            t.status.flapping = flapping
            t.status.state = flapping || c.grace <= 0 ? .open : .pending
            if flapping {
                events.append(event(t, .warning, "TicketFlapping",
                                    "\(v.summary): broke again within \(duration(c.flapWindow)) of resolving; reopened and held open", c))
            } else if t.status.state == .open {
                events.append(event(t, .warning, "TicketReopened", v.summary, c))
            }
            refresh = true
        case .pending:
            let since = t.status.brokenSince ?? t.status.firstSeen ?? c.now
            if c.now.timeIntervalSince(since) >= c.grace {
                t.status.state = .open
                events.append(event(t, .warning, "TicketOpened", v.summary, c))
                refresh = true
            }
        case .open:
            // Broken again while held open after a flap: it held for a while, so this is a new occurrence.
            if t.status.holdUntil != nil {
                t.status.holdUntil = nil
                t.status.occurrences += 1
                refresh = true
            }
        }
        if t.spec.severity != v.severity || t.spec.summary != v.summary {
            t.spec.severity = v.severity
            t.spec.summary = v.summary
            refresh = true
        }
        if let last = t.status.lastSeen, c.now.timeIntervalSince(last) < lastSeenRefresh, !refresh {
            return (ticket, events)
        }
        t.status.lastSeen = c.now
        t.status.readings = v.readings
        setConditions(&t, c)
        return (t, events)
    }

    private static func holds(_ ticket: Ticket, _ c: Context) -> (Ticket?, [Event]) {
        var t = ticket
        switch t.status.state {
        case .resolved:
            return (ticket, [])
        case .pending:
            // Never opened: it resolves quietly.
            resolve(&t, c, reason: Reason.clearedInGrace)
            return (t, [])
        case .open:
            if t.status.flapping {
                guard let until = t.status.holdUntil else {
                    t.status.holdUntil = c.now.addingTimeInterval(c.flapWindow)
                    setConditions(&t, c)
                    return (t, [])
                }
                if c.now < until { return (ticket, []) }
            }
            resolve(&t, c, reason: Reason.resolved)
            return (t, [event(t, .normal, "TicketResolved", "resolved: \(t.spec.summary)", c)])
        }
    }

    /// Reasons of the `Open` condition that later passes read back.
    enum Reason {
        static let resolved = "Resolved"
        static let clearedInGrace = "ClearedInGracePeriod"
    }

    private static func resolve(_ t: inout Ticket, _ c: Context, reason: String) {
        t.status.state = .resolved
        t.status.resolvedAt = c.now
        t.status.holdUntil = nil
        t.status.flapping = false
        setConditions(&t, c, resolvedReason: reason)
    }

    private static func setConditions(_ t: inout Ticket, _ c: Context, resolvedReason: String = Reason.resolved) {
        let generation = t.metadata.generation
        switch t.status.state {
        case .pending:
            t.status.conditions.set("Open", .false, reason: "GracePeriod",
                                    message: "broken for less than the grace period of \(duration(c.grace))",
                                    observedGeneration: generation, now: c.now)
        case .open:
            if let until = t.status.holdUntil {
                t.status.conditions.set("Open", .true, reason: "HeldWhileFlapping",
                                        message: "holds again, but stays open until \(CanonicalJSON.formatDate(until)) because it flaps",
                                        observedGeneration: generation, now: c.now)
            } else {
                t.status.conditions.set("Open", .true, reason: "Broken", message: t.spec.summary,
                                        observedGeneration: generation, now: c.now)
            }
        case .resolved:
            t.status.conditions.set("Open", .false, reason: resolvedReason, message: resolvedReason == Reason.resolved
                                        ? "the invariant holds on a complete observation"
                                        : "the invariant held again within the grace period",
                                    observedGeneration: generation, now: c.now)
        }
        if t.status.flapping {
            t.status.conditions.set("Flapping", .true, reason: "BrokeAgainSoon",
                                    message: "broke again within \(duration(c.flapWindow)) of resolving",
                                    observedGeneration: generation, now: c.now)
        } else {
            t.status.conditions.set("Flapping", .false, reason: "Stable", message: "", observedGeneration: generation, now: c.now)
        }
    }

    private static func event(_ t: Ticket, _ type: EventType, _ reason: String, _ message: String, _ c: Context) -> Event {
        Event(regarding: ObjectReference(kind: TicketKind.kind, name: t.name), type: type, reason: reason, message: message,
              firstTimestamp: c.now, lastTimestamp: c.now)
    }

    private static func duration(_ seconds: TimeInterval) -> String {
        GoDuration(nanoseconds: Int64(seconds * 1e9)).description
    }
}
