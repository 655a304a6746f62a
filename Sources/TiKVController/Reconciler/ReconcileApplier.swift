import Foundation
import OperatorStore
import Reconcilers

/// Writes a pass's result to the store: only objects that differ from what the pass read, so an
/// idle pass writes nothing. Every ticket and plan transition also goes to the audit log, and the
/// pass's events become Kubernetes-style events.
package struct ReconcileApplier {
    let resources: ResourceStore
    let actor: String

    struct Writes: Equatable {
        var objects = 0
        var events = 0
        var audits = 0
        var total: Int { objects + events + audits }
    }

    /// What a health write left in the store: the objects as stored (new resource versions), which the rest of
    /// the pass starts from.
    struct HealthWritten {
        var writes: Writes
        var cluster: TiKVCluster
        var tickets: [Ticket]
    }

    /// Writes the health half of a pass (tickets, the cluster's status, their events) before any region is
    /// fetched, and returns what is stored now.
    func apply(_ health: ClusterHealthResult, to input: ClusterReconcileInput, now: Date) throws -> HealthWritten {
        var writes = Writes()
        let tickets = try applyControllerObjects(input.tickets, health.tickets, now: now, writes: &writes, audit: ticketAudit)
        var cluster = health.cluster
        if health.cluster.status != input.cluster.status {
            cluster = try resources.updateStatus(health.cluster)
            writes.objects += 1
        }
        try record(health.events, writes: &writes)
        return HealthWritten(writes: writes, cluster: cluster, tickets: tickets)
    }

    func apply(_ result: ClusterReconcileResult, to input: ClusterReconcileInput, now: Date) throws -> Writes {
        var writes = Writes()
        try applyControllerObjects(input.tickets, result.tickets, now: now, writes: &writes, audit: ticketAudit)
        try applyControllerObjects(input.plans, result.plans, now: now, writes: &writes, audit: planAudit)

        let maintenances = Dictionary(input.maintenances.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for m in result.maintenances where maintenances[m.name].map({ $0.status != m.status }) ?? false {
            try resources.updateStatus(m)
            writes.objects += 1
        }
        if result.cluster.status != input.cluster.status {
            try resources.updateStatus(result.cluster)
            writes.objects += 1
        }
        try record(result.events, writes: &writes)
        return writes
    }

    private func record(_ events: [Event], writes: inout Writes) throws {
        for e in events {
            try resources.store.recordEvent(regardingKind: e.regarding.kind, regardingName: e.regarding.name,
                                            type: e.type == .warning ? .warning : .normal, reason: e.reason,
                                            message: e.message, now: e.lastTimestamp)
            writes.events += 1
        }
    }

    /// Creates new objects and updates changed ones. Objects a pass no longer returns are left alone:
    /// reconcilers end tickets and plans by status (Resolved, Superseded), never by deletion, so
    /// the history stays. Returns `after` as stored (written objects carry their new resource version).
    @discardableResult
    private func applyControllerObjects<K: APIKind>(
        _ before: [Resource<K>], _ after: [Resource<K>], now: Date, writes: inout Writes,
        audit: (Resource<K>?, Resource<K>) -> [(action: String, message: String)]
    ) throws -> [Resource<K>] {
        let old = Dictionary(before.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var stored: [Resource<K>] = []
        stored.reserveCapacity(after.count)
        for object in after {
            if let was = old[object.name] {
                let specChanged = was.spec != object.spec
                let statusChanged = was.status != object.status
                guard specChanged || statusChanged else {
                    stored.append(object)
                    continue
                }
                stored.append(try resources.update(object, specChanged: specChanged, statusChanged: statusChanged))
                writes.objects += 1
                for a in audit(was, object) { try appendAudit(a, object, before: was, now: now); writes.audits += 1 }
            } else {
                stored.append(try resources.create(object))
                writes.objects += 1
                for a in audit(nil, object) { try appendAudit(a, object, before: nil, now: now); writes.audits += 1 }
            }
        }
        return stored
    }

    private func appendAudit<K: APIKind>(_ a: (action: String, message: String), _ object: Resource<K>, before: Resource<K>?,
                                         now: Date) throws {
        try resources.store.appendAudit(AuditEntry(
            timestamp: now, actor: actor, source: "reconciler", action: a.action, kind: K.kind, name: object.name,
            before: before.map { CanonicalJSON.encode($0.status) }, after: CanonicalJSON.encode(object.status),
            message: a.message))
    }

    private func ticketAudit(_ was: Ticket?, _ now: Ticket) -> [(action: String, message: String)] {
        guard was?.status.state != now.status.state else { return [] }
        let action = switch now.status.state {
        case .pending: "TicketPending"
        case .open: was == nil || was?.status.state == .pending ? "TicketOpened" : "TicketReopened"
        case .resolved: "TicketResolved"
        }
        return [(action, "\(now.spec.key) (\(now.spec.severity.rawValue)): \(now.spec.summary)")]
    }

    /// Plan and step transitions. A step turning Running is the durable intent of its PD call: it is
    /// written (with the exact request) before the call is sent.
    private func planAudit(_ was: RemediationPlan?, _ now: RemediationPlan) -> [(action: String, message: String)] {
        var entries: [(action: String, message: String)] = []
        let was = was ?? {
            // A new plan: its creation, then its steps as if they had all been pending.
            entries.append(("PlanCreated", "\(now.spec.steps.count) step(s), risk \(now.spec.risk.rawValue), revision \(now.spec.revision): \(now.spec.reason)"))
            var blank = now
            blank.status = RemediationPlanStatus()
            blank.status.phase = now.status.phase
            return blank
        }()
        if was.spec.revision != now.spec.revision {
            entries.append(("PlanRevised", "revision \(was.spec.revision) → \(now.spec.revision); approvals of the old revision no longer count"))
        }
        if was.status.phase != now.status.phase {
            entries.append(("PlanPhaseChanged", "\(was.status.phase.rawValue) → \(now.status.phase.rawValue)"))
        }
        guard was.spec.revision == now.spec.revision else { return entries }
        for (i, step) in now.status.steps.enumerated() {
            let before = i < was.status.steps.count ? was.status.steps[i] : StepStatus(name: step.name)
            let summary = i < now.spec.steps.count ? now.spec.steps[i].action.summary : step.name
            if before.phase != step.phase || before.attempts != step.attempts {
                switch step.phase {
                case .running:
                    entries.append(("StepStarted", "\(step.name) attempt \(step.attempts): \(summary)" + (step.pdRequest.map { " — intent: \($0)" } ?? "")))
                case .succeeded: entries.append(("StepSucceeded", "\(step.name): \(step.observedEffect ?? summary)"))
                case .skipped: entries.append(("StepSkipped", "\(step.name): \(step.observedEffect ?? summary)"))
                case .failed: entries.append(("StepFailed", "\(step.name): \(step.lastError ?? "failed")"))
                case .pending:
                    if step.nextRetry != nil { entries.append(("StepRetryScheduled", "\(step.name): \(step.lastError ?? "")")) }
                }
            }
            if before.pdRequest != step.pdRequest, let request = step.pdRequest, request.hasPrefix("dry run") {
                entries.append(("DryRunRecorded", "\(step.name): \(request)"))
            }
        }
        return entries
    }
}
