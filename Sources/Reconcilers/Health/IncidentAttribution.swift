import Foundation

/// Groups tickets that share a cause into incidents: a consequence ticket gets `status.incident`, naming its cause and
/// the root ticket when the cause has one. Decided from facts the snapshot already holds — store liveness, the store
/// history's liveness changes, PD's evict-slow-store and evict-leader schedulers, Offline stores and the maintenances
/// that ask for them — and the tickets of this pass. Pure; a ticket whose attribution did not change comes back equal.
///
/// | consequence | cause, in this order |
/// |---|---|
/// | `regionsUnavailable`, `regionsAtRisk`, `regionHealth` | a store that is not alive (its `storeFlapping` or `storeDown` ticket, the earliest broken first); for `regionHealth` also an Offline store no maintenance asked for |
/// | `leaderSkew`, `regionSkew` | PD's evict-slow-store draining a store (its `highLatency` ticket); a store not alive; a store that went away and came back, or whose process restarted (PD's `start_ts`), within the flapping window (restart); an evict-leader scheduler no maintenance covers (its `leftoverScheduler` ticket); an Offline store no maintenance asked for |
///
/// A cause must come first: a dead store counts only if its last heartbeat is no later than the ticket broke, a restart
/// only if the store went away no later than that. Every other ticket is a root (or stands alone). Resolved tickets
/// keep the attribution they had, as history.
public enum IncidentAttribution {
    public struct Facts: Sendable {
        public var snapshot: ClusterSnapshot
        public var maintenances: [StoreMaintenance]
        public var history: [StoreHistory]
        public var flapWindow: TimeInterval
        public var now: Date

        public init(snapshot: ClusterSnapshot, maintenances: [StoreMaintenance], history: [StoreHistory], flapWindow: TimeInterval,
                    now: Date) {
            self.snapshot = snapshot
            self.maintenances = maintenances
            self.history = history
            self.flapWindow = flapWindow
            self.now = now
        }
    }

    /// `tickets` with each unresolved ticket's incident brought up to date. The stores and the schedulers must have
    /// answered in full: otherwise every attribution stays as it was (a failed scheduler list hides an eviction).
    public static func apply(_ tickets: [Ticket], cluster: String, facts: Facts) -> [Ticket] {
        guard facts.snapshot.answered(.stores, .schedulers) else { return tickets }
        let mine = tickets.filter { $0.spec.cluster == cluster }
        return tickets.map { ticket in
            guard ticket.spec.cluster == cluster, ticket.status.state != .resolved else { return ticket }
            let incident = attribute(ticket, tickets: mine, facts: facts)
            guard incident != ticket.status.incident else { return ticket }
            var t = ticket
            t.status.incident = incident
            return t
        }
    }

    /// The cause of one ticket, or nil when it is a root.
    public static func attribute(_ ticket: Ticket, tickets: [Ticket], facts: Facts) -> TicketIncident? {
        let finder = Finder(tickets: tickets, facts: facts, since: ticket.status.brokenSince ?? facts.now)
        switch InvariantID(rawValue: ticket.spec.invariant) {
        case .regionsUnavailable:
            let holding = facts.snapshot.availability?.storesHoldingLostVoters ?? []
            return finder.notAlive(preferring: holding)
        case .regionsAtRisk:
            return finder.notAlive(preferring: [])
        case .regionHealth:
            return finder.notAlive(preferring: []) ?? finder.beingRemoved()
        case .leaderSkew, .regionSkew:
            return finder.evictedByPD() ?? finder.notAlive(preferring: []) ?? finder.restarted() ?? finder.evictLeader()
                ?? finder.beingRemoved()
        default:
            return nil
        }
    }

    /// The facts and the tickets that can be a root, looked up by store.
    struct Finder {
        let tickets: [Ticket]
        let facts: Facts
        /// When the ticket being attributed broke: a cause cannot come after its consequence (a skew that was there
        /// before a store died is not that store's doing).
        let since: Date
        var snapshot: ClusterSnapshot { facts.snapshot }

        /// The unresolved ticket of `invariant` on `store`.
        func live(_ invariant: InvariantID, _ store: UInt64) -> Ticket? {
            tickets.first { $0.spec.invariant == invariant.rawValue && $0.spec.subject == HealthSubject.store(store) && $0.status.state != .resolved }
        }

        /// The store's flapping ticket when it has one, else its down ticket.
        func downRoot(_ store: UInt64) -> (Ticket, TicketIncident.Cause)? {
            if let t = live(.storeFlapping, store) { return (t, .storeFlapping) }
            if let t = live(.storeDown, store) { return (t, .storeNotAlive) }
            return nil
        }

        func notAlive(preferring preferred: [UInt64]) -> TicketIncident? {
            let dead = snapshot.stores.filter { !$0.isTombstone && $0.liveness != .alive && ($0.lastHeartbeat ?? .distantPast) <= since }
                .map(\.id).sorted()
            guard !dead.isEmpty else { return nil }
            let candidates = preferred.filter(dead.contains).isEmpty ? dead : preferred.filter(dead.contains)
            // The store that went first is the root; the others are named beside it.
            let rooted = candidates.compactMap { id in downRoot(id).map { (id, $0.0, $0.1) } }
                .min { ($0.1.status.brokenSince ?? .distantFuture, $0.0) < ($1.1.status.brokenSince ?? .distantFuture, $1.0) }
            let store = rooted?.0 ?? candidates[0]
            let liveness = snapshot.store(store)?.liveness.rawValue ?? "unknown"
            let others = dead.filter { $0 != store }
            let also = others.isEmpty ? "" : "; also not alive: \(RegionAvailabilityCheck.storeList(others))"
            let what = rooted?.2 == .storeFlapping ? "keeps going up and down (\(liveness) now)" : "is not alive (\(liveness))"
            return TicketIncident(cause: rooted?.2 ?? .storeNotAlive, store: store, root: rooted?.1.name, message: "store \(store) \(what)\(also)")
        }

        func evictedByPD() -> TicketIncident? {
            guard let store = snapshot.schedulers.evictSlowStores.sorted().first else { return nil }
            return TicketIncident(cause: .slowStoreEvictedByPD, store: store, root: live(.highLatency, store)?.name,
                                  message: "PD's evict-slow-store-scheduler drains slow store \(store)'s leaders")
        }

        func restarted() -> TicketIncident? {
            let horizon = facts.now.addingTimeInterval(-facts.flapWindow)
            // Back from an outage the passes saw, or a new process PD's start_ts shows (a restart shorter than a pass).
            func back(_ h: StoreHistory) -> Date? {
                guard h.alive else { return nil }
                return (h.transitions + h.restarts).filter { $0 > horizon && $0 <= since }.max()
            }
            guard let (h, at) = facts.history.compactMap({ h in back(h).map { (h, $0) } }).max(by: { $0.1 < $1.1 }) else { return nil }
            // Its down ticket is usually resolved by now: the latest one is still the root of what followed (a restart
            // no pass saw has none).
            let down = tickets.filter { $0.spec.invariant == InvariantID.storeDown.rawValue && $0.spec.subject == HealthSubject.store(h.storeID) }
                .max { ($0.status.brokenSince ?? .distantPast) < ($1.status.brokenSince ?? .distantPast) }
            if let flapping = live(.storeFlapping, h.storeID) {
                return TicketIncident(cause: .storeFlapping, store: h.storeID, root: flapping.name,
                                      message: "store \(h.storeID) keeps going up and down (back since \(CanonicalJSON.formatDate(at)))")
            }
            return TicketIncident(cause: .storeRestarted, store: h.storeID, root: down?.name,
                                  message: "store \(h.storeID) came back at \(CanonicalJSON.formatDate(at)) without its leaders; PD's balancers give them back over time")
        }

        func evictLeader() -> TicketIncident? {
            let covered = Set(facts.maintenances.filter { m in m.spec.until.map { facts.now < $0 } ?? true }.map(\.spec.storeID))
            guard let store = snapshot.schedulers.evictLeaderStores.sorted().first(where: { !covered.contains($0) }) else { return nil }
            let root = tickets.first { $0.spec.invariant == InvariantID.leftoverScheduler.rawValue
                && $0.spec.subject == HealthSubject.evictLeaderScheduler(store: store) && $0.status.state != .resolved }
            return TicketIncident(cause: .evictLeaderScheduler, store: store, root: root?.name,
                                  message: "an evict-leader scheduler no maintenance covers holds store \(store)")
        }

        func beingRemoved() -> TicketIncident? {
            let asked = Set(facts.maintenances.filter(\.spec.offline).map(\.spec.storeID))
            guard let store = snapshot.stores.filter({ $0.state == .offline && !$0.isTombstone && !asked.contains($0.id) }).map(\.id).min() else {
                return nil
            }
            return TicketIncident(cause: .storeBeingRemoved, store: store, root: nil,
                                  message: "store \(store) is Offline (being removed) with no StoreMaintenance asking for it: PD moves its replicas away")
        }
    }
}
