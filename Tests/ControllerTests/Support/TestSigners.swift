import Foundation
import OperatorStore
import Reconcilers
import SignedApprovals
import SSHSignatures

/// People with SSH keys for the tests: a throwaway ed25519 key each, written where `approve --key` reads it, and an
/// allowed_signers file listing them, so a test approves the way a team does: with a signature that verifies.
struct TestSigners: Sendable {
    let directory: String
    let keys: [String: SSHPrivateKey]

    var allowedSignersPath: String { directory + "/allowed_signers" }
    func keyPath(_ who: String) -> String { directory + "/key-\(who)" }
    /// The line a cluster spec's `approval:` section takes.
    var specLine: String { "allowedSigners: {file: \(allowedSignersPath)}" }

    init(in directory: String, people: [String] = ["alice", "bob", "carol"], extraLines: [String] = []) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var keys: [String: SSHPrivateKey] = [:]
        var lines: [String] = []
        for who in people {
            let key = try SSHPrivateKey.generateEd25519(comment: "\(who)@test")
            try key.write(toFile: directory + "/key-\(who)")
            keys[who] = key
            lines.append("\(who) \(key.publicKey.openSSHLine(comment: "\(who)@test"))")
        }
        try (lines + extraLines).joined(separator: "\n").appending("\n").write(toFile: directory + "/allowed_signers", atomically: true, encoding: .utf8)
        self.keys = keys
    }

    /// A decision signed by `who`'s key (or `key`'s), as `operator approve --key` records it.
    func record(_ plan: RemediationPlan, as who: String, key: String? = nil, decision: ApprovalDecision = .approve,
                source: String = "cli", now: Date, ttl: TimeInterval = 3600) throws -> ApprovalRecord {
        let signer = try require(keys[key ?? who])
        let payload = ApprovalPayload(cluster: plan.spec.cluster, plan: plan.name, revision: plan.spec.revision, decision: decision,
                                      principal: who, signedAt: now, expiresAt: now.addingTimeInterval(ttl))
        return try Self.record(payload, signer: signer, source: source, now: now)
    }

    static func record(_ payload: ApprovalPayload, signer: SSHPrivateKey, source: String = "cli", now: Date) throws -> ApprovalRecord {
        let armored = try ApprovalSigner.sign(payload, with: signer)
        return ApprovalRecord(plan: payload.plan, revision: payload.revision, decision: payload.decision,
                              approver: payload.principal, source: source, reason: payload.reason, createdAt: now,
                              expiresAt: payload.expiresAt, signature: .init(payload: payload.canonicalText, armored: armored),
                              keyFingerprint: signer.publicKey.fingerprint)
    }
}

private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw TestSignersError.unknownPerson }
    return value
}

enum TestSignersError: Error { case unknownPerson }
