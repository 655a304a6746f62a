import Foundation
import PDWire
import TestSupport
@testable import Reconcilers

/// One plan's pass built the way `PlanExecution.advance` builds it, so a single stage can be run on its own.
struct StageFixture {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let leaderMove = Action.transferLeader(region: 7, from: 1, to: 2)
    let region7 = RegionPlacement(id: 7, leaderStoreID: 1, voterStoreIDs: [1, 2, 3])

    /// Four Up stores holding 10 leaders each (`leaders` overrides), every source complete, observed at `at` (default `now`).
    func snapshot(at: Date? = nil, evicted: [UInt64] = [], evictedBySlow: [UInt64] = [], leaders: [UInt64: Int] = [:]) -> ClusterSnapshot {
        SnapshotFixtures.complete(
            at: at ?? now, stores: SnapshotFixtures.evenStores(leaders: leaders),
            schedulers: SchedulerSnapshot(names: evicted.isEmpty ? [] : ["evict-leader-scheduler"], evictLeaderStores: evicted,
                                          evictSlowStores: evictedBySlow))
    }

    func cluster(_ mode: ClusterMode = .execute, paused: Bool = false, maxInFlight: Int = 4) -> TiKVCluster {
        var spec = TiKVClusterSpec(pd: PDEndpoint(urls: ["http://127.0.0.1:2379"]))
        spec.mode = mode
        spec.paused = paused
        spec.limits.maxInFlightSteps = maxInFlight
        return TiKVCluster(metadata: ObjectMeta(name: "prod", generation: 1), spec: spec)
    }

    /// A plan of one step per action, one minute each; `batch` puts them all in one batch.
    func plan(_ actions: [Action], phase: PlanPhase = .pending, after: [String] = [], notBefore: Date? = nil, batch: Int? = nil) -> RemediationPlan {
        plan("p", actions, phase: phase, after: after, notBefore: notBefore, batch: batch)
    }

    func plan(_ name: String, _ actions: [Action], phase: PlanPhase = .pending, after: [String] = [], notBefore: Date? = nil,
              batch: Int? = nil) -> RemediationPlan {
        let steps = actions.enumerated().map { i, a in
            PlanStep(name: "step-\(i + 1)", action: a, expectedEffect: "", timeout: .minutes(1), batch: batch)
        }
        var p = RemediationPlan(metadata: ObjectMeta(name: name, generation: 1),
                                spec: RemediationPlanSpec(cluster: "prod", origin: .reconciler, concern: name, reason: "test", steps: steps,
                                                          after: after, notBefore: notBefore))
        p.status.phase = phase
        return p
    }

    /// The plan with step `i` Running since `startedAt`, its attempts counted as `attempts`.
    func running(_ plan: RemediationPlan, step i: Int = 0, startedAt: Date, attempts: Int = 1) -> RemediationPlan {
        var p = plan
        p.status.phase = .executing
        p.status.steps = PlanExecution.statuses(p)
        p.status.steps[i].phase = .running
        p.status.steps[i].startedAt = startedAt
        p.status.steps[i].attempts = attempts
        return p
    }

    func approve(_ p: RemediationPlan, by who: String = "alice") -> ApprovalVote {
        ApprovalVote(plan: p.name, revision: p.spec.revision, approve: true, approver: who, source: "cli", createdAt: now,
                     keyFingerprint: "SHA256:key-of-\(who)")
    }

    func input(_ plans: [RemediationPlan], cluster: TiKVCluster? = nil, votes: [ApprovalVote] = [], kill: Bool = false,
               snapshot: ClusterSnapshot? = nil, regions: [UInt64: RegionPlacement] = [:],
               operators: [UInt64: RegionOperatorObservation] = [:], at: Date? = nil) -> ExecutionInput {
        ExecutionInput(cluster: cluster ?? self.cluster(), snapshot: snapshot ?? self.snapshot(at: at), plans: plans, votes: votes, killSwitch: kill,
                       regions: regions, regionOperators: operators, now: at ?? now)
    }

    /// The first plan of `input`'s pass, with nothing in flight and nothing decided yet unless told.
    func pass(_ input: ExecutionInput, inFlight: Int = 0, actions: Int = 0) -> PlanPass {
        PlanPass(input.plans[0], input: input, inFlight: inFlight, actions: actions, result: .empty)
    }

    func step(_ index: Int, of pass: PlanPass, _ input: ExecutionInput) -> WindowStep {
        WindowStep(index, of: pass.plan, input: input)
    }
}
