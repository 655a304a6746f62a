import Foundation
import PDWire

/// A store PD has not heard from: Disconnected (no heartbeat for > 20 s), Down (> max-store-down-time)
/// or never heard from. Judged from the heartbeat age (`liveness`), not `state_name`, because an
/// Offline store that died still says "Offline". A store under maintenance, even one being taken
/// offline, is still reported when it dies: draining needs it alive.
public enum StoreDownCheck {
    public static func evaluate(_ policy: InvariantPolicy, _ snapshot: ClusterSnapshot, _ maintenances: [StoreMaintenance]) -> InvariantVerdict {
        guard policy.enabled else { return .disabled(.storeDown) }
        guard snapshot.answered(.stores) else { return .noVerdict(.storeDown) }
        let underMaintenance = Set(maintenances.map(\.spec.storeID))
        var violations: [Violation] = []
        for store in snapshot.stores where !store.isTombstone {
            let what: String
            switch store.liveness {
            case .alive, .tombstone: continue
            case .disconnected: what = "is disconnected: no heartbeat for more than \(StoreLiveness.disconnectThreshold)"
            case .down: what = "is down: no heartbeat for more than \(snapshot.settings.maxStoreDownTime)"
            case .neverSeen: what = "has never sent a heartbeat"
            }
            let state = store.state == .offline ? " (Offline)" : ""
            let maintenance = underMaintenance.contains(store.id) ? " while under maintenance" : ""
            let at = snapshot.observedAt
            violations.append(Violation(
                invariant: .storeDown, subject: HealthSubject.store(store.id), severity: policy.severity,
                summary: "store \(store.id)\(state) at \(store.address) \(what)\(maintenance)",
                readings: [
                    Reading(name: "heartbeatAge", value: store.heartbeatAge(at: at), unit: "seconds", source: ReadingSource.stores, observedAt: at),
                    Reading(name: "leaderCount", value: Double(store.leaderCount), unit: "regions", source: ReadingSource.stores, observedAt: at),
                    Reading(name: "regionCount", value: Double(store.regionCount), unit: "regions", source: ReadingSource.stores, observedAt: at),
                ]))
        }
        return InvariantVerdict(invariant: .storeDown, violations: violations)
    }
}
