import Foundation
import Testing
@testable import Reconcilers

@Suite struct PlanIdentityTests {
    typealias F = PlanningFixtures

    static func skewedInput(plans: [RemediationPlan] = []) -> PlanningInput {
        let (stores, regions) = BalancePlannerTests.skewed()
        return F.input(F.snapshot(stores, regions: regions), plans: plans)
    }

    static func balancePlan(_ result: PlanningResult) throws -> RemediationPlan {
        try #require(F.plan("balance-leaders", in: result.plans))
    }

    @Test func anIdlePassReturnsItsInputAndNoEvents() throws {
        let first = PlanningReconciler.reconcile(Self.skewedInput())
        #expect(first.events.contains { $0.reason == "PlanCreated" })
        let second = PlanningReconciler.reconcile(Self.skewedInput(plans: first.plans))
        #expect(second.plans == first.plans)
        #expect(second.events.isEmpty)
        #expect(second.maintenances.isEmpty)
    }

    @Test func changedStepsOfAnApprovedPlanVoidTheApproval() throws {
        var plan = try Self.balancePlan(PlanningReconciler.reconcile(Self.skewedInput()))
        plan.status.phase = .approved
        plan.status.conditions.set("Approved", .true, reason: "Approved", message: "by alice", observedGeneration: 0, now: F.now)
        // A different, older revision stored: recomputation gives other steps.
        plan.spec.steps.removeLast()
        plan.spec.revision = RemediationPlanSpec.revision(of: plan.spec.steps)
        let result = PlanningReconciler.reconcile(Self.skewedInput(plans: [plan]))
        let revised = try Self.balancePlan(result)
        #expect(revised.name == plan.name)
        #expect(revised.spec.revision != plan.spec.revision)
        #expect(revised.spec.revision == RemediationPlanSpec.revision(of: revised.spec.steps))
        #expect(revised.status.phase == .pending)
        #expect(revised.status.conditions[type: "Approved"]?.status == .false)
        #expect(revised.status.conditions[type: "Approved"]?.reason == "RevisionChanged")
        #expect(result.events.contains { $0.reason == "PlanRevised" })
        #expect(result.plans.count == 1)
    }

    @Test func executingPlansAreNeverRewritten() throws {
        var plan = try Self.balancePlan(PlanningReconciler.reconcile(Self.skewedInput()))
        plan.status.phase = .executing
        plan.spec.steps.removeLast()
        // Drift still there, steps differ: untouched.
        #expect(PlanningReconciler.reconcile(Self.skewedInput(plans: [plan])).plans == [plan])
        // Drift gone: untouched too.
        let (stores, regions) = MaintenancePlannerTests.healthy()
        #expect(PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), plans: [plan])).plans == [plan])
    }

    @Test func vanishedDriftSupersedesAPendingPlan() throws {
        let plan = try Self.balancePlan(PlanningReconciler.reconcile(Self.skewedInput()))
        let (stores, regions) = MaintenancePlannerTests.healthy(stores: 4)
        let result = PlanningReconciler.reconcile(F.input(F.snapshot(stores, regions: regions), plans: [plan]))
        let superseded = try Self.balancePlan(result)
        #expect(superseded.status.phase == .superseded)
        #expect(superseded.status.conditions[type: "Superseded"]?.message.isEmpty == false)
        #expect(result.events.map(\.reason) == ["PlanSuperseded"])
    }

    @Test func aNewOccurrenceAfterATerminalPlanGetsAFreshName() throws {
        var done = try Self.balancePlan(PlanningReconciler.reconcile(Self.skewedInput()))
        done.status.phase = .failed
        let result = PlanningReconciler.reconcile(Self.skewedInput(plans: [done]))
        #expect(result.plans.map(\.name) == ["balance-leaders-prod", "balance-leaders-prod-2"])
        #expect(result.plans[0] == done)
        #expect(result.plans[1].status.phase == .pending)
        // The next pass keeps both, creates nothing.
        #expect(PlanningReconciler.reconcile(Self.skewedInput(plans: result.plans)).plans == result.plans)
    }

    @Test func rejectedOrSucceededAtTheSameRevisionIsNotProposedAgain() throws {
        for phase in [PlanPhase.rejected, .succeeded, .cancelled] {
            var plan = try Self.balancePlan(PlanningReconciler.reconcile(Self.skewedInput()))
            plan.status.phase = phase
            #expect(PlanningReconciler.reconcile(Self.skewedInput(plans: [plan])).plans == [plan])
        }
    }

    @Test func aPartialObservationDecidesNothing() throws {
        let plan = try Self.balancePlan(PlanningReconciler.reconcile(Self.skewedInput()))
        let (stores, _) = MaintenancePlannerTests.healthy(stores: 4)
        var snapshot = F.snapshot(stores)
        snapshot.sources[.schedulers] = .failed("timeout")
        let result = PlanningReconciler.reconcile(F.input(snapshot, plans: [plan]))
        #expect(result.plans == [plan])
        #expect(result.events.isEmpty)
    }

    @Test func blockedConditionsOfTheExecutionGatesAreLeftAlone() throws {
        var plan = try Self.balancePlan(PlanningReconciler.reconcile(Self.skewedInput()))
        plan.status.conditions.set("Blocked", .true, reason: "MaintenanceWindow", message: "outside every window", observedGeneration: 0, now: F.now)
        #expect(PlanningReconciler.reconcile(Self.skewedInput(plans: [plan])).plans == [plan])
    }

    /// A model's plan is never taken over by a planner, even under a planner's concern; with no open ticket proposing
    /// it, it is withdrawn as it stands.
    @Test func aiPlansAreNeverAPlannersOwn() throws {
        let step = PlanStep(name: "evict", action: .store(.addEvictLeaderScheduler, 2), expectedEffect: "x", timeout: .minutes(1))
        let ai = RemediationPlan(metadata: ObjectMeta(name: "ai-evict-2"),
                                 spec: RemediationPlanSpec(cluster: "prod", origin: .ai, concern: "evict-leaders-store-2", reason: "r", steps: [step]))
        let (stores, regions) = MaintenancePlannerTests.healthy()
        let input = F.input(F.snapshot(stores, regions: regions), tickets: [F.ticket("highLatency", "store/2")], plans: [ai])
        let result = PlanningReconciler.reconcile(input)
        let after = try #require(result.plans.first { $0.name == ai.name })
        #expect(after.spec == ai.spec && after.status.phase == .superseded)
        #expect(after.status.conditions[type: .superseded]?.reason == "TicketResolved")
        // The playbook's plan for that concern is its own.
        let playbook = try #require(result.plans.first { $0.spec.origin == .reconciler && $0.spec.concern == "evict-leaders-store-2" })
        #expect(playbook.name == "evict-leaders-store-2-prod" && playbook.status.phase == .pending)
    }

    @Test func namesAreValidObjectNames() {
        #expect(PlanIdentity.name(concern: "remove-scheduler-Grant_Leader", cluster: "Prod", generation: 3) == "remove-scheduler-grant-leader-prod-3")
        for concern in ["balance-leaders", "drain-store-4", "end-maintenance-store-4", "offline-store-12", "remove-scheduler-x/y"] {
            #expect(validateObjectName(PlanIdentity.name(concern: concern, cluster: "prod.eu-1", generation: 2)) == nil)
        }
    }
}
