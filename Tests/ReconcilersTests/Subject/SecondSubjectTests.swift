import Foundation
import Testing
@testable import Reconcilers

/// A second subject (`FakeKVSubject`, tests only) runs through the same approval, gates, stages and executor as TiKV.
@Suite struct SecondSubjectTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func settings(_ mode: ClusterMode = .execute) -> ExecutionSettings {
        ExecutionSettings(mode: mode, paused: false, maintenanceWindows: [], limits: Limits(), approval: ApprovalPolicy(),
                          execution: ExecutionPolicy())
    }

    func plan(_ puts: [FakeKVSubject.Put]) -> SubjectPlan<FakeKVSubject> {
        let steps = puts.enumerated().map { i, put in
            SubjectPlanStep<FakeKVSubject>(name: "put-\(i + 1)", action: put, expectedEffect: "\(put.key) is \(put.value)", timeout: .minutes(1))
        }
        return SubjectPlan(metadata: ObjectMeta(name: "kv-greeting", generation: 1),
                           spec: SubjectPlanSpec(cluster: "kv", origin: .reconciler, concern: "greeting", reason: "test", steps: steps))
    }

    func approve(_ p: SubjectPlan<FakeKVSubject>) -> ApprovalVote {
        ApprovalVote(plan: p.name, revision: p.spec.revision, approve: true, approver: "alice", source: "cli", createdAt: t0,
                     keyFingerprint: "SHA256:key-of-alice")
    }

    func pass(_ plans: [SubjectPlan<FakeKVSubject>], _ snapshot: FakeKVSubject.Snapshot, votes: [ApprovalVote] = [], mode: ClusterMode = .execute,
              kill: Bool = false, at now: Date) -> SubjectExecutionResult<FakeKVSubject> {
        PlanExecution.run(SubjectExecutionInput<FakeKVSubject>(snapshot: snapshot, plans: plans, votes: votes, killSwitch: kill,
                                                               reads: .init(settings: settings(mode)), now: now))
    }

    @Test func aPlanGoesFromApprovalThroughTheGatesAndTheExecutorToItsObservedEffect() async {
        let service = FakeKVService()
        let executor = FakeKVExecutor(service: service)
        let p = plan([FakeKVSubject.Put(key: "greeting", value: "hello")])
        #expect(p.spec.risk == .medium)

        // No person approved yet: the approval gate holds the step, nothing is sent.
        let waiting = pass([p], await service.read(at: t0), at: t0)
        #expect(waiting.calls.isEmpty)
        #expect(waiting.plans[0].status.conditions[type: .blocked]?.reason == Gate.approval.rawValue)
        #expect(waiting.plans[0].status.conditions[type: .approved]?.reason == "AwaitingApproval")

        // Approved: the intent is in the plan and the exact request goes out through the executor.
        let vote = approve(p)
        let sent = pass(waiting.plans, await service.read(at: t0), votes: [vote], at: t0.addingTimeInterval(1))
        let request = FakeKVSubject.Request(key: "greeting", value: "hello")
        #expect(sent.calls == [SubjectStepCall(plan: p.name, step: 0, action: p.spec.steps[0].action, call: request, attempt: 1)])
        #expect(sent.plans[0].status.phase == .executing)
        #expect(sent.plans[0].status.steps[0].phase == .running)
        #expect(sent.plans[0].status.steps[0].pdRequest == "PUT /kv/greeting hello")
        var plans = sent.plans
        for call in sent.calls {
            let outcome = await executor.send(call.call)
            #expect(outcome == .accepted("stored"))
            plans[0] = PlanExecution.recordOutcome(plans[0], step: call.step, outcome: outcome, policy: ExecutionPolicy(), now: t0).0
        }
        #expect(await service.received == [request])
        #expect(plans[0].status.steps[0].phase == .running, "accepted is not done: only the effect is")

        // Done means observed: the next read shows the value, and the plan succeeds without sending again.
        let done = pass(plans, await service.read(at: t0.addingTimeInterval(2)), votes: [vote], at: t0.addingTimeInterval(2))
        #expect(done.calls.isEmpty)
        #expect(done.plans[0].status.steps[0].phase == .succeeded)
        #expect(done.plans[0].status.steps[0].observedEffect == "greeting is hello")
        #expect(done.plans[0].status.phase == .succeeded)
        #expect(done.plans[0].status.conditions[type: .succeeded]?.status == .true)
    }

    @Test func dryRunRecordsTheSubjectsExactRequestAndSendsNothing() async {
        let p = plan([FakeKVSubject.Put(key: "greeting", value: "hello")])
        let r = pass([p], await FakeKVService().read(at: t0), votes: [approve(p)], mode: .dryRun, at: t0)
        #expect(r.calls.isEmpty)
        #expect(r.plans[0].status.steps[0].pdRequest == "dry run, not sent: PUT /kv/greeting hello")
        let blocked = r.plans[0].status.conditions[type: .blocked]
        #expect(blocked?.reason == Gate.mode.rawValue)
        #expect(blocked?.message == "mode is dryRun: each step records the exact KV request it would send; nothing is sent")
    }

    @Test func theSubjectsOwnGateHoldsAfterTheCoresGates() async {
        let p = plan([FakeKVSubject.Put(key: "system/version", value: "2")])
        let r = pass([p], await FakeKVService().read(at: t0), votes: [approve(p)], at: t0)
        #expect(r.calls.isEmpty)
        #expect(r.plans[0].status.conditions[type: .blocked]?.reason == Gate.preconditions.rawValue)
        #expect(r.plans[0].status.conditions[type: .blocked]?.message == "system/version belongs to the service")
        // The core's gates come first: unapproved, it is the approval gate that holds it.
        #expect(pass([p], await FakeKVService().read(at: t0), at: t0).plans[0].status.conditions[type: .blocked]?.reason == Gate.approval.rawValue)
    }

    @Test func anEffectThatAlreadyHoldsCostsNoRequest() async {
        let service = FakeKVService()
        await service.apply(FakeKVSubject.Request(key: "greeting", value: "hello"))
        let p = plan([FakeKVSubject.Put(key: "greeting", value: "hello")])
        let r = pass([p], await service.read(at: t0), votes: [approve(p)], at: t0)
        #expect(r.calls.isEmpty)
        #expect(r.plans[0].status.steps[0].phase == .skipped)
        #expect(r.plans[0].status.steps[0].observedEffect == "already held before any call: greeting is hello")
        #expect(r.plans[0].status.phase == .succeeded)
    }

    @Test func anIncompleteReadHoldsEveryRequest() async {
        let p = plan([FakeKVSubject.Put(key: "greeting", value: "hello")])
        var snapshot = await FakeKVService().read(at: t0)
        snapshot.isComplete = false
        snapshot.incompleteReasons = ["kv: timed out"]
        let r = pass([p], snapshot, votes: [approve(p)], at: t0)
        #expect(r.calls.isEmpty)
        #expect(r.plans[0].status.conditions[type: .blocked]?.message == "the last observation is incomplete: kv: timed out")
    }

    @Test func aRefusalFailsTheAttemptAndARetryFollows() async {
        let service = FakeKVService()
        let executor = FakeKVExecutor(service: service, readOnly: ["greeting"])
        let p = plan([FakeKVSubject.Put(key: "greeting", value: "hello")])
        let sent = pass([p], await service.read(at: t0), votes: [approve(p)], at: t0)
        let outcome = await executor.send(sent.calls[0].call)
        #expect(outcome == .refused("greeting is read-only"))
        let (retrying, failed) = PlanExecution.recordOutcome(sent.plans[0], step: 0, outcome: outcome, policy: ExecutionPolicy(), now: t0)
        #expect(!failed)
        #expect(retrying.status.steps[0].phase == .pending)
        #expect(retrying.status.steps[0].lastError == "KV refused: greeting is read-only")
        #expect(retrying.status.steps[0].nextRetry != nil)
        #expect(await service.received.isEmpty)
    }

    @Test func theKillSwitchCancelsARunningPlan() async {
        let p = plan([FakeKVSubject.Put(key: "greeting", value: "hello")])
        let vote = approve(p)
        let sent = pass([p], await FakeKVService().read(at: t0), votes: [vote], at: t0)
        #expect(sent.plans[0].status.steps[0].phase == .running)
        let killed = pass(sent.plans, await FakeKVService().read(at: t0), votes: [vote], kill: true, at: t0.addingTimeInterval(1))
        #expect(killed.calls.isEmpty)
        #expect(killed.plans[0].status.phase == .cancelled)
        #expect(killed.plans[0].status.steps[0].lastError == "cancelled by the kill switch")
    }
}
