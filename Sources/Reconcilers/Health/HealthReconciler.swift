import Foundation
import PDWire

/// TiKV's health pass: its invariants (`TiKVInvariants`) become tickets through the generic `InvariantTickets`, and the
/// store liveness history flapping needs is carried from pass to pass. Pure: same input, same result.
public enum HealthReconciler {
    public static func reconcile(_ input: HealthInput) -> HealthResult {
        let spec = input.cluster.spec
        let previousHistory = input.cluster.status.storeHistory ?? []
        let history = StoreHistory.update(previousHistory, snapshot: input.snapshot, window: spec.invariants.storeFlapping.window,
                                                  now: input.now)
        let previousLeaders = input.cluster.status.pdLeaderHistory
        let leaders = PDLeaderHistory.update(previousLeaders, snapshot: input.snapshot, now: input.now)
        let context = TiKVInvariantContext(spec: spec, snapshot: input.snapshot, maintenances: input.maintenances, history: history,
                                           pdLeaders: leaders, now: input.now)
        let outcome = InvariantTickets.run(InvariantTickets.Pass(
            owner: input.cluster.name, registry: TiKVInvariants.registry, context: context, observation: input.snapshot,
            maxObservationAge: maxSnapshotAge(spec), flapWindow: spec.invariants.storeFlapping.window.timeInterval,
            tickets: input.tickets, now: input.now))
        // Consequences name their root (incidents); a stale observation attributes nothing.
        let tickets = outcome.judged
            ? IncidentAttribution.apply(outcome.tickets, cluster: input.cluster.name, facts: IncidentAttribution.Facts(
                snapshot: input.snapshot, maintenances: input.maintenances, history: history,
                flapWindow: spec.invariants.storeFlapping.window.timeInterval, now: input.now))
            : outcome.tickets
        // A stale observation judged nothing, so the history it would have added to is kept as it was.
        let restarts = outcome.judged
            ? StoreRestartEvents.events(previous: previousHistory, next: history, snapshot: input.snapshot, cluster: input.cluster.name,
                                        now: input.now)
            : []
        return HealthResult(tickets: tickets, events: outcome.events + restarts, storeHistory: outcome.judged ? history : previousHistory,
                            pdLeaderHistory: outcome.judged ? leaders : previousLeaders, notes: outcome.notes,
                            unknown: outcome.unknown)
    }

    /// Every TiKV invariant's verdict on one snapshot, in `InvariantID` order.
    public static func evaluate(_ spec: TiKVClusterSpec, _ snapshot: ClusterSnapshot, _ maintenances: [StoreMaintenance],
                                history: [StoreHistory], now: Date) -> [InvariantVerdict] {
        TiKVInvariants.registry.evaluate(TiKVInvariantContext(spec: spec, snapshot: snapshot, maintenances: maintenances, history: history,
                                                              now: now))
    }

    /// A snapshot is fresh when it completed no longer than one resync period (at least 30 s) ago.
    public static func maxSnapshotAge(_ spec: TiKVClusterSpec) -> TimeInterval {
        max(spec.resyncPeriod.timeInterval, 30)
    }
}
