import Foundation
import PDWire
import Testing
@testable import Reconcilers

@Suite struct ApprovalEvaluatorTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func plan(_ kind: ActionKind = .transferPeer, origin: PlanOrigin = .reconciler, store: UInt64 = 4) -> RemediationPlan {
        let action: Action = kind == .transferPeer ? .transferPeer(region: 7, from: 1, to: 2) : .store(kind, store)
        let spec = RemediationPlanSpec(cluster: "prod", origin: origin, concern: "c", reason: "r",
                                       steps: [PlanStep(name: "s1", action: action, expectedEffect: "e", timeout: .minutes(1))])
        return RemediationPlan(metadata: ObjectMeta(name: "p"), spec: spec)
    }

    func vote(_ p: RemediationPlan, _ who: String, approve: Bool = true, revision: String? = nil, at: Date? = nil,
              expires: Date? = nil) -> ApprovalVote {
        ApprovalVote(plan: p.name, revision: revision ?? p.spec.revision, approve: approve, approver: who, source: "cli",
                     createdAt: at ?? t0, expiresAt: expires)
    }

    @Test func byDefaultEveryTierNeedsAPerson() {
        let p = plan(.transferLeader)
        let v = ApprovalEvaluator.evaluate(plan: p, policy: ApprovalPolicy(), votes: [], now: t0)
        #expect(v.outcome == .waiting)
        #expect(v.reason == "AwaitingApproval")
        #expect(v.message.contains("operator approve plan/p"))
        let ok = ApprovalEvaluator.evaluate(plan: p, policy: ApprovalPolicy(), votes: [vote(p, "alice")], now: t0)
        #expect(ok.outcome == .approved(by: ["alice"]))
    }

    @Test func aTierWithZeroRequiredIsAutomaticButNotForAIPlans() {
        let policy = ApprovalPolicy(low: TierPolicy(requiredApprovals: 0))
        let p = plan(.transferLeader)
        #expect(ApprovalEvaluator.evaluate(plan: p, policy: policy, votes: [], now: t0).reason == "AutoApproved")
        let ai = plan(.transferLeader, origin: .ai)
        let v = ApprovalEvaluator.evaluate(plan: ai, policy: policy, votes: [], now: t0)
        #expect(v.outcome == .waiting)
        #expect(v.message.contains("suggested by AI"))
    }

    @Test func highRiskCanRequireTwoDistinctPeople() {
        let policy = ApprovalPolicy(high: TierPolicy(requiredApprovals: 2))
        let p = plan(.offlineStore)
        let same = ApprovalEvaluator.evaluate(plan: p, policy: policy, votes: [vote(p, "alice"), vote(p, " Alice ")], now: t0)
        #expect(same.outcome == .waiting, "one person twice is one approval")
        #expect(same.message.contains("1 more needed"))
        let two = ApprovalEvaluator.evaluate(plan: p, policy: policy, votes: [vote(p, "alice"), vote(p, "bob")], now: t0)
        #expect(two.outcome == .approved(by: ["alice", "bob"]))
    }

    /// Issue 17 item 6, from an adversarial run: `alice` and `alice\n` passed a two-person rule, and so did `ai` and
    /// `system`. Control characters, reserved names and look-alike spellings never make a second person.
    @Test func namesThatAreNoPersonsOrTheSamePersonNeverMakeTwoPeople() {
        let policy = ApprovalPolicy(high: TierPolicy(requiredApprovals: 2))
        let p = plan(.offlineStore)
        for pair in [("alice", "alice\n"), ("alice", "ALICE"), ("alice", "ａｌｉｃｅ"), ("alice", "ai"), ("ai", "system"),
                     ("controller", "root"), ("alice", "ali\u{200B}ce"), ("alice", "")] {
            let v = ApprovalEvaluator.evaluate(plan: p, policy: policy, votes: [vote(p, pair.0), vote(p, pair.1)], now: t0)
            #expect(v.outcome == .waiting, "\(pair) must not count as two people: \(v.message)")
        }
        // A rejection under a name that is no person's decides nothing either.
        let v = ApprovalEvaluator.evaluate(plan: p, policy: policy, votes: [vote(p, "system", approve: false), vote(p, "alice"), vote(p, "bob")],
                                           now: t0)
        #expect(v.outcome == .approved(by: ["alice", "bob"]))
    }

    @Test func anApprovalOfAnotherRevisionDoesNotCount() {
        let p = plan()
        let v = ApprovalEvaluator.evaluate(plan: p, policy: ApprovalPolicy(), votes: [vote(p, "alice", revision: "0123456789abcdef")],
                                           now: t0)
        #expect(v.outcome == .waiting)
        #expect(v.reason == "RevisionChanged")
    }

    @Test func approvalsExpireByTheirOwnDateOrThePolicyTTL() {
        let p = plan()
        let policy = ApprovalPolicy(ttl: .hours(1))
        let fresh = [vote(p, "alice", at: t0)]
        #expect(ApprovalEvaluator.evaluate(plan: p, policy: policy, votes: fresh, now: t0.addingTimeInterval(3599)).isApproved)
        let late = ApprovalEvaluator.evaluate(plan: p, policy: policy, votes: fresh, now: t0.addingTimeInterval(3600))
        #expect(late.reason == "ApprovalExpired")
        let explicit = [vote(p, "alice", at: t0, expires: t0.addingTimeInterval(60))]
        #expect(ApprovalEvaluator.evaluate(plan: p, policy: policy, votes: explicit, now: t0.addingTimeInterval(61)).reason == "ApprovalExpired")
    }

    @Test func aRejectionWinsOverApprovals() {
        let p = plan()
        let votes = [vote(p, "alice"), vote(p, "bob", approve: false, at: t0.addingTimeInterval(5))]
        let v = ApprovalEvaluator.evaluate(plan: p, policy: ApprovalPolicy(low: TierPolicy(requiredApprovals: 0)), votes: votes, now: t0)
        #expect(v.outcome == .rejected(by: "bob"))
    }

    @Test func votesForOtherPlansAreIgnored() {
        let p = plan()
        var other = vote(p, "alice")
        other.plan = "another-plan"
        #expect(ApprovalEvaluator.evaluate(plan: p, policy: ApprovalPolicy(), votes: [other], now: t0).outcome == .waiting)
    }
}
