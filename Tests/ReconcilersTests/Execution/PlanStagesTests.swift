import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// The plan-level stages of `TiKVSubject.planStages`, each run alone on one plan's pass.
@Suite struct PlanStagesTests {
    let f = StageFixture()

    @Test func theConditionTypesAndReasonsKeepTheirStoredStrings() {
        #expect(PlanConditionType.allCases.map(\.rawValue) == ["Approved", "Blocked", "Progressing", "Failed", "Succeeded", "Superseded"])
        #expect(PlanConditionReason.allCases.map(\.rawValue) == [
            "WaitingForPlan", "NotBefore", "RetryBackoff", "NotBlocked", "StepsRunning", "Cancelled", "Rejected", "Succeeded", "Failed",
            "NothingEvicts", "StepFailed", "PreconditionNeverHeld", "StepInvalid", "EffectsObserved",
        ])
        var byEnum: [Condition] = []
        var byString: [Condition] = []
        byEnum.set(.blocked, .true, reason: .retryBackoff, message: "m", observedGeneration: 2, now: f.now)
        byString.set("Blocked", .true, reason: "RetryBackoff", message: "m", observedGeneration: 2, now: f.now)
        #expect(byEnum == byString)
        #expect(byEnum[type: .blocked] == byString[type: "Blocked"])
        #expect(byEnum.isTrue(.blocked))
    }

    // MARK: EndedPlanCleanup

    @Test func anEndedPlanStopsAsItCameInAndAPlanNotEndedGoesOn() {
        let live = f.input([f.plan([f.leaderMove])])
        var pass = f.pass(live)
        #expect(EndedPlanCleanup.run(&pass, live) == .next)
        // A failed plan whose statuses were never written keeps them unwritten: only a clean-up note may change.
        let failed = f.input([f.plan([f.leaderMove], phase: .failed)])
        var ended = f.pass(failed)
        #expect(ended.plan.status.steps.count == 1, "the pass aligns the statuses of every plan")
        #expect(EndedPlanCleanup.run(&ended, failed) == .stop)
        #expect(ended.plan == failed.plans[0])
        #expect(ended.result == .empty)
    }

    @Test func anEndedPlanRemovesOnlyTheSchedulerItAdded() {
        var drain = f.plan("drain", [.store(.addEvictLeaderScheduler, 4)], phase: .cancelled)
        drain.status.steps = PlanExecution.statuses(drain)
        let evicted = f.snapshot(evicted: [4])
        let neverSent = f.input([drain], snapshot: evicted)
        var untouched = f.pass(neverSent)
        _ = EndedPlanCleanup.run(&untouched, neverSent)
        #expect(untouched.result.calls.isEmpty, "no attempt: the scheduler is someone else's")
        drain.status.steps[0].attempts = 1
        let sent = f.input([drain], snapshot: evicted)
        var pass = f.pass(sent)
        #expect(EndedPlanCleanup.run(&pass, sent) == .stop)
        #expect(pass.result.calls.map(\.call.description) == ["DELETE /pd/api/v1/schedulers/evict-leader-scheduler-4"])
        #expect(pass.plan.status.cleanup == "removing evict-leader-scheduler-4 created by this plan, which ended Cancelled")
        #expect(pass.result.decisions == [PassDecision(.info, "Ended plan cleaned up", [
            "plan": "drain", "store": "4", "cleanup": "removing evict-leader-scheduler-4 created by this plan, which ended Cancelled",
        ])])
    }

    // MARK: KillSwitchStage

    @Test func theKillSwitchCancelsThePlanAndTheOperatorsItStarted() {
        let p = f.running(f.plan([f.leaderMove, .store(.addEvictLeaderScheduler, 3)], batch: 1), startedAt: f.now.addingTimeInterval(-5))
        let off = f.input([p])
        var unaffected = f.pass(off)
        #expect(KillSwitchStage.run(&unaffected, off) == .next)
        #expect(unaffected.plan == f.pass(off).plan)
        let on = f.input([p], kill: true)
        var pass = f.pass(on)
        #expect(KillSwitchStage.run(&pass, on) == .stop)
        #expect(pass.plan.status.phase == .cancelled)
        #expect(pass.result.cancelOperators == [7])
        #expect(pass.plan.status.steps.map(\.phase) == [.failed, .pending], "only what runs is cancelled")
        #expect(pass.plan.status.steps[0].lastError == "cancelled by the kill switch")
        #expect(pass.plan.status.steps[0].finishedAt == f.now)
        #expect(pass.plan.status.conditions.map(\.type) == ["Progressing", "Blocked"])
        #expect(pass.plan.status.conditions[type: .progressing]?.reason == "Cancelled")
        #expect(pass.plan.status.conditions[type: .blocked]?.reason == "KillSwitch")
        #expect(pass.result.decisions == [PassDecision(.info, "Plan cancelled by the kill switch", ["plan": "p"])])
    }

    // MARK: ApprovalStage

    @Test func approvalsAreAppliedAndARejectionEndsThePlan() {
        let p = f.plan([f.leaderMove])
        let none = f.input([p])
        var waiting = f.pass(none)
        #expect(ApprovalStage.run(&waiting, none) == .next, "waiting is for the gates to show")
        #expect(waiting.plan.status.phase == .pending)
        #expect(waiting.plan.status.conditions[type: .approved]?.status == .false)
        #expect(waiting.plan.status.conditions[type: .approved]?.reason == "AwaitingApproval")

        let yes = f.input([p], votes: [f.approve(p)])
        var approved = f.pass(yes)
        #expect(ApprovalStage.run(&approved, yes) == .next)
        #expect(approved.plan.status.phase == .approved)
        #expect(approved.plan.status.conditions[type: .approved]?.status == .true)
        let executing = f.input([f.running(p, startedAt: f.now)], votes: [f.approve(p)])
        var started = f.pass(executing)
        _ = ApprovalStage.run(&started, executing)
        #expect(started.plan.status.phase == .executing, "only a Pending plan becomes Approved")

        let no = ApprovalVote(plan: p.name, revision: p.spec.revision, approve: false, approver: "bob", source: "cli", createdAt: f.now,
                                keyFingerprint: "SHA256:key-of-bob")
        let rejected = f.input([p], votes: [f.approve(p), no])
        var pass = f.pass(rejected)
        #expect(ApprovalStage.run(&pass, rejected) == .stop)
        #expect(pass.plan.status.phase == .rejected)
        #expect(pass.plan.status.conditions[type: .progressing]?.reason == "Rejected")
        #expect(pass.plan.status.conditions[type: .progressing]?.message == "rejected by bob (SHA256:key-of-bob) (cli)")
    }

    // MARK: DependencyStage

    @Test func aPlanWaitsForThePlansBeforeItThenItsStartTime() {
        let later = f.now.addingTimeInterval(90)
        let second = f.plan("second", [f.leaderMove], after: ["first"], notBefore: later)
        let alone = f.input([second])
        var missing = f.pass(alone)
        #expect(DependencyStage.run(&missing, alone) == .stop)
        #expect(missing.plan.status.conditions[type: .blocked]?.message == "waits for plan first to succeed (it is missing)")
        #expect(missing.plan.status.conditions[type: .progressing]?.reason == "WaitingForPlan")
        #expect(missing.result.requeueAfter == nil, "the other plan's progress wakes it, not a timer")

        let running = f.input([second, f.plan("first", [f.leaderMove], phase: .executing)])
        var waiting = f.pass(running)
        _ = DependencyStage.run(&waiting, running)
        #expect(waiting.plan.status.conditions[type: .blocked]?.message == "waits for plan first to succeed (it is Executing)")

        let done = f.input([second, f.plan("first", [f.leaderMove], phase: .succeeded)])
        var early = f.pass(done)
        #expect(DependencyStage.run(&early, done) == .stop)
        #expect(early.plan.status.conditions[type: .blocked]?.reason == "NotBefore")
        #expect(early.result.requeueAfter == 90)

        let time = f.input([second, f.plan("first", [f.leaderMove], phase: .succeeded)], at: later.addingTimeInterval(1))
        var free = f.pass(time)
        #expect(DependencyStage.run(&free, time) == .next)
        #expect(free.plan.status.conditions.isEmpty)
    }

    @Test func aPlannersBlockerHoldsAPlanUntilItStarts() {
        var p = f.plan([f.leaderMove])
        p.status.conditions.set(.blocked, .true, reason: "QuorumAtRisk", message: "region 7 would lose its quorum", observedGeneration: 1, now: f.now)
        let held = f.input([p])
        var pass = f.pass(held)
        #expect(DependencyStage.run(&pass, held) == .stop)
        #expect(pass.result.decisions == [PassDecision(.info, "Plan blocked by its planner", [
            "plan": "p", "reason": "QuorumAtRisk", "detail": "region 7 would lose its quorum",
        ])])
        #expect(pass.plan.status.conditions == p.status.conditions, "the blocker stays the planner's")
        // An Executing plan is never rewritten by its planner: its gates decide.
        let started = f.input([f.running(p, startedAt: f.now)])
        var executing = f.pass(started)
        #expect(DependencyStage.run(&executing, started) == .next)
        // A gate's Blocked is not a planner's.
        var gated = f.plan([f.leaderMove])
        gated.status.conditions.set(.blocked, .true, reason: Gate.limits.rawValue, message: "4 step(s) in flight", observedGeneration: 1, now: f.now)
        let limits = f.input([gated])
        var other = f.pass(limits)
        #expect(DependencyStage.run(&other, limits) == .next)
    }

    // MARK: IllegalTargetSweep

    @Test func waitingMovesOfAStartedPlanToAnIllegalTargetAreDropped() {
        let p = f.plan([.store(.addEvictLeaderScheduler, 4), f.leaderMove, .transferLeader(region: 8, from: 1, to: 3)], phase: .executing)
        var dead = f.snapshot()
        dead.stores[1].liveness = .down
        let input = f.input([p], snapshot: dead, regions: [7: f.region7])
        var pass = f.pass(input)
        pass.plan.status.steps[1].nextRetry = f.now.addingTimeInterval(30)
        #expect(IllegalTargetSweep.run(&pass, input) == .next)
        #expect(pass.plan.status.steps.map(\.phase) == [.pending, .skipped, .pending])
        #expect(pass.plan.status.steps[1].observedEffect?.hasPrefix("dropped before any call: target store 2 is no longer legal (NotAlive: ") == true)
        #expect(pass.plan.status.steps[1].nextRetry == nil)
        #expect(pass.plan.status.steps[1].finishedAt == f.now)
        #expect(pass.result.decisions.count == 1)
        #expect(pass.result.calls.isEmpty)
    }

    @Test func theSweepWaitsForAStartedPlanInExecuteModeOnAFreshCompleteObservation() {
        let p = f.plan([f.leaderMove], phase: .executing)
        var dead = f.snapshot()
        dead.stores[1].liveness = .down
        func swept(_ input: ExecutionInput) -> Bool {
            var pass = f.pass(input)
            _ = IllegalTargetSweep.run(&pass, input)
            return pass.plan.status.steps[0].phase == .skipped
        }
        #expect(swept(f.input([p], snapshot: dead)))
        #expect(!swept(f.input([f.plan([f.leaderMove], phase: .approved)], snapshot: dead)), "not started: its gate will say")
        #expect(!swept(f.input([p], cluster: f.cluster(.dryRun), snapshot: dead)))
        #expect(!swept(f.input([p], cluster: f.cluster(paused: true), snapshot: dead)))
        var stale = dead
        stale.completedAt = f.now.addingTimeInterval(-120)
        #expect(!swept(f.input([p], snapshot: stale)))
        var partial = dead
        partial.sources[.schedulers] = .failed("timeout")
        #expect(!swept(f.input([p], snapshot: partial)))
    }

    // MARK: OutcomeStage

    @Test func aFailedPlanOpensAnEscalationTicket() {
        var p = f.plan([f.leaderMove], phase: .failed)
        p.status.conditions.set(.failed, .true, reason: .stepFailed, message: "step step-1 failed after 3 attempt(s)", observedGeneration: 1, now: f.now)
        let input = f.input([p])
        var pass = f.pass(input)
        #expect(OutcomeStage.run(&pass, input) == .next)
        #expect(pass.result.tickets.map(\.name) == ["prod-planfailed-p"])
        #expect(pass.result.tickets.first?.spec.summary == "plan p failed: step step-1 failed after 3 attempt(s)")
        #expect(pass.plan.status.conditions.map(\.type) == ["Failed"], "its conditions are the failure's")
    }

    @Test func everyStepDoneMeansSucceeded() {
        let input = f.input([f.plan([f.leaderMove], phase: .executing)])
        var pass = f.pass(input)
        pass.plan.status.steps[0].phase = .skipped
        _ = OutcomeStage.run(&pass, input)
        #expect(pass.plan.status.phase == .succeeded)
        #expect(pass.plan.status.conditions.map { "\($0.type)=\($0.status.rawValue):\($0.reason)" }
                == ["Succeeded=True:EffectsObserved", "Progressing=False:Succeeded", "Blocked=False:NotBlocked"])
        #expect(pass.result.decisions == [PassDecision(.info, "Plan succeeded: every effect observed", ["plan": "p"])])
    }

    @Test func aBlockerShowsOnlyWhileNothingMoves() {
        let input = f.input([f.plan([f.leaderMove, .transferLeader(region: 8, from: 1, to: 3)], phase: .executing)])
        var held = f.pass(input)
        held.blocker = Blocker(.limits, "4 step(s) in flight (limit 4)")
        _ = OutcomeStage.run(&held, input)
        #expect(held.plan.status.conditions.map { "\($0.type)=\($0.status.rawValue):\($0.reason)" } == ["Blocked=True:Limits", "Progressing=False:Limits"])
        #expect(held.plan.status.conditions[type: .progressing]?.message == "4 step(s) in flight (limit 4)")
        #expect(held.result.requeueAfter == nil)

        var moving = f.pass(input)
        moving.blocker = Blocker(.storeLimit, "target store 4 is at its limit")
        moving.moving = true
        moving.plan.status.steps[0].phase = .succeeded
        _ = OutcomeStage.run(&moving, input)
        #expect(moving.plan.status.conditions.map { "\($0.type)=\($0.status.rawValue):\($0.reason)" } == ["Blocked=False:NotBlocked", "Progressing=True:StepsRunning"])
        #expect(moving.plan.status.conditions[type: .progressing]?.message == "1/2 step(s) done")
        #expect(moving.result.requeueAfter == 2)

        var idle = f.pass(input)
        _ = OutcomeStage.run(&idle, input)
        #expect(idle.plan.status.conditions.map(\.type) == ["Blocked"])
        #expect(idle.result.requeueAfter == nil)
    }

    // MARK: The stages in order

    @Test func theKillSwitchComesBeforeTheApprovals() {
        let p = f.plan([f.leaderMove])
        let no = ApprovalVote(plan: p.name, revision: p.spec.revision, approve: false, approver: "bob", source: "cli", createdAt: f.now,
                                keyFingerprint: "SHA256:key-of-bob")
        let r = PlanExecution.advance(f.input([p], votes: [no], kill: true))
        #expect(r.plans[0].status.phase == .cancelled)
        #expect(r.plans[0].status.conditions[type: .approved] == nil)
    }

    @Test func aPlanWaitingForAnotherStillShowsItsApproval() {
        let p = f.plan("second", [f.leaderMove], after: ["first"])
        let r = PlanExecution.advance(f.input([p], votes: [f.approve(p)]))
        #expect(r.plans[0].status.phase == .approved)
        #expect(r.plans[0].status.conditions.map(\.type) == ["Approved", "Blocked", "Progressing"])
    }

    /// The totals travel from plan to plan in name order: what an earlier plan sent counts at a later plan's gates.
    @Test func whatOnePlanSendsCountsAtTheNextPlansLimit() {
        let a = f.plan("a", [f.leaderMove])
        let b = f.plan("b", [.transferLeader(region: 8, from: 1, to: 3)])
        let regions: [UInt64: RegionPlacement] = [7: f.region7, 8: RegionPlacement(id: 8, leaderStoreID: 1, voterStoreIDs: [1, 2, 3])]
        let r = PlanExecution.advance(f.input([b, a], cluster: f.cluster(maxInFlight: 1), votes: [f.approve(a), f.approve(b)], regions: regions))
        #expect(r.calls.map(\.plan) == ["a"])
        #expect(r.plans.map(\.name) == ["a", "b"])
        #expect(r.plans[1].status.conditions[type: .blocked]?.message == "1 step(s) in flight (limit 1)")
    }
}
