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

    /// A vote as the controller passes it on once its signature verified: signed by a key of the approver's own,
    /// unless `key` names another (or nil: unsigned).
    func vote(_ p: RemediationPlan, _ who: String, approve: Bool = true, revision: String? = nil, at: Date? = nil,
              expires: Date? = nil, key: String?? = .some(nil), tiers: Set<RiskTier> = Set(RiskTier.allCases)) -> ApprovalVote {
        let fingerprint: String? = switch key {
        case .none: nil
        case .some(.none): "SHA256:key-of-\(who)"
        case .some(.some(let k)): "SHA256:\(k)"
        }
        return ApprovalVote(plan: p.name, revision: revision ?? p.spec.revision, approve: approve, approver: who, source: "cli",
                            createdAt: at ?? t0, expiresAt: expires, keyFingerprint: fingerprint, tiers: tiers)
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

    // Issue 17: identity comes from the key.

    @Test func whileSignaturesAreRequiredAnUnsignedVoteDecidesNothing() {
        let p = plan(.offlineStore)
        let unsigned = [vote(p, "alice", key: .none)]
        let v = ApprovalEvaluator.evaluate(plan: p, policy: ApprovalPolicy(), votes: unsigned, now: t0)
        #expect(v.reason == "AwaitingApproval")
        let rejection = ApprovalEvaluator.evaluate(plan: p, policy: ApprovalPolicy(), votes: [vote(p, "bob", approve: false, key: .none)], now: t0)
        #expect(rejection.outcome == .waiting, "an unsigned rejection is no person's either")
        // A lab that turns signatures off counts the names typed.
        let lab = ApprovalPolicy(requireSignatures: false)
        #expect(ApprovalEvaluator.evaluate(plan: p, policy: lab, votes: unsigned, now: t0).outcome == .approved(by: ["alice"]))
        // Not for a plan the model suggested: that needs a person's signature even in a lab.
        let ai = plan(.offlineStore, origin: .ai)
        let aiVerdict = ApprovalEvaluator.evaluate(plan: ai, policy: lab, votes: [vote(ai, "alice", key: .none)], now: t0)
        #expect(aiVerdict.outcome == .waiting)
        #expect(aiVerdict.message.contains("suggested by AI needs 1 distinct approver(s) with signed approvals"), "\(aiVerdict.message)")
        #expect(ApprovalEvaluator.evaluate(plan: ai, policy: lab, votes: [vote(ai, "alice")], now: t0).isApproved)
    }

    @Test func twoPeopleMeansTwoPrincipalsAndTwoKeys() {
        let policy = ApprovalPolicy(high: TierPolicy(requiredApprovals: 2))
        let p = plan(.offlineStore)
        // One key listed under two principals signs twice: one person.
        let sharedKey = [vote(p, "alice", key: "k1"), vote(p, "bob", key: "k1")]
        #expect(ApprovalEvaluator.evaluate(plan: p, policy: policy, votes: sharedKey, now: t0).outcome == .waiting)
        // One principal with two keys: one person.
        let twoKeys = [vote(p, "alice", key: "k1"), vote(p, "alice", key: "k2")]
        #expect(ApprovalEvaluator.evaluate(plan: p, policy: policy, votes: twoKeys, now: t0).outcome == .waiting)
        // Transitively: alice/k1, bob/k1, bob/k2 is still one person.
        let chained = [vote(p, "alice", key: "k1"), vote(p, "bob", key: "k1"), vote(p, "bob", key: "k2")]
        #expect(ApprovalEvaluator.evaluate(plan: p, policy: policy, votes: chained, now: t0).outcome == .waiting)
        let two = ApprovalEvaluator.evaluate(plan: p, policy: policy, votes: [vote(p, "alice", key: "k1"), vote(p, "bob", key: "k2")], now: t0)
        #expect(two.outcome == .approved(by: ["alice", "bob"]))
        #expect(two.message == "approved by alice (SHA256:k1), bob (SHA256:k2) at revision \(p.spec.revision)")
    }

    /// Which tiers a vote may approve is decided where the allowed signers are read (`ApprovalVerifier.tiers`); here,
    /// a vote outside the plan's tier does not count, and the reason says so.
    @Test func aVoteCountsOnlyForTheTiersItMayApprove() {
        let policy = ApprovalPolicy(high: TierPolicy(requiredApprovals: 2, principals: ["seniors"]))
        let high = plan(.offlineStore)
        let junior = vote(high, "jo@sre.example.com", tiers: [.low, .medium])
        let senior = vote(high, "alice@example.com")
        let v = ApprovalEvaluator.evaluate(plan: high, policy: policy, votes: [junior, senior], now: t0)
        #expect(v.outcome == .waiting)
        #expect(v.message.hasPrefix("risk tier high needs 2 distinct approver(s) among seniors; 1 more needed (approved so far by alice@example.com)"),
                "\(v.message)")
        let outsider = ApprovalEvaluator.evaluate(plan: high, policy: policy, votes: [junior], now: t0)
        #expect(outsider.reason == "ApproverNotAllowed")
        #expect(outsider.message.hasPrefix("approved by jo@sre.example.com, who may not approve this tier"))
        let medium = plan(.transferPeer)
        #expect(ApprovalEvaluator.evaluate(plan: medium, policy: policy, votes: [vote(medium, "jo@sre.example.com", tiers: [.low, .medium])],
                                           now: t0).isApproved)
    }
}
