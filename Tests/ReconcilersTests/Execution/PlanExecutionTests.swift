import Foundation
import PDWire
import Testing
import TestSupport
@testable import Reconcilers

@Suite struct PlanExecutionTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func snapshot(at now: Date, evicted: [UInt64] = [], leaders: [UInt64: Int] = [:]) -> ClusterSnapshot {
        SnapshotFixtures.complete(
            at: now, stores: SnapshotFixtures.evenStores(leaders: leaders),
            schedulers: SchedulerSnapshot(names: evicted.isEmpty ? [] : ["evict-leader-scheduler"], evictLeaderStores: evicted))
    }

    func cluster(_ mode: ClusterMode = .execute, maxInFlight: Int = 4) -> TiKVCluster {
        var spec = TiKVClusterSpec(pd: PDEndpoint(urls: ["http://127.0.0.1:2379"]))
        spec.mode = mode
        spec.limits.maxInFlightSteps = maxInFlight
        return TiKVCluster(metadata: ObjectMeta(name: "prod", generation: 1), spec: spec)
    }

    func plan(_ name: String, _ actions: [Action], after: [String] = [], notBefore: Date? = nil, batch: Int? = nil) -> RemediationPlan {
        let steps = actions.enumerated().map { i, a in
            PlanStep(name: "step-\(i + 1)", action: a, expectedEffect: "", timeout: .minutes(1), batch: batch)
        }
        return RemediationPlan(metadata: ObjectMeta(name: name, generation: 1),
                               spec: RemediationPlanSpec(cluster: "prod", origin: .reconciler, concern: name, reason: "test", steps: steps,
                                                         after: after, notBefore: notBefore))
    }

    func approve(_ p: RemediationPlan, by who: String = "alice") -> ApprovalVote {
        ApprovalVote(plan: p.name, revision: p.spec.revision, approve: true, approver: who, source: "cli", createdAt: t0,
                     keyFingerprint: "SHA256:key-of-\(who)")
    }

    func run(_ plans: [RemediationPlan], cluster: TiKVCluster? = nil, votes: [ApprovalVote], now: Date,
             snapshot: ClusterSnapshot? = nil, regions: [UInt64: RegionPlacement] = [:],
             operators: [UInt64: RegionOperatorObservation] = [:], kill: Bool = false) -> ExecutionResult {
        PlanExecution.advance(ExecutionInput(cluster: cluster ?? self.cluster(), snapshot: snapshot ?? self.snapshot(at: now), plans: plans,
                                             votes: votes, killSwitch: kill, regions: regions, regionOperators: operators, now: now))
    }

    @Test func aRunningStepResumesByWhatPDShowsAfterACrash() {
        let p = plan("p", [leaderMove])
        let votes = [approve(p)]
        let running = run([p], votes: votes, now: t0, regions: [7: region7]).plans
        // PD runs (or finished successfully) an operator created for this attempt: keep waiting for the effect.
        let ours = adminTransfer(created: t0.addingTimeInterval(0.2), ended: false, status: "running")
        #expect(run(running, votes: votes, now: t0.addingTimeInterval(30), regions: [7: region7], operators: [7: ours]).plans[0].status.steps[0].phase == .running)
        let succeeded = adminTransfer(created: t0.addingTimeInterval(0.2), ended: true, status: "success")
        #expect(run(running, votes: votes, now: t0.addingTimeInterval(30), regions: [7: region7], operators: [7: succeeded]).plans[0].status.steps[0].phase == .running)
        // PD's operator for this attempt timed out: the attempt failed, a retry is scheduled.
        let timedOut = adminTransfer(created: t0.addingTimeInterval(0.2), ended: true, status: "timeout")
        let retry = run(running, votes: votes, now: t0.addingTimeInterval(30), regions: [7: region7], operators: [7: timedOut]).plans[0]
        #expect(retry.status.steps[0].phase == .pending)
        #expect(retry.status.steps[0].nextRetry != nil)
        // No operator at all long after the intent (the controller died before sending): never took effect.
        #expect(run(running, votes: votes, now: t0.addingTimeInterval(5), regions: [7: region7]).plans[0].status.steps[0].phase == .running,
                "too early to tell")
        let lost = run(running, votes: votes, now: t0.addingTimeInterval(11), regions: [7: region7]).plans[0]
        #expect(lost.status.steps[0].phase == .pending)
        #expect(lost.status.steps[0].lastError?.contains("never took effect") == true)
        #expect(lost.status.steps[0].attempts == 0, "a call that never reached PD does not spend an attempt")
        #expect(lost.status.steps[0].lostCalls == 1)
        #expect(run([lost], votes: votes, now: t0.addingTimeInterval(11.5), regions: [7: region7]).calls.count == 1, "sent again at once")
        // An operator older than the attempt is someone else's.
        let old = adminTransfer(created: t0.addingTimeInterval(-300), ended: true, status: "success")
        #expect(run(running, votes: votes, now: t0.addingTimeInterval(11), regions: [7: region7], operators: [7: old]).plans[0].status.steps[0].phase == .pending)
        // Without the region read, nothing is judged.
        #expect(run(running, votes: votes, now: t0.addingTimeInterval(11)).plans[0].status.steps[0].phase == .running)
    }

    /// What `GET /operators/7` shows for the controller's own transfer of region 7's leader to store 2.
    func adminTransfer(created: Date, ended: Bool, status: String, to: UInt64 = 2) -> RegionOperatorObservation {
        RegionOperatorObservation(createdAt: created, ended: ended, status: status, description: "admin-transfer-leader", isAdmin: true,
                                  steps: [.transferLeader(fromStore: 1, toStore: to)])
    }

    /// Found against PD's own behaviour: its checkers and balancers, a PD leader change and a skewed PD clock
    /// must not make the executor fail or resend a step PD is still carrying out.
    @Test func anAttemptIsRecognisedByWhatItIsNotByWhenItAppeared() {
        let p = plan("p", [leaderMove])
        let votes = [approve(p)]
        let running = run([p], votes: votes, now: t0, regions: [7: region7]).plans
        // PD's balance-leader operator on the region, created after the attempt, ends CANCEL: not this attempt.
        let balancer = RegionOperatorObservation(createdAt: t0.addingTimeInterval(1), ended: true, status: "cancel",
                                                 description: "balance-leader-scheduler", steps: [.transferLeader(fromStore: 1, toStore: 3)])
        let afterBalancer = run(running, votes: votes, now: t0.addingTimeInterval(5), regions: [7: region7], operators: [7: balancer]).plans[0]
        #expect(afterBalancer.status.steps[0].phase == .running, "a PD checker's cancelled operator does not fail this step")
        #expect(afterBalancer.status.steps[0].attempts == 1)
        // An admin operator to another store (someone else's pd-ctl) is not this attempt either.
        let other = adminTransfer(created: t0.addingTimeInterval(1), ended: true, status: "timeout", to: 3)
        #expect(run(running, votes: votes, now: t0.addingTimeInterval(5), regions: [7: region7], operators: [7: other]).plans[0].status.steps[0].phase == .running)
        // PD's clock runs 5 minutes behind: its createAt for this attempt reads 300 s before the intent, and it is ours.
        var skewed = snapshot(at: t0.addingTimeInterval(30))
        skewed.pdClockOffset = -300
        let behind = adminTransfer(created: t0.addingTimeInterval(-299.5), ended: false, status: "running")
        let kept = run(running, votes: votes, now: t0.addingTimeInterval(30), snapshot: skewed, regions: [7: region7], operators: [7: behind]).plans[0]
        #expect(kept.status.steps[0].phase == .running && kept.status.steps[0].lostCalls == nil, "ours, on PD's clock: never resent")
        // A PD leader change wiped the records, but the peer move already added its learner: nothing is sent again.
        let move = plan("m", [.transferPeer(region: 7, from: 1, to: 4)])
        let moving = run([move], votes: [approve(move)], now: t0, regions: [7: region7]).plans
        let withLearner = RegionPlacement(id: 7, leaderStoreID: 1, voterStoreIDs: [1, 2, 3], learnerStoreIDs: [4], unhealthyStoreIDs: [4])
        let waited = run(moving, votes: [approve(move)], now: t0.addingTimeInterval(30), regions: [7: withLearner])
        #expect(waited.calls.isEmpty)
        #expect(waited.plans[0].status.steps[0].phase == .running)
    }

    let leaderMove = Action.transferLeader(region: 7, from: 1, to: 2)
    let region7 = RegionPlacement(id: 7, leaderStoreID: 1, voterStoreIDs: [1, 2, 3])

    /// A plan its planner marked blocked (quorum at risk, a precondition not yet checkable) starts nothing,
    /// approved or not; its blocker stays what the plan says.
    @Test func aPlannersBlockerStopsExecution() {
        var p = plan("offline", [.store(.offlineStore, 2), .store(.waitForStoreRemoved, 2)])
        p.status.conditions.set("Blocked", .true, reason: "PreconditionUnknown", message: "regions of store 2 are fetched next",
                                observedGeneration: 1, now: t0)
        let r = run([p], votes: [approve(p), approve(p, by: "bob")], now: t0)
        #expect(r.calls.isEmpty)
        #expect(r.plans[0].status.conditions[type: "Blocked"]?.reason == "PreconditionUnknown")
        #expect(r.plans[0].status.phase != .executing)
    }

    /// A leader move whose target PD now evicts as slow is dropped before any call; the next move still goes.
    @Test func aMoveWhoseTargetTurnedIllegalIsDroppedAtOnce() {
        let p = plan("balance", [leaderMove, .transferLeader(region: 8, from: 1, to: 3)], batch: 1)
        var snap = snapshot(at: t0)
        snap.schedulers.evictSlowStores = [2]
        let region8 = RegionPlacement(id: 8, leaderStoreID: 1, voterStoreIDs: [1, 2, 3])
        let r = run([p], votes: [approve(p)], now: t0, snapshot: snap, regions: [7: region7, 8: region8])
        #expect(r.plans[0].status.steps[0].phase == .skipped)
        #expect(r.plans[0].status.steps[0].observedEffect?.contains("EvictSlowStore") == true)
        #expect(r.calls.map(\.action) == [.transferLeader(region: 8, from: 1, to: 3)])
    }

    /// A leader move the region's placement rules forbid is dropped naming the rule (`describe plan` shows it);
    /// a peer move whose target is at its store limit waits, and the window's other move goes.
    @Test func aPlacementRefusalDropsAndAStoreLimitWaits() {
        let p = plan("balance", [leaderMove, .transferPeer(region: 8, from: 1, to: 4), .transferPeer(region: 9, from: 1, to: 4)], batch: 1)
        var snap = snapshot(at: t0)
        for i in snap.stores.indices { snap.stores[i].labels = ["zone": "z\(snap.stores[i].id)"] }
        // Store 2 may hold voters of region 7 but not lead them: z2 fits only a follower rule.
        snap.placement = PlacementRuleTable(enabled: true, rules: [
            .init(groupID: "pd", id: "default", role: "voter", count: 2,
                  labelConstraints: [PlacementLabelConstraint(key: "zone", op: "notIn", values: ["z2"])]),
            .init(groupID: "pd", id: "z2", role: "follower", count: 1,
                  labelConstraints: [PlacementLabelConstraint(key: "zone", op: "in", values: ["z2"])]),
        ])
        // PD admitted a move of a normal region onto store 4 a second ago: at 15/min its bucket holds 250 tokens.
        snap.operators = [OperatorSnapshot(regionID: 50, description: "balance-region", admittedAt: t0.addingTimeInterval(-1),
                                           addsPeerOn: [4], sizeMiB: 96)]
        let region8 = RegionPlacement(id: 8, leaderStoreID: 1, voterStoreIDs: [1, 2, 3], approximateSizeMiB: 96)
        let region9 = RegionPlacement(id: 9, leaderStoreID: 1, voterStoreIDs: [1, 2, 3], approximateSizeMiB: 8)
        let r = run([p], votes: [approve(p)], now: t0, snapshot: snap, regions: [7: region7, 8: region8, 9: region9])
        let steps = r.plans[0].status.steps
        #expect(steps[0].phase == .skipped)
        #expect(steps[0].observedEffect?.contains("(PlacementRule: no leader or voter placement rule admits its labels (pd/default") == true)
        #expect(steps[1].phase == .pending, "waits for tokens; not dropped")
        // Region 9 is small (200 tokens): it fits in what is left and goes.
        #expect(r.calls.map(\.action) == [.transferPeer(region: 9, from: 1, to: 4)])
        #expect(r.requeueAfter.map { $0 <= 3 } == true)
        // Once the bucket has refilled the waiting move goes too.
        var refilled = snap
        refilled.completedAt = t0.addingTimeInterval(4)
        refilled.operators = []
        let later = run(r.plans, votes: [approve(p)], now: t0.addingTimeInterval(4), snapshot: refilled, regions: [8: region8, 9: region9])
        #expect(later.calls.map(\.action).contains(.transferPeer(region: 8, from: 1, to: 4)))
    }

    /// Waiting moves of a started plan whose target died are dropped at once — but never on a failed observation,
    /// where a missing store list must not read as every target gone.
    @Test func waitingMovesToADeadStoreAreDroppedOnlyOnACompleteObservation() {
        let p = plan("balance", [leaderMove, .transferLeader(region: 8, from: 1, to: 2), .transferLeader(region: 9, from: 1, to: 3)])
        let region8 = RegionPlacement(id: 8, leaderStoreID: 1, voterStoreIDs: [1, 2, 3])
        let started = run([p], votes: [approve(p)], now: t0, regions: [7: region7, 8: region8]).plans
        #expect(started[0].status.phase == .executing)
        var dead = snapshot(at: t0.addingTimeInterval(5))
        dead.stores[1].liveness = .down
        var failed = dead
        failed.sources[.stores] = .failed("timeout")
        failed.stores = []
        let kept = run(started, votes: [approve(p)], now: t0.addingTimeInterval(5), snapshot: failed).plans[0]
        #expect(kept.status.steps[1].phase == .pending, "a failed store list drops nothing")
        let swept = run(started, votes: [approve(p)], now: t0.addingTimeInterval(5), snapshot: dead, regions: [7: region7]).plans[0]
        #expect(swept.status.steps[1].phase == .skipped)
        #expect(swept.status.steps[1].observedEffect?.contains("NotAlive") == true)
        #expect(swept.status.steps[2].phase != .skipped)
    }

    @Test func storesToTakeOfflineAreReadBeforeTheirStep() {
        let p = plan("offline", [.store(.offlineStore, 2), .store(.waitForStoreRemoved, 2)])
        #expect(PlanExecution.storesToObserve([p]) == [2])
        // Without the store's regions the offline step is blocked, never sent.
        let blocked = run([p], votes: [approve(p), approve(p, by: "bob")], now: t0)
        #expect(blocked.calls.isEmpty)
        #expect(blocked.plans[0].status.conditions[type: "Blocked"]?.reason == "Preconditions")
        let input = ExecutionInput(cluster: cluster(), snapshot: snapshot(at: t0), plans: [p], votes: [approve(p), approve(p, by: "bob")],
                                   killSwitch: false, storeRegions: [2: [region7]], now: t0)
        #expect(PlanExecution.advance(input).calls.map(\.action) == [.store(.offlineStore, 2)])
    }

    @Test func observeModeShowsThePlanAndSendsNothing() {
        let p = plan("p", [leaderMove])
        let r = run([p], cluster: cluster(.observe), votes: [approve(p)], now: t0, regions: [7: region7])
        #expect(r.calls.isEmpty)
        #expect(r.plans[0].status.conditions[type: "Blocked"]?.reason == "Mode")
    }

    @Test func dryRunRecordsTheExactRequestAndSendsNothing() {
        let p = plan("p", [.store(.addEvictLeaderScheduler, 4), .store(.waitForLeadersDrained, 4), leaderMove])
        let r = run([p], cluster: cluster(.dryRun), votes: [], now: t0, regions: [7: region7])
        #expect(r.calls.isEmpty)
        let steps = r.plans[0].status.steps
        #expect(steps[0].pdRequest == #"dry run, not sent: POST /pd/api/v1/schedulers {"name":"evict-leader-scheduler","store_id":4}"#)
        #expect(steps[1].pdRequest == nil, "a wait step sends nothing")
        #expect(steps[2].pdRequest == #"dry run, not sent: POST /pd/api/v1/operators {"name":"transfer-leader","region_id":7,"to_store_id":2}"#)
        #expect(steps.allSatisfy { $0.phase == .pending })
    }

    @Test func anUnapprovedPlanIsBlockedAtTheApprovalGate() {
        let p = plan("p", [leaderMove])
        let r = run([p], votes: [], now: t0, regions: [7: region7])
        #expect(r.calls.isEmpty)
        #expect(r.plans[0].status.conditions[type: "Blocked"]?.reason == "Approval")
        #expect(r.plans[0].status.conditions[type: "Approved"]?.reason == "AwaitingApproval")
    }

    @Test func aLeaderMoveRunsAndSucceedsOnlyWhenObserved() {
        let p = plan("p", [leaderMove])
        let first = run([p], votes: [approve(p)], now: t0, regions: [7: region7])
        #expect(first.calls.count == 1)
        #expect(first.calls[0].call.body == #"{"name":"transfer-leader","region_id":7,"to_store_id":2}"#)
        let running = first.plans[0]
        #expect(running.status.phase == .executing)
        #expect(running.status.steps[0].phase == .running)
        #expect(running.status.steps[0].attempts == 1)

        // PD answered, but the region still reports its old leader: not done, nothing resent.
        let second = run([running], votes: [approve(p)], now: t0.addingTimeInterval(2), regions: [7: region7])
        #expect(second.calls.isEmpty)
        #expect(second.plans[0].status.steps[0].phase == .running)

        var moved = region7
        moved.leaderStoreID = 2
        let third = run([second.plans[0]], votes: [approve(p)], now: t0.addingTimeInterval(4), regions: [7: moved])
        #expect(third.plans[0].status.phase == .succeeded)
        #expect(third.plans[0].status.steps[0].observedEffect == "region 7's leader is on store 2")
    }

    @Test func aDrainRunsItsStepsInOrderEachAfterTheLastIsObserved() {
        let p = plan("drain", [.store(.addEvictLeaderScheduler, 4), .store(.waitForLeadersDrained, 4)])
        let votes = [approve(p)]
        let a = run([p], votes: votes, now: t0)
        #expect(a.calls.map(\.call.path) == ["/schedulers"])
        let b = run(a.plans, votes: votes, now: t0.addingTimeInterval(1), snapshot: snapshot(at: t0.addingTimeInterval(1), evicted: [4]))
        #expect(b.calls.isEmpty)
        #expect(b.plans[0].status.steps.map(\.phase) == [.succeeded, .running])
        let c = run(b.plans, votes: votes, now: t0.addingTimeInterval(20),
                    snapshot: snapshot(at: t0.addingTimeInterval(20), evicted: [4], leaders: [4: 0]))
        #expect(c.plans[0].status.phase == .succeeded)
    }

    @Test func aStepWithoutEffectRetriesWithBackoffThenFailsAndEscalates() {
        let p = plan("p", [leaderMove])
        let votes = [approve(p)]
        var plans = run([p], votes: votes, now: t0, regions: [7: region7]).plans
        var now = t0
        var sent = 1
        for _ in 0..<10 {
            // PD holds an operator for each attempt that never shows its effect: the step times out.
            let stuck = adminTransfer(created: now.addingTimeInterval(1), ended: false, status: "running")
            now = now.addingTimeInterval(400)
            let r = run(plans, votes: votes, now: now, regions: [7: region7], operators: [7: stuck])
            sent += r.calls.count
            plans = r.plans
            if plans[0].status.phase == .failed {
                #expect(r.tickets.count == 1)
                #expect(r.tickets[0].spec.invariant == "planFailed")
                break
            }
        }
        #expect(plans[0].status.phase == .failed)
        #expect(sent == 3, "three attempts by default, never more")
        #expect(plans[0].status.conditions[type: "Failed"]?.status == .true)
    }

    @Test func aPDRefusalFailsTheAttemptAtOnceButATransportErrorWaitsForTheEffect() {
        let p = plan("p", [leaderMove])
        let running = run([p], votes: [approve(p)], now: t0, regions: [7: region7]).plans[0]
        let policy = ExecutionPolicy()
        let (refused, final) = PlanExecution.recordOutcome(running, step: 0, refused: "region has no leader", unknownOutcome: nil, policy: policy, now: t0)
        #expect(!final)
        #expect(refused.status.steps[0].phase == .pending)
        #expect(refused.status.steps[0].nextRetry != nil)
        let (unknown, _) = PlanExecution.recordOutcome(running, step: 0, refused: nil, unknownOutcome: "timed out", policy: policy, now: t0)
        #expect(unknown.status.steps[0].phase == .running)
        // Before the retry time nothing is sent.
        #expect(run([refused], votes: [approve(p)], now: t0.addingTimeInterval(0.5), regions: [7: region7]).calls.isEmpty)
        #expect(run([refused], votes: [approve(p)], now: t0.addingTimeInterval(10), regions: [7: region7]).calls.count == 1)
    }

    @Test func aCallNotSentBecauseTheControllerStoppedSpendsNoAttemptAndIsSentByTheNextPass() {
        let p = plan("p", [leaderMove])
        let votes = [approve(p)]
        let running = run([p], votes: votes, now: t0, regions: [7: region7]).plans[0]
        #expect(running.status.steps[0].phase == .running && running.status.steps[0].attempts == 1)
        let back = PlanExecution.recordNotSent(running, step: 0, reason: "not sent: the controller was stopping")
        let s = back.status.steps[0]
        #expect(s.phase == .pending && s.attempts == 0 && s.lostCalls == 1 && s.nextRetry == nil)
        #expect(s.lastError == "not sent: the controller was stopping")
        #expect(run([back], votes: votes, now: t0.addingTimeInterval(1), regions: [7: region7]).calls.count == 1, "sent by the next pass")
        // Only a step whose intent is written goes back; a controller that keeps stopping there is bounded.
        #expect(PlanExecution.recordNotSent(back, step: 0, reason: "again") == back)
        var stuck = running
        stuck.status.steps[0].lostCalls = PlanExecution.maxLostCalls
        #expect(PlanExecution.recordNotSent(stuck, step: 0, reason: "again") == stuck, "left Running: its timeout settles it")
    }

    @Test func theKillSwitchCancelsPlansAndTheirOperators() {
        let p = plan("p", [leaderMove])
        let running = run([p], votes: [approve(p)], now: t0, regions: [7: region7]).plans
        let r = run(running, votes: [approve(p)], now: t0.addingTimeInterval(1), regions: [7: region7], kill: true)
        #expect(r.plans[0].status.phase == .cancelled)
        #expect(r.cancelOperators == [7])
        #expect(r.calls.isEmpty)
    }

    @Test func aRevisedPlanNeedsAFreshApproval() {
        let p = plan("p", [leaderMove])
        let old = ApprovalVote(plan: "p", revision: "0000000000000000", approve: true, approver: "alice", source: "cli", createdAt: t0,
                           keyFingerprint: "SHA256:key-of-alice")
        let r = run([p], votes: [old], now: t0, regions: [7: region7])
        #expect(r.calls.isEmpty)
        #expect(r.plans[0].status.conditions[type: "Approved"]?.reason == "RevisionChanged")
    }

    @Test func aRejectionIsTerminal() {
        let p = plan("p", [leaderMove])
        let no = ApprovalVote(plan: "p", revision: p.spec.revision, approve: false, approver: "bob", source: "cli", createdAt: t0,
                          keyFingerprint: "SHA256:key-of-bob")
        let r = run([p], votes: [approve(p), no], now: t0, regions: [7: region7])
        #expect(r.plans[0].status.phase == .rejected)
        #expect(r.calls.isEmpty)
    }

    @Test func plansWaitForOtherPlansAndForTheirStartTime() {
        let first = plan("first", [.store(.addEvictLeaderScheduler, 4)])
        let second = plan("second", [leaderMove], after: ["first"])
        let later = plan("later", [.transferLeader(region: 8, from: 1, to: 2)], notBefore: t0.addingTimeInterval(60))
        let r = run([first, second, later], votes: [approve(first), approve(second), approve(later)], now: t0,
                    regions: [7: region7, 8: RegionPlacement(id: 8, leaderStoreID: 1, voterStoreIDs: [1, 2, 3])])
        let byName = Dictionary(uniqueKeysWithValues: r.plans.map { ($0.name, $0) })
        #expect(r.calls.map(\.plan) == ["first"])
        #expect(byName["second"]?.status.conditions[type: "Blocked"]?.reason == "WaitingForPlan")
        #expect(byName["later"]?.status.conditions[type: "Blocked"]?.reason == "NotBefore")
    }

    @Test func stepsOfOneBatchRunInParallelUpToTheInFlightLimit() {
        let moves = (10..<16).map { Action.transferLeader(region: UInt64($0), from: 1, to: 2) }
        let p = plan("p", moves, batch: 1)
        var regions: [UInt64: RegionPlacement] = [:]
        for id in 10..<16 { regions[UInt64(id)] = RegionPlacement(id: UInt64(id), leaderStoreID: 1, voterStoreIDs: [1, 2, 3]) }
        let r = run([p], cluster: cluster(maxInFlight: 4), votes: [approve(p)], now: t0, regions: regions)
        #expect(r.calls.count == 4)
        #expect(PlanExecution.regionsToObserve(r.plans, limits: Limits(maxInFlightSteps: 4)) == [10, 11, 12, 13])
        // Without a batch, steps run one at a time.
        let alone = run([plan("q", moves)], cluster: cluster(maxInFlight: 4), votes: [approve(plan("q", moves))], now: t0, regions: regions)
        #expect(alone.calls.count == 1)
    }

    @Test func retryDelaysGrowAndStayWithinJitterBounds() {
        let policy = RetryPolicy()
        for attempt in 1...6 {
            let d = PlanExecution.retryDelay(attempt: attempt, policy: policy, plan: "p", step: 0)
            let raw = min(300, 2 * pow(2, Double(attempt - 1)))
            #expect(d >= raw * 0.75 && d <= raw * 1.25)
            #expect(d == PlanExecution.retryDelay(attempt: attempt, policy: policy, plan: "p", step: 0), "deterministic")
        }
    }

    /// A drain that leaned on PD's evict-slow-store fails at once when PD releases the store before its leaders left
    /// (PD's balancer brings them back): waiting out the timeout cannot help, and the planner then proposes the
    /// maintenance's own eviction. Never on an incomplete observation, and not while anything still evicts the store.
    @Test func aLeaderDrainThatNothingDrivesAnyMoreFailsAtOnce() {
        let p = plan("drain", [.store(.waitForLeadersDrained, 4)])
        var pdEvicts = snapshot(at: t0)
        pdEvicts.schedulers.evictSlowStores = [4]
        let waiting = run([p], votes: [approve(p)], now: t0, snapshot: pdEvicts)
        #expect(waiting.plans[0].status.steps[0].phase == .running)
        #expect(waiting.calls.isEmpty)
        let later = t0.addingTimeInterval(30)
        var stillPD = snapshot(at: later)
        stillPD.schedulers.evictSlowStores = [4]
        #expect(run(waiting.plans, votes: [approve(p)], now: later, snapshot: stillPD).plans[0].status.steps[0].phase == .running)
        #expect(run(waiting.plans, votes: [approve(p)], now: later, snapshot: snapshot(at: later, evicted: [4])).plans[0].status.steps[0].phase == .running)
        var failedList = snapshot(at: later)
        failedList.sources[.schedulers] = .failed("timeout")
        #expect(run(waiting.plans, votes: [approve(p)], now: later, snapshot: failedList).plans[0].status.steps[0].phase == .running)
        let released = run(waiting.plans, votes: [approve(p)], now: later, snapshot: snapshot(at: later))
        #expect(released.plans[0].status.phase == .failed)
        #expect(released.plans[0].status.steps[0].phase == .failed)
        #expect(released.plans[0].status.conditions[type: "Failed"]?.reason == "NothingEvicts")
        #expect(released.plans[0].status.steps[0].lastError?.contains("nothing evicts store 4 any more") == true)
        #expect(released.tickets.map(\.spec.invariant) == ["planFailed"])
        #expect(released.calls.isEmpty)
        // Drained before PD let go: done, whatever PD does next.
        let drained = run(waiting.plans, votes: [approve(p)], now: later, snapshot: snapshot(at: later, leaders: [4: 0]))
        #expect(drained.plans[0].status.phase == .succeeded)
    }

    @Test func aPlanThatEndsWithoutSuccessRemovesTheSchedulerItAdded() {
        let p = plan("drain", [.store(.addEvictLeaderScheduler, 4), .store(.waitForLeadersDrained, 4)])
        var ended = run([p], votes: [approve(p)], now: t0).plans[0]
        ended.status.phase = .failed
        let evicted = snapshot(at: t0.addingTimeInterval(5), evicted: [4])
        let r = run([ended], votes: [], now: t0.addingTimeInterval(5), snapshot: evicted)
        #expect(r.calls.map(\.call.description) == ["DELETE /pd/api/v1/schedulers/evict-leader-scheduler-4"])
        #expect(r.calls.first?.step == -1)
        #expect(r.plans[0].status.cleanup?.hasPrefix("removing") == true)
        // Observed gone: recorded, nothing more is sent.
        let gone = run(r.plans, votes: [], now: t0.addingTimeInterval(10), snapshot: snapshot(at: t0.addingTimeInterval(10)))
        #expect(gone.calls.isEmpty)
        #expect(gone.plans[0].status.cleanup?.hasPrefix("removed") == true)
        // Not under the kill switch, and not while another plan that ran still wants the store evicted.
        #expect(run([ended], votes: [], now: t0.addingTimeInterval(5), snapshot: evicted, kill: true).calls.isEmpty)
        var keeper = plan("keeper", [.store(.addEvictLeaderScheduler, 4)])
        keeper.status.phase = .succeeded
        keeper.status.steps = [StepStatus(name: "step-1")]
        keeper.status.steps[0].phase = .succeeded
        keeper.status.steps[0].attempts = 1
        #expect(run([ended, keeper], votes: [], now: t0.addingTimeInterval(5), snapshot: evicted).calls.isEmpty)
    }
}
