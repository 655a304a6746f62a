import Foundation
import PDWire
import Reconcilers
@testable import TerminalDashboard
@testable import OperatorStore

/// A small, fixed dashboard state: three stores (one Down), an open ticket and a plan awaiting approval.
enum DashboardFixtures {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func plan(_ name: String = "replace-store-3", phase: PlanPhase = .pending, created: TimeInterval = -60) -> RemediationPlan {
        let steps = [
            PlanStep(name: "evict", action: Action(kind: .addEvictLeaderScheduler, storeID: 3), expectedEffect: "no leaders", timeout: .seconds(60)),
            PlanStep(name: "offline", action: Action(kind: .offlineStore, storeID: 3), expectedEffect: "tombstone", timeout: .seconds(600)),
        ]
        var p = RemediationPlan(metadata: ObjectMeta(name: name, creationTimestamp: now.addingTimeInterval(created)),
                                spec: RemediationPlanSpec(cluster: "demo", origin: .reconciler, concern: "store-3", reason: "store 3 is down",
                                                          ticket: "storedown-store-3", steps: steps))
        p.status.phase = phase
        p.status.steps = steps.map { StepStatus(name: $0.name) }
        if phase == .executing {
            p.status.steps[0].phase = .succeeded
            p.status.steps[0].pdRequest = "POST /pd/api/v1/schedulers {\"name\":\"evict-leader-scheduler\",\"store_id\":3}"
            p.status.steps[1].phase = .running
        }
        return p
    }

    static func ticket(_ name: String = "storedown-store-3", state: TicketState = .open) -> Ticket {
        var t = Ticket(metadata: ObjectMeta(name: name, creationTimestamp: now.addingTimeInterval(-300)),
                       spec: TicketSpec(cluster: "demo", invariant: "storeDown", subject: "store/3", severity: .critical,
                                        summary: "store 3 has sent no heartbeat for 6m"))
        t.status.state = state
        t.status.firstSeen = now.addingTimeInterval(-300)
        t.status.readings = [Reading(name: "heartbeatAge", value: 360, unit: "s", source: "pd", observedAt: now)]
        return t
    }

    static func store(_ id: UInt64, liveness: StoreLiveness = .alive, leaders: Int = 100, qps: Double = 1000) -> StoreSnapshot {
        StoreSnapshot(id: id, address: "127.0.0.1:2016\(id)", liveness: liveness, capacityBytes: 100, availableBytes: 40,
                      leaderCount: leaders, regionCount: 300,
                      metrics: StoreMetrics(p99Latency: .value(0.004), qps: .value(qps), writeStall: .value(0), up: .value(1)))
    }

    static func data(plans: [RemediationPlan] = [plan()], tickets: [Ticket] = [ticket()]) -> DashboardData {
        var d = DashboardData(cluster: "demo", mode: "execute", now: now)
        d.stores = [store(1), store(2), store(3, liveness: .down, leaders: 0, qps: 0)]
        d.tickets = tickets
        d.plans = plans
        d.events = [EventRecord(id: 1, regardingKind: "Ticket", regardingName: "storedown-store-3", type: .warning, reason: "TicketOpened",
                                message: "store 3 is down", count: 1, firstTimestamp: now, lastTimestamp: now)]
        return d
    }
}
