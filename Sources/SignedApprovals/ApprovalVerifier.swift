import Foundation
import OperatorStore
import Reconcilers
import SSHSignatures

/// Turns stored decisions into the votes the approval rules count, proving each signed one on every pass: its
/// `SSHSIG` signature over the canonical payload verifies for our namespace, the payload is the decision stored
/// (cluster, plan, revision, decision, principal), and the allowed signers let the signing key speak for that
/// principal now. Identity comes from the key: the principal counted is one the allowed-signers file lists for it.
///
/// What is stored proves nothing by itself, so the store is not trusted: a row written with sqlite3, a payload
/// edited after signing, or a key removed from the allowed signers since, all stop counting here.
package struct ApprovalVerifier: Sendable {
    /// The cluster's approval policy: whether unsigned decisions count, the TTL that caps a payload's own expiry.
    package let policy: ApprovalPolicy
    /// The allowed signers, or why they cannot be read (then no signed decision counts).
    package let signers: Result<AllowedSigners, ApprovalSigningError>
    /// How far in the future a signature's time may be (clock skew between a laptop and the pod).
    package static let clockSkew: TimeInterval = 300

    package enum Verdict: Sendable, Equatable {
        case counts(ApprovalVote)
        case refused(String)
    }

    package init(policy: ApprovalPolicy, signers: Result<AllowedSigners, ApprovalSigningError>) {
        self.policy = policy
        self.signers = signers
    }

    /// The verifier for a cluster's policy, reading its allowed signers now.
    package init(policy: ApprovalPolicy) {
        let signers: Result<AllowedSigners, ApprovalSigningError> =
            if let source = policy.allowedSigners {
                Result { () throws(ApprovalSigningError) in try source.load() }
            } else {
                .failure(.allowedSigners("none configured: set spec.approval.allowedSigners (a file, or entries)"))
            }
        self.init(policy: policy, signers: signers)
    }

    /// The verdict on one stored decision for a plan of `cluster`.
    package func verify(_ record: ApprovalRecord, cluster: String, now: Date) -> Verdict {
        let approve = record.decision == .approve
        guard let signature = record.signature else {
            if policy.requireSignatures {
                return .refused("unsigned: this cluster counts only approvals signed by a key in its allowed signers "
                                + "(operator approve --key …)")
            }
            return .counts(ApprovalVote(plan: record.plan, revision: record.revision, approve: approve, approver: record.approver,
                                        source: record.source, createdAt: record.createdAt, expiresAt: record.expiresAt,
                                        tiers: tiers(for: [record.approver])))
        }
        switch check(signature, of: record, cluster: cluster, now: now) {
        case .failure(let error):
            return .refused(error.description)
        case .success(let (payload, key, principals)):
            let ttl = Double(policy.ttl.nanoseconds) / 1e9
            return .counts(ApprovalVote(
                plan: record.plan, revision: record.revision, approve: approve, approver: payload.principal, source: record.source,
                createdAt: payload.signedAt, expiresAt: min(payload.expiresAt, payload.signedAt.addingTimeInterval(ttl)),
                keyFingerprint: key.fingerprint, tiers: tiers(for: principals)))
        }
    }

    /// Checks a signed decision the way `verify` will, before it is stored: a client tells its person at once.
    package func check(_ signature: ApprovalRecord.Signature, of record: ApprovalRecord, cluster: String, now: Date)
        -> Result<(ApprovalPayload, SSHPublicKey, [String]), ApprovalSigningError>
    {
        do { return .success(try proven(signature, of: record, cluster: cluster, now: now)) } catch { return .failure(error) }
    }

    private func proven(_ signature: ApprovalRecord.Signature, of record: ApprovalRecord, cluster: String, now: Date)
        throws(ApprovalSigningError) -> (ApprovalPayload, SSHPublicKey, [String])
    {
        let payload: ApprovalPayload
        do { payload = try ApprovalPayload(parsing: signature.payload) } catch { throw .refused(error.description) }
        for (field, signed, recorded) in [("cluster", payload.cluster, cluster), ("plan", payload.plan, record.plan),
                                          ("revision", payload.revision, record.revision),
                                          ("decision", payload.decision.rawValue, record.decision.rawValue),
                                          ("principal", payload.principal, record.approver)]
        where signed != recorded {
            throw .refused("signed for \(field) \(signed), but this is \(field) \(recorded)")
        }
        if payload.expiresAt <= record.createdAt {
            throw .refused("expired at \(ApprovalPayload.format(payload.expiresAt)), before it was recorded")
        }
        if payload.signedAt > now.addingTimeInterval(Self.clockSkew) {
            throw .refused("signed at \(ApprovalPayload.format(payload.signedAt)), in the future: check the signer's clock")
        }
        let sig: SSHSignature
        do {
            sig = try SSHSignature(armored: signature.armored)
            try sig.verify(message: Array(signature.payload.utf8), namespace: ApprovalPayload.namespace)
        } catch {
            throw .refused("signature: \(error.description)")
        }
        let allowed: AllowedSigners
        switch signers {
        case .success(let list): allowed = list
        case .failure(let error): throw .refused("cannot be checked: \(error.description)")
        }
        do {
            _ = try allowed.check(principal: payload.principal, key: sig.publicKey, namespace: ApprovalPayload.namespace, at: now)
        } catch {
            throw .refused(error.description)
        }
        // Groups: every literal principal the key's lines name, valid now for our namespace.
        let names = allowed.signers(for: sig.publicKey, namespace: ApprovalPayload.namespace, at: now)
            .flatMap(\.principals.patterns).filter { !$0.contains(where: { "*?!".contains($0) }) }
        return (payload, sig.publicKey, Array(Set(names + [payload.principal])).sorted())
    }

    /// The tiers whose `principals` (OpenSSH patterns) match one of these names and exclude none of them (`!dave`
    /// keeps dave out whatever group his key is listed in); a tier naming none takes anyone.
    package func tiers(for principals: [String]) -> Set<RiskTier> {
        Set(RiskTier.allCases.filter { risk in
            let patterns = policy.tier(risk).principals
            guard !patterns.isEmpty else { return true }
            let excluded = patterns.filter { $0.hasPrefix("!") }.map { PatternList(String($0.dropFirst())) }
            return principals.contains(where: PatternList(patterns.joined(separator: ",")).matches)
                && !principals.contains { name in excluded.contains { $0.matches(name) } }
        })
    }

    /// The votes of a cluster's plans, and the refusal (or nil) to record for each stored decision.
    package func votes(_ records: [ApprovalRecord], plans: [String: String], now: Date) -> (votes: [ApprovalVote], refusals: [(Int64, String?)]) {
        var votes: [ApprovalVote] = []
        var refusals: [(Int64, String?)] = []
        for record in records {
            guard let cluster = plans[record.plan] else { continue }
            switch verify(record, cluster: cluster, now: now) {
            case .counts(let vote):
                votes.append(vote)
                if let id = record.id, record.refusal != nil { refusals.append((id, nil)) }
            case .refused(let why):
                if let id = record.id, record.refusal != why { refusals.append((id, why)) }
            }
        }
        return (votes, refusals)
    }
}
