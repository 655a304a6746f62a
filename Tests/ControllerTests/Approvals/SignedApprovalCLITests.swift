import ArgumentParser
import Foundation
import Testing
import TestSupport
@testable import Operator
@testable import OperatorStore
@testable import Reconcilers
@testable import SignedApprovals

/// Issue 17 at the CLI, with the real OpenSSH tools: `operator approve --key` signs what `ssh-keygen -Y verify`
/// accepts, a signature made by `ssh-keygen -Y sign` counts in the controller, for each key type; `-o yaml` carries a
/// signed approval to `--from-file -` on another machine; ssh-agent signs without a key file.
@Suite(.serialized) struct SignedApprovalCLITests {
    let directory: TemporaryDirectory
    let db: String
    let plan: RemediationPlan
    let allowedSigners: String

    /// A store holding cluster `prod` (allowed signers at `allowedSigners`) and its high-risk plan; `people` are the
    /// allowed-signers lines, written by each test once its keys exist.
    init() throws {
        directory = try TemporaryDirectory()
        db = directory.path("operator.db")
        allowedSigners = directory.path("allowed_signers")
        let controller = try StatusStore(path: db, role: .controller(holder: "c1"))
        _ = try controller.acquireLease(ttl: .seconds(60))
        let resources = ResourceStore(store: controller)
        _ = try resources.create(TiKVCluster(
            metadata: ObjectMeta(name: "prod"),
            spec: TiKVClusterSpec(pd: PDEndpoint(urls: ["http://127.0.0.1:1"]),
                                  approval: ApprovalPolicy(high: TierPolicy(requiredApprovals: 2),
                                                           allowedSigners: AllowedSignersSource(file: allowedSigners)))))
        let spec = RemediationPlanSpec(cluster: "prod", origin: .reconciler, concern: "c", reason: "r",
                                       steps: [PlanStep(name: "s1", action: .store(.offlineStore, 5), expectedEffect: "e", timeout: .minutes(1))])
        plan = try resources.create(RemediationPlan(metadata: ObjectMeta(name: "offline-store-5-prod"), spec: spec))
        try controller.releaseLease()
    }

    func list(_ lines: [String: String]) throws {
        try lines.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "\n")
            .appending("\n").write(toFile: allowedSigners, atomically: true, encoding: .utf8)
    }

    func publicLine(_ keyPath: String) throws -> String {
        try String(contentsOfFile: keyPath + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func stored() throws -> [ApprovalRecord] {
        try StatusStore(path: db, role: .client(actor: "test")).approvals(plan: plan.name)
    }

    /// The controller's verdict on every stored decision, as its next pass would reach it.
    func verdicts(now: Date = Date()) throws -> [ApprovalVerifier.Verdict] {
        let cluster = try #require(try ResourceStore(store: StatusStore(path: db, role: .client(actor: "test"))).get(TiKVClusterKind.self, "prod"))
        let verifier = ApprovalVerifier(policy: cluster.spec.approval)
        return try stored().map { verifier.verify($0, cluster: "prod", now: now) }
    }

    @Test(arguments: KeyKind.allCases)
    func operatorApproveSignsWhatSshKeygenVerifies(kind: KeyKind) async throws {
        let key = try await makeKeygenKey(kind, in: directory)
        try list(["alice": try publicLine(key)])
        let said = try DecisionOptions.parse(["plan/\(plan.name)", "--key", key, "--reason", "disk replaced", "--db", db]).record(.approve)
        #expect(said.hasPrefix("plan/\(plan.name) approved (revision \(plan.spec.revision), by alice with key SHA256:"), "\(said)")
        let record = try #require(try stored().first)
        let signature = try #require(record.signature)
        #expect(record.refusal == nil)
        // OpenSSH's own verifier, against the same allowed signers, for the same principal and namespace.
        let sigPath = try directory.write("payload.sig", signature.armored)
        let verified = try await OpenSSHTool.run(OpenSSHTool.keygen, ["-Y", "verify", "-f", allowedSigners, "-I", "alice", "-n", approvalNamespace,
                                                                       "-s", sigPath], stdin: Data(signature.payload.utf8))
        #expect(verified.status == 0, "ssh-keygen -Y verify: \(verified.stderr)")
        #expect(try verdicts().allSatisfy { if case .counts = $0 { true } else { false } })
    }

    @Test(arguments: KeyKind.allCases)
    func anApprovalSignedBySshKeygenCountsInTheController(kind: KeyKind) async throws {
        let key = try await makeKeygenKey(kind, in: directory)
        try list(["bob": try publicLine(key)])
        let now = Date()
        let payload = ApprovalPayload(cluster: "prod", plan: plan.name, revision: plan.spec.revision, decision: .approve, principal: "bob",
                                      signedAt: now, expiresAt: now.addingTimeInterval(1800), reason: "signed with ssh-keygen")
        let payloadPath = try directory.write("payload", payload.canonicalText)
        try await OpenSSHTool.keygen(["-Y", "sign", "-f", key, "-n", approvalNamespace, payloadPath])
        let armored = try String(contentsOfFile: payloadPath + ".sig", encoding: .utf8)
        let object = ApprovalDocument(name: "bob-approves", spec: ApprovalSpec(signed: payload, signature: armored))
        let file = try directory.write("approval.yaml", try Render.yaml(object))
        let said = try DecisionOptions.recordFile(file, store: try StoreOptions.parse(["--db", db]))
        #expect(said.contains("approved (revision \(plan.spec.revision), by bob with key SHA256:"), "\(said)")
        guard case .counts(let vote)? = try verdicts().first else { Issue.record("refused: \(try verdicts())"); return }
        #expect(vote.approver == "bob")
        #expect(vote.source == "cli:file")
    }

    @Test func aSignedApprovalTravelsAsYAMLToStdinOfAnotherProcess() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let key = try await makeKeygenKey(.ed25519, in: directory)
        try list(["alice": try publicLine(key)])
        // On the laptop: no store, only the plan's name, revision and cluster as `get plans` showed them.
        let printed = try await CLIProcess.run(binary, ["approve", "plan/\(plan.name)", "--revision", plan.spec.revision, "--cluster", "prod",
                                                        "--key", key, "--as", "alice", "-o", "yaml", "--db", directory.path("absent.db")])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout.contains("kind: Approval") && printed.stdout.contains("-----BEGIN SSH SIGNATURE-----"), "\(printed.stdout)")
        #expect(try stored().isEmpty, "-o prints; it records nothing")
        // In the pod: `kubectl exec -i deploy/operator -- operator approve --from-file - < approval.yaml`.
        let recorded = try await CLIProcess.run(binary, ["approve", "--from-file", "-", "--db", db], stdin: printed.stdout)
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(try stored().map(\.source) == ["cli:file"])
        #expect(try verdicts().allSatisfy { if case .counts = $0 { true } else { false } })
        // The same object again is the same decision; its signature under another approver is refused and audited.
        let again = try await CLIProcess.run(binary, ["approve", "--from-file", "-", "--db", db], stdin: printed.stdout)
        #expect(again.status == 0)
        #expect(try stored().count == 1)
        let edited = printed.stdout.replacingOccurrences(of: "approver: alice", with: "approver: bob")
        let forged = try await CLIProcess.run(binary, ["approve", "--from-file", "-", "--db", db], stdin: edited)
        #expect(forged.status != 0)
        #expect(forged.stderr.contains("a signature counts once"), "\(forged.stderr)")
        #expect(try stored().count == 1)
        let client = try StatusStore(path: db, role: .client(actor: "test"))
        let audit = try client.audit().last
        #expect(audit?.action == "approval.refused")
        #expect(try GetCommand.approvalCounts([plan], store: client) == [plan.name: 1])
    }

    @Test func sshAgentSignsForAPassphraseProtectedKey() async throws {
        let binary = try #require(OperatorBinary.locate(), "the operator executable is built next to the tests")
        let key = try await makeKeygenKey(.ecdsa, in: directory, passphrase: "correct horse")
        try list(["carol": try publicLine(key)])
        // Without an agent, the key cannot sign and the message says what to do.
        let locked = try await CLIProcess.run(binary, ["approve", "plan/\(plan.name)", "--key", key, "--db", db],
                                              environment: ["SSH_AUTH_SOCK": ""])
        #expect(locked.status != 0)
        #expect(locked.stderr.contains("ssh-agent"), "\(locked.stderr)")
        let nothing = try await CLIProcess.run(binary, ["approve", "plan/\(plan.name)", "--db", db], environment: ["SSH_AUTH_SOCK": ""])
        #expect(nothing.status != 0, "no agent, no key")
        #expect(nothing.stderr.contains("--key"), "\(nothing.stderr)")

        let agent = try await AgentProcess(in: directory)
        defer { agent.stop() }
        // `ssh-add` asks for the passphrase through SSH_ASKPASS, as a desktop would.
        let askpass = try directory.write("askpass", "#!/bin/sh\necho 'correct horse'\n")
        chmod(askpass, 0o700)
        let add = try await OpenSSHTool.run("/usr/bin/ssh-add", ["-q", key],
                                            environment: ["SSH_AUTH_SOCK": agent.socketPath, "SSH_ASKPASS": askpass,
                                                          "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"])
        try #require(add.status == 0, "ssh-add: \(add.stderr)")
        // --key names the key; the agent holds it decrypted.
        let signed = try await CLIProcess.run(binary, ["approve", "plan/\(plan.name)", "--key", key, "--db", db],
                                              environment: ["SSH_AUTH_SOCK": agent.socketPath])
        #expect(signed.status == 0, "\(signed.stderr)")
        #expect(signed.stdout.contains("by carol with key SHA256:"), "\(signed.stdout)")
        // No --key: the agent's key that the allowed signers list.
        let rejected = try await CLIProcess.run(binary, ["reject", "plan/\(plan.name)", "--reason", "not tonight", "--db", db],
                                                environment: ["SSH_AUTH_SOCK": agent.socketPath])
        #expect(rejected.status == 0, "\(rejected.stderr)")
        #expect(try stored().map(\.decision) == [.approve, .reject])
        #expect(try verdicts().allSatisfy { if case .counts = $0 { true } else { false } })

        // A decision the controller refused is no approval in `get plans`: carol's approval counts, mallory's not.
        let client = try StatusStore(path: db, role: .client(actor: "test"))
        let forged = try client.addApproval(ApprovalRecord(plan: plan.name, revision: plan.spec.revision, decision: .approve,
                                                           approver: "mallory", source: "cli", createdAt: Date()))
        try client.recordRefusal(approval: try #require(forged.id), "unsigned", at: Date())
        #expect(try GetCommand.approvalCounts([plan], store: client) == [plan.name: 1])
    }
}
