import Foundation
import Testing
@testable import Reconcilers

/// A model's diagnosis on an open ticket → one plan of origin `ai`: its steps checked against the snapshot, its case
/// kept on the plan, superseded by other suggestions, withdrawn when the ticket resolves, and side by side with the
/// playbook's plan until a person approves one of them.
@Suite struct ModelProposalTests {
    typealias F = PlanningFixtures

    static let base = MaintenancePlannerTests.healthy()

    static func modelCluster(proposePlans: Bool = true, provider: DiagnosisProvider = .anthropic) -> TiKVCluster {
        var c = F.cluster()
        c.spec.diagnosis = DiagnosisConfig(provider: provider, endpoint: "http://127.0.0.1:1", apiKey: SecretSource(env: "KEY"),
                                           proposePlans: proposePlans)
        return c
    }

    /// A slow store 3, diagnosed by a model that suggests `actions` with `rationales`.
    static func slowTicket(_ actions: [Action], rationales: [String]? = nil, provider: String = "anthropic") -> Ticket {
        var t = F.ticket("highLatency", "store/3")
        t.status.diagnosis = Diagnosis(
            ticket: t.name,
            primary: Hypothesis(cause: .slowDisk, title: "store 3's disk is slow", confidence: .high,
                                evidence: [Evidence(.metric, "store/3.metrics.p99LatencyMs", "p99 is 20× the others'")]),
            recommendedAction: "evict store 3's leaders", suggestedActions: actions,
            actionRationales: rationales ?? actions.map { "because of \($0.summary)" },
            notes: ["suggested action 3 dropped: offlineStore of store 1, which is Up and alive"],
            provider: provider, model: "claude-test", createdAt: F.now, contextDigest: "abc")
        return t
    }

    static let evict: [Action] = [.store(.addEvictLeaderScheduler, 3), .store(.waitForLeadersDrained, 3)]

    static func aiPlans(_ plans: [RemediationPlan]) -> [RemediationPlan] { plans.filter { $0.spec.origin == .ai } }

    @Test func validSuggestionsBecomeOneAIPlanWithTheModelsCase() throws {
        let (stores, regions) = Self.base
        // Region 1's leader to store 3: store 3 is the slow one (unsettled), an illegal target.
        let ticket = Self.slowTicket(Self.evict + [.transferLeader(region: 1, from: 1, to: 3), .store(.offlineStore, 3)])
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), cluster: Self.modelCluster(), tickets: [ticket]))
        let plan = try #require(Self.aiPlans(result.plans).first)
        #expect(Self.aiPlans(result.plans).count == 1)
        #expect(plan.name == "ai-highlatency-store-3-prod")
        #expect(plan.spec.ticket == ticket.name)
        #expect(plan.status.phase == .pending)
        #expect(plan.spec.steps.map(\.action) == Self.evict)
        #expect(plan.spec.revision == RemediationPlanSpec.revision(of: plan.spec.steps))
        #expect(plan.spec.reason.contains("Suggested by AI") && plan.spec.reason.contains("signed approval"))
        let proposal = try #require(plan.spec.proposal)
        #expect(proposal.provider == "anthropic" && proposal.model == "claude-test" && proposal.cause == .slowDisk)
        #expect(proposal.evidence.map(\.ref) == ["store/3.metrics.p99LatencyMs"])
        #expect(proposal.rationale(of: plan.spec.steps[0].name) == "because of \(Self.evict[0].summary)")
        // Left out: what validation dropped, an illegal target, a store that is Up and alive now.
        #expect(proposal.dropped.count == 3, "\(proposal.dropped)")
        #expect(proposal.dropped.contains { $0.contains("offlineStore of store 1") })
        #expect(proposal.dropped.contains { $0.contains("illegal target: store 3") })
        #expect(proposal.dropped.contains { $0.contains("take store 3 offline") && $0.contains("Up and alive now") })
        // The playbook's plan for the same ticket stands beside it.
        #expect(F.plan("evict-leaders-store-3", in: result.plans)?.status.phase == .pending)

        // An idle pass changes nothing.
        let again = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), cluster: Self.modelCluster(), tickets: [ticket], plans: result.plans))
        #expect(again.plans == result.plans)
    }

    /// A model suggesting to take a store offline gets that step only for a store PD calls Down: one only
    /// disconnected (a partition, a restart) is left out, as the playbooks leave it.
    @Test func aModelsOfflineWaitsForPDToCallTheStoreDown() throws {
        let (stores, regions) = Self.base
        var snapshot = F.snapshot(stores, regions: regions)
        let index = try #require(snapshot.stores.firstIndex { $0.id == 3 })
        snapshot.stores[index].liveness = .disconnected
        let ticket = Self.slowTicket([.store(.offlineStore, 3)])
        let disconnected = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(), tickets: [ticket]))
        #expect(Self.aiPlans(disconnected.plans).filter { !$0.status.phase.isTerminal }.isEmpty)
        snapshot.stores[index].liveness = .down
        let down = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(), tickets: [ticket]))
        #expect(Self.aiPlans(down.plans).first?.spec.steps.map(\.action) == [.store(.offlineStore, 3)])
    }

    @Test func noPolicyApprovesAnAIPlan() throws {
        let (stores, regions) = Self.base
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), cluster: Self.modelCluster(),
                                                          tickets: [Self.slowTicket(Self.evict)]))
        let ai = try #require(Self.aiPlans(result.plans).first)
        let playbook = try #require(F.plan("evict-leaders-store-3", in: result.plans))
        let none = TierPolicy(requiredApprovals: 0)
        for requireSignatures in [true, false] {
            let policy = ApprovalPolicy(low: none, medium: none, high: none, requireSignatures: requireSignatures)
            #expect(ApprovalEvaluator.evaluate(plan: playbook, policy: policy, votes: [], now: F.now).isApproved)
            let verdict = ApprovalEvaluator.evaluate(plan: ai, policy: policy, votes: [], now: F.now)
            #expect(!verdict.isApproved && verdict.reason == "AwaitingApproval", "\(verdict)")
            // An unsigned vote never counts for it, even where a lab counts typed names.
            let unsigned = ApprovalVote(plan: ai.name, revision: ai.spec.revision, approve: true, approver: "alice", source: "cli", createdAt: F.now)
            #expect(!ApprovalEvaluator.evaluate(plan: ai, policy: policy, votes: [unsigned], now: F.now).isApproved)
            var signed = unsigned
            signed.keyFingerprint = "SHA256:alice"
            #expect(ApprovalEvaluator.evaluate(plan: ai, policy: policy, votes: [signed], now: F.now).isApproved)
        }
    }

    @Test func otherSuggestionsSupersedeSameStepsKeepThePlan() throws {
        let (stores, regions) = Self.base
        let snapshot = F.snapshot(stores, regions: regions)
        let first = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(), tickets: [Self.slowTicket(Self.evict)]))
        let plan = try #require(Self.aiPlans(first.plans).first)
        // The same steps argued in other words: the same plan and revision, the new rationale shown.
        let reworded = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(),
                                                            tickets: [Self.slowTicket(Self.evict, rationales: ["slow disk", "drain"])], plans: first.plans))
        let same = try #require(Self.aiPlans(reworded.plans).first)
        #expect(Self.aiPlans(reworded.plans).count == 1)
        #expect(same.name == plan.name && same.spec.revision == plan.spec.revision && same.status.phase == .pending)
        #expect(same.spec.proposal?.rationales.map(\.rationale) == ["slow disk", "drain"])
        // Other steps: the old proposal is superseded, the new one is a new generation.
        let other = Self.slowTicket([.transferLeader(region: 1, from: 1, to: 2)])
        let changed = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(), tickets: [other], plans: reworded.plans))
        let ai = Self.aiPlans(changed.plans)
        #expect(ai.first { $0.name == plan.name }?.status.phase == .superseded)
        #expect(ai.first { $0.name == plan.name }?.status.conditions[type: .superseded]?.reason == "SuggestionChanged")
        let next = try #require(ai.first { $0.name == "\(plan.name)-2" })
        #expect(next.status.phase == .pending && next.spec.steps.map(\.action) == [.transferLeader(region: 1, from: 1, to: 2)])
        #expect(ai.filter { !$0.status.phase.isTerminal }.count == 1)
    }

    @Test func resolvedTicketOrProposalsOffWithdraw() throws {
        let (stores, regions) = Self.base
        let snapshot = F.snapshot(stores, regions: regions)
        let ticket = Self.slowTicket(Self.evict)
        let first = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(), tickets: [ticket]))
        let plan = try #require(Self.aiPlans(first.plans).first)

        var resolved = ticket
        resolved.status.state = .resolved
        let after = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(), tickets: [resolved], plans: first.plans))
        let withdrawn = try #require(after.plans.first { $0.name == plan.name })
        #expect(withdrawn.status.phase == .superseded)
        #expect(withdrawn.status.conditions[type: .superseded]?.reason == "TicketResolved")

        let off = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(proposePlans: false), tickets: [ticket], plans: first.plans))
        #expect(off.plans.first { $0.name == plan.name }?.status.conditions[type: .superseded]?.reason == "ProposalsOff")
        // The rules engine proposes no `ai` plan, whatever the switch says.
        let rules = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(provider: .rules), tickets: [ticket]))
        #expect(Self.aiPlans(rules.plans).isEmpty)
        let rulesDiagnosis = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(),
                                                                  tickets: [Self.slowTicket(Self.evict, provider: "rules")]))
        #expect(Self.aiPlans(rulesDiagnosis.plans).isEmpty)
    }

    @Test func approvingOneAlternativeWithdrawsTheOther() throws {
        let (stores, regions) = Self.base
        let snapshot = F.snapshot(stores, regions: regions)
        let ticket = Self.slowTicket(Self.evict)
        let first = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(), tickets: [ticket]))
        func approved(_ name: String, in plans: [RemediationPlan]) -> [RemediationPlan] {
            plans.map { p in
                guard p.name == name else { return p }
                var q = p
                q.status.phase = .approved
                q.status.conditions.set(.approved, .true, reason: "Approved", message: "approved by alice", observedGeneration: 0, now: F.now)
                return q
            }
        }
        let ai = try #require(Self.aiPlans(first.plans).first)
        let playbook = try #require(F.plan("evict-leaders-store-3", in: first.plans))

        let aiChosen = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(), tickets: [ticket], plans: approved(ai.name, in: first.plans)))
        #expect(aiChosen.plans.first { $0.name == ai.name }?.status.phase == .approved)
        let gone = try #require(aiChosen.plans.first { $0.name == playbook.name })
        #expect(gone.status.phase == .superseded && gone.status.conditions[type: .superseded]?.reason == "AlternativeApproved")

        let playbookChosen = PlanningReconciler.reconcile(F.input(snapshot, cluster: Self.modelCluster(), tickets: [ticket],
                                                                  plans: approved(playbook.name, in: first.plans)))
        #expect(playbookChosen.plans.first { $0.name == playbook.name }?.status.phase == .approved)
        #expect(playbookChosen.plans.first { $0.name == ai.name }?.status.conditions[type: .superseded]?.reason == "AlternativeApproved")
    }

    @Test func aModelsOwnPlanDoesNotMakeTheNextDiagnosisDue() {
        let (stores, regions) = Self.base
        var context = DiagnosisContextBuilder.build(.init(ticket: F.ticket("highLatency", "store/3"), cluster: F.cluster(),
                                                          snapshot: F.snapshot(stores, regions: regions)))
        let before = DiagnosisContextBuilder.digest(context)
        let ticket = context.ticket.name
        context.plans.append(DiagnosisContext.PlanFacts(name: "ai-x-prod", concern: "ai-x", origin: "ai", phase: "Pending", ticket: ticket, steps: []))
        #expect(DiagnosisContextBuilder.digest(context) == before)
        context.plans.append(DiagnosisContext.PlanFacts(name: "evict-leaders-store-3-prod", concern: "evict-leaders-store-3", origin: "reconciler",
                                                        phase: "Pending", ticket: ticket, steps: []))
        #expect(DiagnosisContextBuilder.digest(context) != before)
    }

    @Test func validationKeepsEachRationaleWithItsAction() {
        let (stores, regions) = Self.base
        let context = DiagnosisContextBuilder.build(.init(ticket: F.ticket("highLatency", "store/3"), cluster: F.cluster(),
                                                          snapshot: F.snapshot(stores, regions: regions)))
        let draft = DiagnosisDraft(
            timeline: [], affectedComponents: [], readings: [],
            primary: Hypothesis(cause: .slowDisk, title: "slow", confidence: .low, evidence: []), alternatives: [],
            recommendedAction: "", pdCtlEquivalents: [], risks: [],
            suggestedActions: [SuggestedActionDraft(kind: "launchMissiles", rationale: "no"),
                               SuggestedActionDraft(.store(.addEvictLeaderScheduler, 3), rationale: "slow\u{1B}[31m disk")])
        let d = DiagnosisValidation.finalize(draft, context: context, provider: "openai", model: "m", now: F.now)
        #expect(d.suggestedActions == [.store(.addEvictLeaderScheduler, 3)])
        #expect(d.rationale(ofAction: 0) == "slow [31m disk")
        #expect(d.droppedSuggestions.count == 1)
    }
}
