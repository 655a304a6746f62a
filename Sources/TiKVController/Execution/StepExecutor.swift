import ControllerRuntime
import Foundation
import Logging
import OperatorStore
import Reconcilers

/// Sends the PD calls a pass let through its gates and records each answer: the audit log keeps request and
/// response; a refusal fails the attempt at once (it provably did nothing); an unknown outcome leaves the step
/// Running, to be settled by its observed effect or its timeout.
///
/// Once the pass is cancelled (the controller is stopping) no call is started: each remaining step goes back to
/// pending without spending an attempt, and a call the stop cut off is recorded as what the transport proves — never
/// sent (the same), or possibly applied (Running, settled by its effect).
package struct StepExecutor {
    let sender: StepSender
    let resources: ResourceStore
    let actor: String
    let metrics: OperatorMetrics?
    let clock: @Sendable () -> Date

    /// Sends `result`'s calls, then its kill-switch cancellations; returns how many store writes it made.
    func execute(_ result: ClusterReconcileResult, cluster: TiKVCluster, log: Logger) async throws -> Int {
        let store = resources.store
        var writes = 0
        for call in result.calls {
            if Task.isCancelled {
                writes += try recordNotSent(call, why: "not sent: the controller was stopping", plans: result.plans, log: log)
                continue
            }
            let outcome = await sender.send(call.call)
            // Cut off by the stop before a byte of it left (or refused by PD just as the stop came: nothing happened
            // either way): no attempt spent.
            if Task.isCancelled, case .refused(let why) = outcome {
                writes += try recordNotSent(call, why: "not sent: the controller was stopping (\(why))", plans: result.plans, log: log)
                continue
            }
            let now = clock()
            let text: String
            switch outcome {
            case .accepted(let body): text = "accepted: \(body)"
            case .refused(let why): text = "refused: \(why)"
            case .unknown(let why): text = "outcome unknown: \(why)"
            }
            metrics?.actionSent(call.action.kind, outcome: outcome)
            try store.appendAudit(AuditEntry(timestamp: now, actor: actor, source: "executor", action: "PDMutation",
                                             kind: RemediationPlanKind.kind, name: call.plan,
                                             message: (call.step >= 0 ? "step \(call.step + 1) attempt \(call.attempt)" : "cleanup") + ": \(call.call) → \(text)"))
            writes += 1
            log.info("PD call", metadata: fields(call, in: result.plans).merging(["outcome": "\(text)"]) { a, _ in a })
            let refused: String? = if case .refused(let w) = outcome { w } else { nil }
            let unknown: String? = if case .unknown(let w) = outcome { w } else { nil }
            // Cleanup calls (step -1) belong to no step: the next observation shows whether they took effect.
            guard call.step >= 0, refused != nil || unknown != nil, let plan = try resources.get(RemediationPlanKind.self, call.plan) else { continue }
            let (updated, _) = PlanExecution.recordOutcome(plan, step: call.step, refused: refused, unknownOutcome: unknown,
                                                           policy: cluster.spec.execution, now: now)
            if updated.status != plan.status {
                try resources.update(updated, specChanged: false, statusChanged: true)
                writes += 1
            }
        }
        // The kill switch's cancellations are sent again by the next pass, in this process or the next.
        for region in result.cancelOperators where !Task.isCancelled {
            let outcome = await sender.send(PDCall.cancelOperator(region: region))
            try store.appendAudit(AuditEntry(timestamp: clock(), actor: actor, source: "executor", action: "PDMutation",
                                             kind: TiKVClusterKind.kind, name: cluster.name,
                                             message: "kill switch: \(PDCall.cancelOperator(region: region)) → \(outcome)"))
            writes += 1
        }
        return writes
    }

    /// A call that was not sent: audited as such, and its step back to pending (`PlanExecution.recordNotSent`).
    private func recordNotSent(_ call: StepCall, why: String, plans: [RemediationPlan], log: Logger) throws -> Int {
        try resources.store.appendAudit(AuditEntry(timestamp: clock(), actor: actor, source: "executor", action: "PDMutationNotSent",
                                                   kind: RemediationPlanKind.kind, name: call.plan,
                                                   message: (call.step >= 0 ? "step \(call.step + 1) attempt \(call.attempt)" : "cleanup") + ": \(call.call) → \(why)"))
        log.notice("PD call not sent", metadata: fields(call, in: plans).merging(["reason": "\(why)"]) { a, _ in a })
        guard call.step >= 0, let plan = try resources.get(RemediationPlanKind.self, call.plan) else { return 1 }
        let updated = PlanExecution.recordNotSent(plan, step: call.step, reason: why)
        guard updated.status != plan.status else { return 1 }
        try resources.update(updated, specChanged: false, statusChanged: true)
        return 2
    }

    /// A call's names as log fields: its plan, its step (by name, as the pass's decisions name it; none for a cleanup
    /// call), its request, and the region and stores its action names.
    private func fields(_ call: StepCall, in plans: [RemediationPlan]) -> Logger.Metadata {
        var fields = TiKVSubject.logFields(of: call.action).mapValues { Logger.MetadataValue.string($0) }
        fields["plan"] = "\(call.plan)"
        fields["request"] = "\(call.call)"
        if call.step >= 0 {
            let steps = plans.first { $0.name == call.plan }?.spec.steps ?? []
            fields["step"] = .string(call.step < steps.count ? steps[call.step].name : "\(call.step + 1)")
        }
        return fields
    }
}
