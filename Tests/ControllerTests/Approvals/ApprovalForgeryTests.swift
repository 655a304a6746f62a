import Foundation
import Testing
import TestSupport
@testable import OperatorStore
@testable import Reconcilers
@testable import SignedApprovals
@testable import SSHSignatures

/// Issue 17's forgery corpus, against the check the controller makes on every pass: each forgery is refused with its
/// own reason and never counts, so nothing it would approve can run.
@Suite struct ApprovalForgeryTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let directory: TemporaryDirectory
    let signers: TestSigners
    let plan: RemediationPlan

    init() throws {
        directory = try TemporaryDirectory()
        // carol's line ended before t0; dave's lists his key for dave and for the group seniors.
        let carol = try SSHPrivateKey.generateEd25519(comment: "carol@test")
        let dave = try SSHPrivateKey.generateEd25519(comment: "dave@test")
        try carol.write(toFile: directory.path("key-carol"))
        try dave.write(toFile: directory.path("key-dave"))
        signers = try TestSigners(in: directory.path("keys"), people: ["alice", "bob"], extraLines: [
            "carol valid-before=\"20200101Z\" \(carol.publicKey.openSSHLine(comment: "carol"))",
            "dave,seniors \(dave.publicKey.openSSHLine(comment: "dave"))",
        ])
        let spec = RemediationPlanSpec(cluster: "prod", origin: .reconciler, concern: "c", reason: "r",
                                       steps: [PlanStep(name: "s1", action: .store(.offlineStore, 5), expectedEffect: "e", timeout: .minutes(1))])
        plan = RemediationPlan(metadata: ObjectMeta(name: "offline-store-5-prod"), spec: spec)
    }

    var policy: ApprovalPolicy {
        ApprovalPolicy(high: TierPolicy(requiredApprovals: 2, principals: ["alice", "bob", "seniors"]),
                       allowedSigners: AllowedSignersSource(file: signers.allowedSignersPath))
    }
    var verifier: ApprovalVerifier { ApprovalVerifier(policy: policy) }

    func key(_ name: String) throws -> SSHPrivateKey {
        if let key = signers.keys[name] { return key }
        return try SSHPrivateKey(contentsOfFile: directory.path("key-\(name)"))
    }

    func payload(_ who: String, plan: String? = nil, revision: String? = nil, cluster: String = "prod",
                 decision: ApprovalDecision = .approve, signedAt: Date? = nil, ttl: TimeInterval = 3600) -> ApprovalPayload {
        let at = signedAt ?? t0
        return ApprovalPayload(cluster: cluster, plan: plan ?? self.plan.name, revision: revision ?? self.plan.spec.revision,
                               decision: decision, principal: who, signedAt: at, expiresAt: at.addingTimeInterval(ttl))
    }

    /// A record of `payload` signed by `signer`, stored as the plan's current decision.
    func signed(_ payload: ApprovalPayload, by signer: String) throws -> ApprovalRecord {
        var record = try TestSigners.record(payload, signer: try key(signer), now: t0)
        // The row says what it approves; the signature must agree with it.
        record.plan = plan.name
        record.revision = plan.spec.revision
        return record
    }

    func refusal(_ record: ApprovalRecord) -> String? {
        if case .refused(let why) = verifier.verify(record, cluster: "prod", now: t0.addingTimeInterval(60)) { return why }
        return nil
    }

    @Test func aSignedApprovalCountsForThePrincipalTheAllowedSignersGiveTheKey() throws {
        let record = try signed(payload("dave"), by: "dave")
        guard case .counts(let vote) = verifier.verify(record, cluster: "prod", now: t0.addingTimeInterval(60)) else {
            Issue.record("refused: \(refusal(record) ?? "")")
            return
        }
        #expect(vote.approver == "dave")
        #expect(vote.keyFingerprint == (try key("dave")).publicKey.fingerprint)
        #expect(vote.tiers == [.low, .medium, .high], "a group listed on the key's line (seniors) counts for the tier that names it")
        #expect(vote.expiresAt == t0.addingTimeInterval(3600))
    }

    @Test func eachForgeryIsRefusedWithItsOwnReason() throws {
        let good = try signed(payload("alice"), by: "alice")
        var cases: [(String, ApprovalRecord, String)] = []

        var editedPayload = good
        editedPayload.signature?.payload = payload("alice", ttl: 7200).canonicalText
        cases.append(("a changed byte in the payload", editedPayload, "signature does not verify"))

        var editedSignature = good
        if let armored = good.signature?.armored {
            let blob = try #require(try SSHSignature(armored: armored).blob as [UInt8]?)
            var flipped = blob
            flipped[flipped.count - 5] ^= 0x01
            editedSignature.signature?.armored = ArmoredText.encode(flipped, label: "SSH SIGNATURE")
        }
        cases.append(("a changed byte in the signature", editedSignature, "signature does not verify"))

        var otherNamespace = good
        let gitSignature = try SSHSignature.sign(message: Array(payload("alice").canonicalText.utf8), namespace: "git", signer: try key("alice"))
        otherNamespace.signature?.armored = gitSignature.armored
        cases.append(("another namespace", otherNamespace, "wrong namespace \"git\""))

        cases.append(("another revision", try signed(payload("alice", revision: "0123456789abcdef"), by: "alice"),
                      "signed for revision 0123456789abcdef"))
        cases.append(("another plan", try signed(payload("alice", plan: "drain-store-4-prod"), by: "alice"), "signed for plan drain-store-4-prod"))
        cases.append(("another cluster", try signed(payload("alice", cluster: "staging"), by: "alice"), "signed for cluster staging"))
        var decision = try signed(payload("alice", decision: .reject), by: "alice")
        decision.decision = .approve
        cases.append(("another decision", decision, "signed for decision reject"))

        var expired = try signed(payload("alice", signedAt: t0.addingTimeInterval(-7200)), by: "alice")
        expired.createdAt = t0
        cases.append(("expired before it was recorded", expired, "before it was recorded"))

        let stranger = try SSHPrivateKey.generateEd25519(comment: "mallory")
        var unknown = try TestSigners.record(payload("alice"), signer: stranger, now: t0)
        unknown.plan = plan.name
        cases.append(("an unknown key", unknown, "is not in the allowed signers"))

        cases.append(("bob's key signing as alice", try signed(payload("alice"), by: "bob"), "is not allowed to sign as \"alice\""))
        cases.append(("a key outside its validity window", try signed(payload("carol"), by: "carol"), "expired at 2020-01-01"))

        var unsigned = good
        unsigned.signature = nil
        cases.append(("no signature where signatures are required", unsigned, "unsigned"))

        var rewritten = good
        rewritten.approver = "bob"
        cases.append(("the row's approver rewritten after signing", rewritten, "signed for principal alice, but this is principal bob"))

        for (what, record, reason) in cases {
            let why = refusal(record)
            #expect(why?.contains(reason) == true, "\(what): \(why ?? "counted")")
        }
        // And none of them, alone or together, approves the plan.
        let (votes, refusals) = verifier.votes(cases.enumerated().map { i, c in var r = c.1; r.id = Int64(i + 1); return r },
                                               plans: [plan.name: "prod"], now: t0.addingTimeInterval(60))
        #expect(votes.isEmpty)
        #expect(refusals.count == cases.count)
        #expect(!ApprovalEvaluator.evaluate(plan: plan, policy: policy, votes: votes, now: t0.addingTimeInterval(60)).isApproved)
    }

    @Test func twoPeopleMeansTwoKeysAndTwoPrincipals() throws {
        let now = t0.addingTimeInterval(60)
        func votes(_ records: [ApprovalRecord]) -> [ApprovalVote] {
            verifier.votes(records, plans: [plan.name: "prod"], now: now).votes
        }
        // dave's key is listed under two principals (dave and seniors): signing as each is still one person.
        let twoNames = votes([try signed(payload("dave"), by: "dave"), try signed(payload("seniors"), by: "dave")])
        #expect(twoNames.count == 2, "both signatures verify")
        #expect(!ApprovalEvaluator.evaluate(plan: plan, policy: policy, votes: twoNames, now: now).isApproved)
        // alice and bob, each with their own key: two people.
        let two = votes([try signed(payload("alice"), by: "alice"), try signed(payload("bob"), by: "bob")])
        let verdict = ApprovalEvaluator.evaluate(plan: plan, policy: policy, votes: two, now: now)
        #expect(verdict.outcome == .approved(by: ["alice", "bob"]))
        #expect(verdict.message.contains((try key("alice")).publicKey.fingerprint))
    }

    @Test func aReplayedSignatureIsRefusedByTheStoreAndAudited() throws {
        let store = try StatusStore(path: directory.path("operator.db"), role: .client(actor: "alice"))
        let record = try signed(payload("alice"), by: "alice")
        let first = try store.addApproval(record)
        #expect(try store.addApproval(record) == first, "the same signed decision again is the same decision")
        // The same signature presented as a decision on another plan.
        var replay = record
        replay.plan = "drain-store-4-prod"
        #expect(throws: StoreError.self) { try store.addApproval(replay) }
        #expect(try store.approvals(plan: "drain-store-4-prod").isEmpty)
        let audit = try store.audit().last
        #expect(audit?.action == "approval.refused")
        #expect(audit?.message.contains("a signature counts once") == true)
    }

    @Test func aRefusalIsRecordedOnceWithItsReasonAndClearedWhenItCountsAgain() throws {
        let store = try StatusStore(path: directory.path("operator.db"), role: .client(actor: "bob"))
        let stored = try store.addApproval(try signed(payload("alice"), by: "bob"))
        let (_, refusals) = verifier.votes([stored], plans: [plan.name: "prod"], now: t0.addingTimeInterval(60))
        for (id, why) in refusals { try store.recordRefusal(approval: id, why, at: t0) }
        for (id, why) in refusals { try store.recordRefusal(approval: id, why, at: t0) }
        let refused = try store.approvals(plan: plan.name)
        #expect(refused.first?.refusal?.contains("not allowed to sign as \"alice\"") == true)
        #expect(try store.audit().filter { $0.action == "approval.refused" }.count == 1, "recorded once, not every pass")
        try store.recordRefusal(approval: try #require(stored.id), nil, at: t0)
        #expect(try store.approvals(plan: plan.name).first?.refusal == nil)
    }

    @Test func aTiersPrincipalsMatchThePersonOrAGroupOnTheKeysLine() throws {
        let tiered = ApprovalPolicy(medium: TierPolicy(requiredApprovals: 1, principals: ["*@sre.example.com", "alice"]),
                                    high: TierPolicy(requiredApprovals: 2, principals: ["seniors", "!dave"]),
                                    allowedSigners: AllowedSignersSource(file: signers.allowedSignersPath))
        let verifier = ApprovalVerifier(policy: tiered)
        #expect(verifier.tiers(for: ["jo@sre.example.com"]) == [.low, .medium])
        #expect(verifier.tiers(for: ["alice"]) == [.low, .medium])
        #expect(verifier.tiers(for: ["bob", "seniors"]) == [.low, .high])
        #expect(verifier.tiers(for: ["dave", "seniors"]) == [.low], "a negated pattern wins, as in OpenSSH")
        let record = try signed(payload("dave"), by: "dave")
        guard case .counts(let vote) = verifier.verify(record, cluster: "prod", now: t0.addingTimeInterval(60)) else {
            Issue.record("refused")
            return
        }
        #expect(vote.tiers == [.low])
    }
}
