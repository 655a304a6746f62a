import Foundation
import OperatorStore
import Reconcilers

/// The columns `operator get` prints per kind; `wide` adds the rest. The first column is NAME and
/// the last default column is AGE, as kubectl does.
enum ResourceTables {
    static func condition(_ conditions: [Condition], _ type: String) -> String {
        conditions[type: type]?.status.rawValue ?? "Unknown"
    }

    static func tikvClusters(_ items: [TiKVCluster], wide: Bool, now: Date) -> String {
        var header = ["NAME", "MODE", "PAUSED", "VALID", "OBSERVED", "HEALTHY", "STORES", "TICKETS", "PLANS", "AGE"]
        if wide { header += ["PD", "GENERATION", "OBSERVED-GENERATION"] }
        let rows = items.map { c -> [String] in
            var row = [c.name, c.spec.mode.rawValue, String(c.spec.paused), condition(c.status.conditions, "Valid"),
                       condition(c.status.conditions, "Observed"), condition(c.status.conditions, "Healthy"),
                       c.status.stores.map { "\(c.status.storesUp ?? 0)/\($0)" } ?? "<none>",
                       c.status.openTickets.map(String.init) ?? "<none>", c.status.activePlans.map(String.init) ?? "<none>",
                       humanAge(from: c.metadata.creationTimestamp, now: now)]
            if wide { row += [c.spec.pd.urls.joined(separator: ","), String(c.metadata.generation), String(c.status.observedGeneration)] }
            return row
        }
        return renderTable(header, rows)
    }

    static func storeMaintenances(_ items: [StoreMaintenance], wide: Bool, now: Date) -> String {
        // ENDED: its `until` passed; such a maintenance is kept for the record but drains nothing.
        var header = ["NAME", "CLUSTER", "STORE", "OFFLINE", "VALID", "LEADERS-EVICTED", "ENDED", "PLAN", "AGE"]
        if wide { header += ["UNTIL", "REASON"] }
        let rows = items.map { m -> [String] in
            var row = [m.name, m.spec.cluster, String(m.spec.storeID), String(m.spec.offline), condition(m.status.conditions, "Valid"),
                       condition(m.status.conditions, "LeadersEvicted"), condition(m.status.conditions, "Ended"), m.status.plan ?? "<none>",
                       humanAge(from: m.metadata.creationTimestamp, now: now)]
            if wide { row += [m.spec.until.map(CanonicalJSON.formatDate) ?? "<none>", m.spec.reason] }
            return row
        }
        return renderTable(header, rows)
    }

    static func approvals(_ items: [Approval], wide: Bool, now: Date) -> String {
        var header = ["NAME", "PLAN", "REVISION", "DECISION", "APPROVER", "VALID", "AGE"]
        if wide { header += ["REASON"] }
        let rows = items.map { a -> [String] in
            var row = [a.name, a.spec.plan, a.spec.revision, a.spec.decision.rawValue, a.spec.approver,
                       condition(a.status.conditions, "Valid"), humanAge(from: a.metadata.creationTimestamp, now: now)]
            if wide { row += [a.spec.reason ?? "<none>"] }
            return row
        }
        return renderTable(header, rows)
    }

    static func tickets(_ items: [Ticket], wide: Bool, now: Date) -> String {
        var header = ["NAME", "CLUSTER", "INVARIANT", "SUBJECT", "SEVERITY", "STATE", "ROOT", "OCCURRENCES", "LAST-SEEN", "AGE"]
        if wide { header += ["PLAN", "SUMMARY"] }
        let rows = items.map { t -> [String] in
            // A consequence's root ticket, or its cause when the cause has no ticket (PD draining a slow store).
            let root = t.status.incident.map { $0.root ?? "<\($0.cause.rawValue)>" } ?? "<none>"
            var row = [t.name, t.spec.cluster, t.spec.invariant, t.spec.subject, t.spec.severity.rawValue, t.status.state.rawValue, root,
                       String(t.status.occurrences), t.status.lastSeen.map { humanAge(from: $0, now: now) } ?? "<none>",
                       humanAge(from: t.metadata.creationTimestamp, now: now)]
            if wide { row += [t.status.plan ?? "<none>", t.spec.summary] }
            return row
        }
        return renderTable(header, rows)
    }

    /// `approvals` maps a plan name to the count of approvals that count for its current revision.
    static func plans(_ items: [RemediationPlan], approvals: [String: Int], wide: Bool, now: Date) -> String {
        var header = ["NAME", "CLUSTER", "PHASE", "RISK", "STEPS", "APPROVALS", "REVISION", "AGE"]
        if wide { header += ["ORIGIN", "TICKET", "BLOCKED", "REASON"] }
        let rows = items.map { p -> [String] in
            let done = p.status.steps.filter { $0.phase == .succeeded || $0.phase == .skipped }.count
            var row = [p.name, p.spec.cluster, p.status.phase.rawValue, p.spec.risk.rawValue, "\(done)/\(p.spec.steps.count)",
                       String(approvals[p.name] ?? 0), p.spec.revision, humanAge(from: p.metadata.creationTimestamp, now: now)]
            if wide {
                let blocked = p.status.conditions[type: .blocked].flatMap { $0.status == .true ? $0.reason : nil } ?? "<none>"
                row += [p.spec.origin.rawValue, p.spec.ticket ?? "<none>", blocked, p.spec.reason]
            }
            return row
        }
        return renderTable(header, rows)
    }

    static func events(_ items: [EventRecord], now: Date) -> String {
        let rows = items.map { e in
            [humanAge(from: e.lastTimestamp, now: now), e.type.rawValue, e.reason, "\(e.regardingKind)/\(e.regardingName)",
             String(e.count), e.message]
        }
        return renderTable(["LAST-SEEN", "TYPE", "REASON", "OBJECT", "COUNT", "MESSAGE"], rows)
    }
}
