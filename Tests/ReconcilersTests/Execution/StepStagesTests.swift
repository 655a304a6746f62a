import Foundation
import PDWire
import Testing
@testable import Reconcilers

/// The step stages of `TiKVSubject.stepStages` and the window loop that runs them, each on one plan's pass.
@Suite struct StepStagesTests {
    let f = StageFixture()

    func approvedPass(_ plan: RemediationPlan, _ input: ExecutionInput) -> PlanPass {
        #expect(f.pass(input).approval.isApproved)
        return f.pass(input)
    }

    // MARK: StepWindows

    @Test func aWindowObservedDoneLetsTheNextStartInTheSamePass() {
        let p = f.running(f.plan([.store(.addEvictLeaderScheduler, 4), .store(.waitForLeadersDrained, 4)]), startedAt: f.now.addingTimeInterval(-2))
        let input = f.input([p], votes: [f.approve(p)], snapshot: f.snapshot(evicted: [4]))
        var pass = f.pass(input, inFlight: 1)
        #expect(StepWindows.run(&pass, input) == .next)
        #expect(pass.plan.status.steps.map(\.phase) == [.succeeded, .running])
        #expect(pass.inFlight == 0, "the scheduler step ended; a wait sends nothing")
        #expect(pass.moving)
    }

    @Test func aGateThatHoldsAStepStopsThePlanButAStoreLimitDoesNot() {
        let moves = (7...9).map { Action.transferLeader(region: UInt64($0), from: 1, to: 2) }
        let p = f.plan(moves, batch: 1)
        var regions: [UInt64: RegionPlacement] = [:]
        for id in UInt64(7)...9 { regions[id] = RegionPlacement(id: id, leaderStoreID: 1, voterStoreIDs: [1, 2, 3]) }
        let input = f.input([p], cluster: f.cluster(maxInFlight: 1), votes: [f.approve(p)], regions: regions)
        var pass = f.pass(input)
        #expect(StepWindows.runWindow([0, 1, 2], &pass, input), "the limit stops the plan")
        #expect(pass.result.calls.map(\.step) == [0])
        #expect(pass.blocker?.reason == "Limits")
        #expect(pass.plan.status.steps[2].phase == .pending)
    }

    /// A wait step the gates hold ends its window without stopping the plan: in dryRun the move after it in its
    /// batch is never looked at, so it records no request (a move the gates hold first records every step's).
    @Test func aWaitStepTheGatesHoldEndsItsWindow() {
        let p = f.plan([.store(.waitForLeadersDrained, 4), f.leaderMove], batch: 1)
        let input = f.input([p], cluster: f.cluster(.dryRun), regions: [7: f.region7])
        var pass = f.pass(input)
        #expect(!StepWindows.runWindow([0, 1], &pass, input))
        #expect(pass.blocker?.reason == "Mode")
        #expect(pass.plan.status.steps.allSatisfy { $0.pdRequest == nil })
        let moveFirst = f.plan([f.leaderMove, .store(.waitForLeadersDrained, 4)], batch: 1)
        let other = f.input([moveFirst], cluster: f.cluster(.dryRun), regions: [7: f.region7])
        var recorded = f.pass(other)
        #expect(StepWindows.runWindow([0, 1], &recorded, other))
        #expect(recorded.plan.status.steps[0].pdRequest?.hasPrefix("dry run, not sent: ") == true)
    }

    // MARK: RunningStepStage

    @Test func aRunningStepIsDoneWhenItsEffectIsObserved() {
        let p = f.running(f.plan([f.leaderMove]), startedAt: f.now.addingTimeInterval(-3))
        var moved = f.region7
        moved.leaderStoreID = 2
        let input = f.input([p], regions: [7: moved])
        var pass = f.pass(input, inFlight: 2)
        #expect(RunningStepStage.run(&pass, f.step(0, of: pass, input), input) == .nextStep)
        #expect(pass.plan.status.steps[0].phase == .succeeded)
        #expect(pass.plan.status.steps[0].observedEffect == "region 7's leader is on store 2")
        #expect(pass.inFlight == 1)
        #expect(pass.result.decisions == [PassDecision(.info, "Step done", ["plan": "p", "step": "step-1", "observed": "region 7's leader is on store 2"])])
        var pending = f.pass(f.input([f.plan([f.leaderMove])]))
        #expect(RunningStepStage.run(&pending, f.step(0, of: pending, input), input) == .next, "not running: the next stages decide")
    }

    @Test func aRunningStepWithoutItsEffectYetKeepsRunning() {
        let p = f.running(f.plan([f.leaderMove]), startedAt: f.now.addingTimeInterval(-3))
        let input = f.input([p], regions: [7: f.region7])
        var pass = f.pass(input, inFlight: 1)
        #expect(RunningStepStage.run(&pass, f.step(0, of: pass, input), input) == .nextStep)
        #expect(pass.plan.status.steps[0].phase == .running)
        #expect(pass.plan.status.steps[0].observedEffect == "region 7's leader is on store 1, not 2")
        #expect(pass.moving)
        #expect(pass.inFlight == 1)
    }

    @Test func aWaitWhosePremiseBrokeFailsThePlanAtOnce() {
        let p = f.running(f.plan([.store(.waitForLeadersDrained, 4)]), startedAt: f.now.addingTimeInterval(-3))
        let input = f.input([p])
        var pass = f.pass(input)
        #expect(RunningStepStage.run(&pass, f.step(0, of: pass, input), input) == .stopPlan)
        #expect(pass.plan.status.phase == .failed)
        #expect(pass.plan.status.steps[0].phase == .failed)
        #expect(pass.plan.status.conditions.map { "\($0.type)=\($0.status.rawValue):\($0.reason)" } == ["Failed=True:NothingEvicts", "Progressing=False:Failed"])
        // While PD's evict-slow-store still evicts the store, the wait goes on.
        let driven = f.input([p], snapshot: f.snapshot(evictedBySlow: [4]))
        var waiting = f.pass(driven)
        #expect(RunningStepStage.run(&waiting, f.step(0, of: waiting, driven), driven) == .nextStep)
        #expect(waiting.plan.status.steps[0].phase == .running)
    }

    @Test func aCallThatNeverReachedPDIsSentAgainWithoutSpendingAnAttempt() {
        let p = f.running(f.plan([f.leaderMove]), startedAt: f.now.addingTimeInterval(-11))
        let input = f.input([p], regions: [7: f.region7])
        var pass = f.pass(input, inFlight: 1)
        #expect(RunningStepStage.run(&pass, f.step(0, of: pass, input), input) == .nextStep)
        let s = pass.plan.status.steps[0]
        #expect(s.phase == .pending && s.attempts == 0 && s.lostCalls == 1 && s.nextRetry == nil)
        #expect(pass.inFlight == 0)
        #expect(pass.result.requeueAfter == 0.5)
        #expect(pass.result.decisions.first?.message == "Sending step again")
        // Once too many calls were lost, the attempt counts as failed like any other.
        var dying = p
        dying.status.steps[0].lostCalls = PlanExecution.maxLostCalls
        let again = f.input([dying], regions: [7: f.region7])
        var counted = f.pass(again, inFlight: 1)
        #expect(RunningStepStage.run(&counted, f.step(0, of: counted, again), again) == .nextStep)
        #expect(counted.plan.status.steps[0].phase == .pending)
        #expect(counted.plan.status.steps[0].nextRetry != nil)
        #expect(counted.plan.status.steps[0].lostCalls == PlanExecution.maxLostCalls)
    }

    @Test func thisAttemptsOperatorEndingWithoutEffectFailsTheAttemptAndTheLastOneThePlan() {
        let op = RegionOperatorObservation(createdAt: f.now.addingTimeInterval(-4), ended: true, status: "TIMEOUT", description: "admin-transfer-leader",
                                           isAdmin: true, steps: [.transferLeader(fromStore: 1, toStore: 2)])
        let p = f.running(f.plan([f.leaderMove]), startedAt: f.now.addingTimeInterval(-5), attempts: 3)
        let input = f.input([p], regions: [7: f.region7], operators: [7: op])
        var pass = f.pass(input, inFlight: 1)
        #expect(RunningStepStage.run(&pass, f.step(0, of: pass, input), input) == .stopPlan)
        #expect(pass.inFlight == 0)
        #expect(pass.plan.status.phase == .failed)
        #expect(pass.plan.status.conditions[type: .failed]?.reason == "StepFailed")
    }

    @Test func aStepPastItsTimeoutFailsItsAttempt() {
        let wait = f.running(f.plan([.store(.waitForLeadersDrained, 4)]), startedAt: f.now.addingTimeInterval(-61))
        let input = f.input([wait], snapshot: f.snapshot(evicted: [4]))
        var pass = f.pass(input, inFlight: 1)
        #expect(RunningStepStage.run(&pass, f.step(0, of: pass, input), input) == .nextStep)
        #expect(pass.plan.status.steps[0].phase == .pending)
        #expect(pass.plan.status.steps[0].lastError == "no effect observed within 60s (store 4 still holds 10 leader(s))")
        #expect(pass.inFlight == 1, "a wait was never in flight")
        let evict = f.running(f.plan([.store(.addEvictLeaderScheduler, 4)]), startedAt: f.now.addingTimeInterval(-61))
        let slow = f.input([evict])
        var mutation = f.pass(slow, inFlight: 1)
        #expect(RunningStepStage.run(&mutation, f.step(0, of: mutation, slow), slow) == .nextStep)
        #expect(mutation.plan.status.steps[0].phase == .pending)
        #expect(mutation.inFlight == 0)
    }

    // MARK: RetryBackoff

    @Test func aStepWaitsOutItsRetryDelay() {
        var p = f.plan([f.leaderMove], phase: .executing)
        p.status.steps = PlanExecution.statuses(p)
        p.status.steps[0].nextRetry = f.now.addingTimeInterval(8)
        p.status.steps[0].lastError = "PD refused: region has no leader"
        let input = f.input([p])
        var pass = f.pass(input)
        #expect(RetryBackoff.run(&pass, f.step(0, of: pass, input), input) == .nextStep)
        #expect(pass.blocker == Blocker(.retryBackoff, "step step-1 retries at \(f.now.addingTimeInterval(8)) after: PD refused: region has no leader"))
        #expect(pass.result.requeueAfter == 8)
        let due = f.input([p], at: f.now.addingTimeInterval(8))
        var after = f.pass(due)
        #expect(RetryBackoff.run(&after, f.step(0, of: after, due), due) == .next)
        #expect(after.blocker == nil)
    }

    @Test func aFailedAttemptIsRetriedAfterItsDelayUntilTheAttemptsAreUsedUp() {
        var plan = f.running(f.plan([f.leaderMove]), startedAt: f.now, attempts: 1)
        var result = ExecutionResult.empty
        let policy = RetryPolicy()
        #expect(!PlanExecution.failAttempt(&plan, 0, "boom", policy: policy, now: f.now, result: &result))
        #expect(plan.status.steps[0].phase == .pending)
        #expect(plan.status.steps[0].nextRetry == f.now.addingTimeInterval(PlanExecution.retryDelay(attempt: 1, policy: policy, plan: "p", step: 0)))
        #expect(plan.status.conditions.isEmpty)
        plan.status.steps[0].attempts = policy.maxAttempts
        #expect(PlanExecution.failAttempt(&plan, 0, "boom", policy: policy, now: f.now, result: &result))
        #expect(plan.status.steps[0].phase == .failed)
        #expect(plan.status.steps[0].nextRetry == nil)
        #expect(plan.status.conditions[type: .failed]?.message == "step step-1 failed after 3 attempt(s): boom")
        #expect(result.decisions.last == PassDecision(.info, "Plan failed", ["plan": "p", "step": "step-1", "error": "boom"]))
    }

    // MARK: WaitStepStart

    @Test func aWaitStepStartsByItselfOnceApproved() {
        let p = f.plan([.store(.waitForLeadersDrained, 4)], phase: .approved)
        let input = f.input([p], votes: [f.approve(p)])
        var pass = approvedPass(p, input)
        #expect(WaitStepStart.run(&pass, f.step(0, of: pass, input), input) == .nextStep)
        #expect(pass.plan.status.phase == .executing)
        #expect(pass.plan.status.steps[0].phase == .running)
        #expect(pass.plan.status.steps[0].attempts == 1)
        #expect(pass.plan.status.steps[0].startedAt == f.now)
        #expect(pass.result.calls.isEmpty)
        #expect(pass.result.decisions == [PassDecision(.info, "Step waiting", [
            "plan": "p", "step": "step-1", "store": "4", "action": "wait until store 4 holds 0 leaders",
        ])])
        var move = f.pass(f.input([f.plan([f.leaderMove])]))
        #expect(WaitStepStart.run(&move, f.step(0, of: move, input), input) == .next, "a mutation goes to the gates")
    }

    @Test func aWaitStepTheGatesHoldShowsTheirReason() {
        let p = f.plan([.store(.waitForLeadersDrained, 4)])
        let unapproved = f.input([p])
        var pass = f.pass(unapproved)
        #expect(WaitStepStart.run(&pass, f.step(0, of: pass, unapproved), unapproved) == .endWindow)
        #expect(pass.blocker?.reason == "Approval")
        #expect(pass.plan.status.steps[0].phase == .pending)
        let paused = f.input([p], cluster: f.cluster(paused: true), votes: [f.approve(p)])
        var held = f.pass(paused)
        #expect(WaitStepStart.run(&held, f.step(0, of: held, paused), paused) == .endWindow)
        #expect(held.blocker == Blocker(.paused, "spec.paused is set on the cluster"))
    }

    // MARK: GateStage

    @Test func aStepPastEveryGateGoesToBeSentAndOneWhoseEffectHoldsIsSkipped() {
        let p = f.plan([f.leaderMove, .store(.addEvictLeaderScheduler, 4)], phase: .approved)
        let input = f.input([p], votes: [f.approve(p)], snapshot: f.snapshot(evicted: [4]), regions: [7: f.region7])
        var pass = approvedPass(p, input)
        #expect(GateStage.run(&pass, f.step(0, of: pass, input), input) == .next)
        #expect(pass.plan == f.pass(input).plan && pass.blocker == nil)
        #expect(GateStage.run(&pass, f.step(1, of: pass, input), input) == .nextStep)
        #expect(pass.plan.status.steps[1].phase == .skipped)
        #expect(pass.plan.status.steps[1].observedEffect == "already held before any call: the evict-leader scheduler holds store 4")
    }

    @Test func aGateThatHoldsAStepStopsThePlanThere() {
        let p = f.plan([f.leaderMove], phase: .approved)
        let input = f.input([p], votes: [f.approve(p)], regions: [7: f.region7])
        var pass = approvedPass(p, input)
        pass.inFlight = 4
        #expect(GateStage.run(&pass, f.step(0, of: pass, input), input) == .stopPlan)
        #expect(pass.blocker == Blocker(.limits, "4 step(s) in flight (limit 4)"))
    }

    @Test func dryRunRecordsEveryRequestAtTheModeGate() {
        let p = f.plan([.store(.addEvictLeaderScheduler, 4), .store(.waitForLeadersDrained, 4), f.leaderMove])
        let input = f.input([p], cluster: f.cluster(.dryRun))
        var pass = f.pass(input)
        #expect(GateStage.run(&pass, f.step(0, of: pass, input), input) == .stopPlan)
        #expect(pass.plan.status.steps.map { $0.pdRequest != nil } == [true, false, true])
        #expect(pass.blocker?.reason == "Mode")
    }

    @Test func aMoveToATargetNoLongerLegalIsDroppedAtItsGate() {
        let p = f.plan([f.leaderMove], phase: .approved)
        let input = f.input([p], votes: [f.approve(p)], snapshot: f.snapshot(evictedBySlow: [2]), regions: [7: f.region7])
        var pass = approvedPass(p, input)
        #expect(GateStage.run(&pass, f.step(0, of: pass, input), input) == .nextStep)
        #expect(pass.plan.status.steps[0].phase == .skipped)
        #expect(pass.plan.status.steps[0].observedEffect?.hasPrefix("dropped before any call: target store 2 is no longer legal (EvictSlowStore: ") == true)
        #expect(pass.blocker == nil)
    }

    /// A started plan whose next step's precondition has been failing for longer than the step's timeout fails.
    @Test func aPreconditionThatNeverHoldsFailsAStartedPlan() {
        var p = f.plan([.store(.offlineStore, 2)], phase: .executing)
        p.status.steps = PlanExecution.statuses(p)
        func blocked(since: TimeInterval) -> ExecutionInput {
            var q = p
            q.status.conditions.set(.blocked, .true, reason: Gate.preconditions.rawValue, message: "m", observedGeneration: 1,
                                    now: f.now.addingTimeInterval(-since))
            return f.input([q], votes: [f.approve(q), f.approve(q, by: "bob")])
        }
        let recent = blocked(since: 30)
        var waiting = approvedPass(p, recent)
        #expect(GateStage.run(&waiting, f.step(0, of: waiting, recent), recent) == .stopPlan)
        #expect(waiting.blocker?.reason == "Preconditions")
        #expect(waiting.plan.status.phase == .executing)
        let long = blocked(since: 61)
        var failed = approvedPass(p, long)
        #expect(GateStage.run(&failed, f.step(0, of: failed, long), long) == .stopPlan)
        #expect(failed.plan.status.phase == .failed)
        #expect(failed.plan.status.conditions[type: .failed]?.reason == "PreconditionNeverHeld")
        #expect(failed.plan.status.steps[0].lastError == "precondition did not hold for 60s: the regions of store 2 were not read for this call: the quorum check cannot be made yet")
    }

    @Test func aPeerTargetAtItsStoreLimitWaitsWhileTheWindowGoesOn() {
        let p = f.plan([.transferPeer(region: 8, from: 1, to: 4)], phase: .approved)
        var snap = f.snapshot()
        snap.operators = [OperatorSnapshot(regionID: 50, description: "balance-region", admittedAt: f.now.addingTimeInterval(-1),
                                           addsPeerOn: [4], sizeMiB: 96)]
        let region8 = RegionPlacement(id: 8, leaderStoreID: 1, voterStoreIDs: [1, 2, 3], approximateSizeMiB: 96)
        let input = f.input([p], votes: [f.approve(p)], snapshot: snap, regions: [8: region8])
        var pass = approvedPass(p, input)
        #expect(GateStage.run(&pass, f.step(0, of: pass, input), input) == .nextStep)
        #expect(pass.blocker?.reason == "StoreLimit")
        #expect(pass.plan.status.steps[0].phase == .pending)
        #expect(pass.result.requeueAfter.map { $0 >= 1 && $0 <= 3 } == true)
    }

    // MARK: SendStage

    @Test func aStepPastTheGatesIsSentWithItsIntentRecorded() throws {
        let p = f.plan([f.leaderMove], phase: .approved)
        let input = f.input([p], votes: [f.approve(p)], regions: [7: f.region7])
        var pass = f.pass(input, inFlight: 1, actions: 5)
        #expect(SendStage.run(&pass, f.step(0, of: pass, input), input) == .nextStep)
        let s = pass.plan.status.steps[0]
        #expect(s.phase == .running && s.attempts == 1 && s.startedAt == f.now)
        #expect(s.pdRequest == #"POST /pd/api/v1/operators {"name":"transfer-leader","region_id":7,"to_store_id":2}"#)
        #expect(pass.plan.status.phase == .executing)
        #expect(pass.inFlight == 2 && pass.actions == 6 && pass.moving)
        let call = try #require(PDCall.forAction(f.leaderMove))
        #expect(pass.result.calls == [StepCall(plan: "p", step: 0, action: f.leaderMove, call: call, attempt: 1)])
        #expect(pass.result.decisions == [PassDecision(.info, "Sending step", [
            "plan": "p", "step": "step-1", "region": "7", "fromStore": "1", "toStore": "2", "attempt": "1",
            "request": #"POST /pd/api/v1/operators {"name":"transfer-leader","region_id":7,"to_store_id":2}"#,
        ])])
    }

    @Test func aStepThatCanNeverBeSentFailsThePlan() {
        let p = f.plan([Action(kind: .setStoreWeight, storeID: 2)], phase: .approved)
        let input = f.input([p], votes: [f.approve(p)])
        var pass = f.pass(input)
        #expect(SendStage.run(&pass, f.step(0, of: pass, input), input) == .stopPlan)
        #expect(pass.result.calls.isEmpty)
        #expect(pass.plan.status.phase == .failed)
        #expect(pass.plan.status.conditions[type: .failed]?.reason == "StepInvalid")
        #expect(pass.plan.status.steps[0].lastError?.hasSuffix(": it can never be sent") == true)
    }
}
