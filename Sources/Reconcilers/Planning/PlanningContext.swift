import Foundation

/// What every planner reads in one pass, derived once from the input: which stores may take work,
/// which are held by maintenance or evicted, which regions have an operator in flight.
struct PlanningContext: Sendable {
    let clusterName: String
    let spec: TiKVClusterSpec
    let snapshot: ClusterSnapshot
    let now: Date
    /// This cluster's maintenances, sorted by creation time then name (the order that admits them).
    let maintenances: [StoreMaintenance]
    /// Maintenances whose `until` has not passed.
    let activeMaintenances: [StoreMaintenance]
    let maintainedStores: Set<UInt64>
    let evictedStores: Set<UInt64>
    let regionsWithOperator: Set<UInt64>
    /// Open tickets of this cluster, sorted by name.
    let openTickets: [Ticket]
    /// Every ticket of this cluster, in any state.
    let allTickets: [Ticket]
    /// Every plan of this cluster as stored.
    let plans: [RemediationPlan]
    /// Alive stores that take no leaders for now: an open slow or flapping ticket says they would serve
    /// them badly, and a store that went away and came back within the flapping window may be about to go
    /// again (a restart loop is recognised only at its third change): leaders moved onto it would be
    /// stranded. One change alone (a store first seen before its first heartbeat) settles nothing.
    let unsettledStores: Set<UInt64>
    /// The one rule for legal targets (`TargetLegality`), with this pass's maintenances and unsettled stores.
    let legality: TargetLegality
    /// Stores whose recent past argues for a person's look before leaders go there: an open ticket on the store, a
    /// liveness change within the flapping window, or PD's evict-slow-store evicting it. A step that sends leaders to
    /// one (a move, or removing an eviction that kept them away) is never low risk.
    let cautionedTargets: [UInt64: String]
    /// The same without the open tickets (PD's eviction, recent liveness changes).
    private let cautionedBeyondTickets: [UInt64: String]

    init(_ input: PlanningInput) {
        clusterName = input.cluster.name
        spec = input.cluster.spec
        snapshot = input.snapshot
        now = input.now
        maintenances = input.maintenances
            .filter { $0.spec.cluster == input.cluster.name }
            .sorted { ($0.metadata.creationTimestamp ?? .distantPast, $0.name) < ($1.metadata.creationTimestamp ?? .distantPast, $1.name) }
        activeMaintenances = maintenances.filter { !Self.hasEnded($0, at: input.now) }
        maintainedStores = Set(activeMaintenances.map(\.spec.storeID))
        evictedStores = Set(input.snapshot.schedulers.evictLeaderStores)
        regionsWithOperator = Set(input.snapshot.operators.map(\.regionID))
        openTickets = input.tickets
            .filter { $0.status.state == .open && $0.spec.cluster == input.cluster.name }
            .sorted { $0.name < $1.name }
        allTickets = input.tickets.filter { $0.spec.cluster == input.cluster.name }
        plans = input.plans
        let horizon = input.now.addingTimeInterval(-input.cluster.spec.invariants.storeFlapping.window.timeInterval)
        let changed = (input.cluster.status.storeHistory ?? []).filter { $0.transitions.filter { $0 > horizon }.count >= 2 }.map(\.storeID)
        let unhealthy = openTickets.filter { ["highLatency", "storeFlapping"].contains($0.spec.invariant) }
            .compactMap { HealthSubject.storeID(of: $0.spec.subject) }
        unsettledStores = Set(changed + unhealthy)
        legality = TargetLegality(snapshot: input.snapshot, now: input.now, maintained: maintainedStores, unsettled: unsettledStores)
        var cautioned: [UInt64: String] = [:]
        for id in input.snapshot.schedulers.evictSlowStores {
            cautioned[id] = "PD's evict-slow-store-scheduler is evicting it"
        }
        for h in input.cluster.status.storeHistory ?? [] {
            if let last = h.transitions.filter({ $0 > horizon }).max() {
                cautioned[h.storeID] = "its liveness changed at \(last) (within the flapping window)"
            }
        }
        cautionedBeyondTickets = cautioned
        for t in openTickets {
            if let id = HealthSubject.storeID(of: t.spec.subject) { cautioned[id] = "ticket \(t.name) is open on it" }
        }
        cautionedTargets = cautioned
    }

    /// `cautionedTargets[store]` leaving out `ticket`, the one the plan answers: a leftover scheduler's own ticket is
    /// no reason to doubt the store it names.
    func caution(onto store: UInt64, besides ticket: String) -> String? {
        if let t = openTickets.first(where: { $0.name != ticket && HealthSubject.storeID(of: $0.spec.subject) == store }) {
            return "ticket \(t.name) is open on it"
        }
        return cautionedBeyondTickets[store]
    }

    static func hasEnded(_ m: StoreMaintenance, at now: Date) -> Bool {
        m.spec.until.map { $0 <= now } ?? false
    }

    /// Stores that are alive, whatever their PD state: their peers still vote.
    var aliveStores: Set<UInt64> {
        Set(snapshot.stores.filter { $0.liveness == .alive && !$0.isTombstone }.map(\.id))
    }

    /// A legal leader target (`TargetLegality`) holding some region: the only stores that may receive leaders (a
    /// store without regions, e.g. one just added, cannot lead any until peers arrive).
    func mayHoldLeaders(_ s: StoreSnapshot) -> Bool {
        s.regionCount > 0 && legality.isLegal(s.id, as: .leader)
    }

    /// A legal peer target (`TargetLegality`): the only stores that may receive peers.
    func mayHoldRegions(_ s: StoreSnapshot) -> Bool {
        legality.isLegal(s.id, as: .peer)
    }

    /// PD's `IsLowSpace`: available below (1 − low-space-ratio) of capacity.
    func isLowSpace(_ s: StoreSnapshot) -> Bool { legality.isLowSpace(s) }

    /// "Not targets now: store 2 (PD's evict-slow-store-scheduler is evicting it); …", or "" when every store
    /// is legal: a plan's reason says which rule kept work away from which store.
    func exclusionText(as role: TargetLegality.Role) -> String {
        let excluded = legality.exclusions(as: role)
        guard !excluded.isEmpty else { return "" }
        return " Not \(role.rawValue) targets now: " + excluded.map { "store \($0.store) (\($0.refusal))" }.joined(separator: "; ") + "."
    }

    /// The fetched regions, if they include every region with a peer on `stores`; nil when the
    /// observation did not fetch them (the planner must ask through `RegionScope`).
    func regions(covering stores: [UInt64]) -> [RegionPlacement]? {
        guard let regions = snapshot.regions, snapshot.state(of: .regions).isComplete,
              snapshot.regionScope.covers(.stores(stores)) else { return nil }
        return regions
    }

    /// Why a consequence ticket gets no plan now, or nil: its incident's root ticket is still open (or pending), or its
    /// cause is PD already acting (its evict-slow-store draining a store).
    func heldByIncident(_ ticket: Ticket) -> String? {
        guard let incident = ticket.status.incident else { return nil }
        if incident.cause == .slowStoreEvictedByPD {
            return "\(incident.message): PD is already acting"
        }
        guard let root = incident.root,
              allTickets.contains(where: { $0.name == root && $0.status.state != .resolved }) else { return nil }
        return "its root, ticket \(root), is still open (\(incident.message))"
    }

    /// The first open ticket with this invariant and subject.
    func openTicket(invariant: String, subject: String) -> Ticket? {
        openTickets.first { $0.spec.invariant == invariant && $0.spec.subject == subject }
    }

    /// Up and alive stores other than `store`, the count PD checks before taking a store offline.
    func upStores(excluding store: UInt64) -> Int {
        snapshot.stores.filter { $0.isUpAndAlive && $0.id != store }.count
    }
}
