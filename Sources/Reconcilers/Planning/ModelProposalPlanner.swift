import Foundation

/// A model's suggested actions → one plan of origin `ai` for its ticket, concern `ai-<ticket>` (the ticket's name
/// without its cluster prefix; the plan is named `ai-<ticket>-<cluster>`, `-2`, … as every plan is). Pure: the
/// diagnosis is already on the ticket the planner reads (the runner wrote it), and what the model said is checked
/// again against this pass's snapshot.
///
/// - Only a model's diagnosis (`anthropic`, `openai`) proposes, and only while `spec.diagnosis.proposePlans` holds:
///   the rules engine's suggestions are what the playbooks already plan.
/// - The diagnosis validated every action against its context; here each is checked against the snapshot now (the
///   store still there, a move's target legal by `TargetLegality`, no store a maintenance owns, a scheduler PD still
///   runs) and only actions a model can express are kept. What is left out is said on the plan (`ModelProposal.dropped`).
/// - A new diagnosis with other steps supersedes the plan with a new generation (`revisesInPlace: false`); the
///   same steps keep it and its approvals. The ticket resolving, or nothing left to propose, withdraws it.
/// - It is never approved by policy (`ApprovalEvaluator`: origin `ai` needs one signed approval at least), and it
///   runs through the same gates and stages as any plan.
enum ModelProposalPlanner {
    /// `ai-` and the ticket's name without its cluster prefix (plan names end with the cluster):
    /// `prod-highlatency-store-3` → `ai-highlatency-store-3`, so the plan is `ai-highlatency-store-3-prod`.
    static func concern(ticket: String, cluster: String) -> String {
        let prefix = "\(cluster)-"
        return "ai-" + (ticket.hasPrefix(prefix) && ticket.count > prefix.count ? String(ticket.dropFirst(prefix.count)) : ticket)
    }

    /// The actions a model's answer can carry (`SuggestedActionDraft` has no store list or weights): anything else on
    /// a diagnosis did not come from a model and is not proposed.
    static let proposable: Set<ActionKind> = [
        .transferLeader, .transferPeer, .addEvictLeaderScheduler, .removeEvictLeaderScheduler, .waitForLeadersDrained,
        .offlineStore, .cancelOfflineStore, .waitForStoreRemoved, .removeScheduler,
    ]

    static func plan(_ ctx: PlanningContext) -> [PlannerOutcome] {
        var outcomes = ctx.openTickets.map { proposal(for: $0, ctx) }
        let raised = Set(outcomes.map(\.concern))
        // A live proposal whose ticket is no longer open: withdrawn, saying why.
        for plan in ctx.plans where plan.spec.origin == .ai && !plan.status.phase.isTerminal && !raised.contains(plan.spec.concern) {
            let ticket = plan.spec.ticket ?? "?"
            let state = ctx.allTickets.first { $0.name == ticket }?.status.state
            let message = state == .resolved ? "ticket \(ticket) is resolved: the model's proposal is withdrawn"
                : "ticket \(ticket) is no longer open: the model's proposal is withdrawn"
            outcomes.append(PlannerOutcome(concern: plan.spec.concern, decision: .vanished(reason: "TicketResolved", message: message), origin: .ai))
        }
        return outcomes
    }

    static func proposal(for ticket: Ticket, _ ctx: PlanningContext) -> PlannerOutcome {
        let concern = concern(ticket: ticket.name, cluster: ctx.clusterName)
        func withdrawn(_ reason: String, _ message: String) -> PlannerOutcome {
            PlannerOutcome(concern: concern, decision: .vanished(reason: reason, message: message), origin: .ai)
        }
        guard ctx.spec.diagnosis.proposesPlans else {
            return withdrawn("ProposalsOff", "the cluster's diagnosis proposes no plans (provider \(ctx.spec.diagnosis.provider.rawValue), proposePlans \(ctx.spec.diagnosis.proposePlans))")
        }
        guard let diagnosis = ticket.status.diagnosis, diagnosis.provider != DiagnosisProvider.rules.rawValue else {
            return withdrawn("NoModelDiagnosis", "ticket \(ticket.name) has no diagnosis from a model")
        }
        // A consequence's remedy is its root's, as for the playbooks; quorum loss is the incident's own way out.
        if ticket.spec.invariant != InvariantID.regionsUnavailable.rawValue, let why = ctx.heldByIncident(ticket) {
            return withdrawn("HeldByIncident", "ticket \(ticket.name) waits: \(why)")
        }
        var steps: [PlanStep] = []
        var rationales: [ModelProposal.StepRationale] = []
        var dropped = diagnosis.droppedSuggestions
        for (i, action) in diagnosis.suggestedActions.enumerated() {
            if let why = objection(to: action, ctx) {
                dropped.append("\(action.summary): left out: \(why)")
                continue
            }
            let step = PlanStep(name: "\(kebab(action.kind))-\(steps.count + 1)", action: action, expectedEffect: expectedEffect(of: action),
                                timeout: action.kind.isSlow ? ctx.spec.execution.slowStepTimeout : ctx.spec.execution.fastStepTimeout)
            steps.append(step)
            if let r = diagnosis.rationale(ofAction: i) { rationales.append(.init(step: step.name, rationale: r)) }
        }
        guard !steps.isEmpty else {
            let why = dropped.isEmpty ? "it suggests no action" : dropped.joined(separator: "; ")
            return withdrawn("NoValidSuggestion", "the diagnosis of ticket \(ticket.name) proposes nothing that can run now: \(why)")
        }
        let proposal = ModelProposal(
            provider: diagnosis.provider, model: diagnosis.model, ticket: ticket.name, diagnosedAt: diagnosis.createdAt,
            contextDigest: diagnosis.contextDigest, title: diagnosis.primary.title, cause: diagnosis.primary.cause,
            confidence: diagnosis.primary.confidence, evidence: diagnosis.primary.evidence, recommendedAction: diagnosis.recommendedAction,
            rationales: rationales, dropped: dropped)
        let model = diagnosis.model.isEmpty ? diagnosis.provider : "\(diagnosis.provider) \(diagnosis.model)"
        let reason = "Suggested by AI (\(model)) from its diagnosis of ticket \(ticket.name): \(DiagnosisValidation.cut(diagnosis.primary.title, 200)) "
            + "(\(diagnosis.primary.cause.rawValue), \(diagnosis.primary.confidence.rawValue) confidence). "
            + "Never approved by policy, whatever its risk: it runs only after a person's signed approval (operator approve --key)."
        let spec = RemediationPlanSpec(cluster: ctx.clusterName, origin: .ai, concern: concern, reason: reason, ticket: ticket.name,
                                       steps: steps, proposal: proposal)
        return PlannerOutcome(concern: concern, decision: .desired(DesiredPlan(spec: spec, revisesInPlace: false)), origin: .ai)
    }

    /// Why a validated suggestion cannot be a step now, or nil. The diagnosis judged it against the context it was made
    /// from; the snapshot may have moved on since.
    static func objection(to action: Action, _ ctx: PlanningContext) -> String? {
        guard proposable.contains(action.kind) else { return "\(action.kind.rawValue) is not an action a model may propose" }
        guard action.missingParameters.isEmpty else { return "it lacks \(action.missingParameters.joined(separator: ", "))" }
        for id in [action.storeID, action.fromStoreID, action.toStoreID].compactMap({ $0 }) {
            guard let store = ctx.snapshot.store(id), !store.isTombstone else { return "store \(id) is not in the cluster now" }
        }
        // A maintenance's own plan owns its store; a second plan on it would fight that one.
        for id in [action.storeID, action.fromStoreID].compactMap({ $0 }) where ctx.maintainedStores.contains(id) {
            return "store \(id) is under a StoreMaintenance, whose plan owns it"
        }
        switch action.kind {
        case .offlineStore:
            // The playbooks' rule, whatever the model says: a store is taken offline only once PD calls it Down (past
            // max-store-down-time). One only partitioned, restarting or briefly silent comes back with its data; taking
            // it offline would move every replica it holds. Retiring a healthy store is a StoreMaintenance's job.
            if let id = action.storeID, let s = ctx.snapshot.store(id) {
                if s.state == .up, s.liveness == .alive { return "store \(id) is Up and alive now" }
                if s.liveness != .down {
                    return "store \(id) is \(s.liveness.rawValue), not Down: a store is taken offline only once PD calls it Down (past max-store-down-time)"
                }
            }
        case .transferLeader, .transferPeer:
            // The legality rule every planner's move obeys; the gates apply it again, with the region, before the call.
            if let to = action.toStoreID, let refusal = ctx.legality.refusal(store: to, as: action.kind == .transferLeader ? .leader : .peer) {
                return "an illegal target: store \(to) is \(refusal)"
            }
        case .removeScheduler:
            if let name = action.scheduler, !ctx.snapshot.schedulers.names.contains(name) { return "PD no longer runs \(name)" }
        default:
            break
        }
        return nil
    }

    /// What the snapshot shows once the step is done (`StepEffect` decides; this is the text people read).
    static func expectedEffect(of a: Action) -> String {
        let store = a.storeID.map(String.init) ?? "?"
        let region = a.regionID.map(String.init) ?? "?"
        let to = a.toStoreID.map(String.init) ?? "?"
        switch a.kind {
        case .transferLeader: return "region \(region)'s leader is on store \(to)"
        case .transferPeer: return "region \(region) has a peer on store \(to) and none on store \(a.fromStoreID.map(String.init) ?? "?")"
        case .addEvictLeaderScheduler: return "store \(store) is in the evict-leader scheduler"
        case .removeEvictLeaderScheduler: return "store \(store) is not in the evict-leader scheduler"
        case .waitForLeadersDrained: return "store \(store) holds 0 leaders"
        case .offlineStore: return "store \(store) is Offline"
        case .cancelOfflineStore: return "store \(store) is Up"
        case .waitForStoreRemoved: return "store \(store) is Tombstone"
        case .removeScheduler: return "PD no longer runs \(a.scheduler ?? "?")"
        default: return a.summary
        }
    }

    /// `addEvictLeaderScheduler` → `add-evict-leader-scheduler`.
    static func kebab(_ kind: ActionKind) -> String {
        kind.rawValue.reduce(into: "") { out, c in
            if c.isUppercase { out += "-" + c.lowercased() } else { out.append(c) }
        }
    }
}
