import ArgumentParser
import ControllerRuntime
import Foundation
import OperatorStore
import Reconcilers
import SignedApprovals
import SSHSignatures

/// Shared by `approve` and `reject`: signs a person's decision on one revision of a plan and writes it through the
/// store's approval path (never into the plan's spec), or prints it as a signed `Approval` object for GitOps.
struct DecisionOptions: ParsableArguments {
    @Argument(help: "plan/NAME (or NAME).") var plan: String?
    @Option(help: "The plan revision you reviewed (default: the current one, as `operator get plans` shows).") var revision: String?
    @Option(help: ArgumentHelp("Your SSH private key (or its .pub, for a key in ssh-agent). Default: ssh-agent's key.",
                               valueName: "path")) var key: String?
    @Option(name: .customLong("as"), help: ArgumentHelp(
        "The principal you sign as (default: the one the allowed signers list for your key); unsigned, your name (default: the OS user).",
        valueName: "name")) var approver: String?
    @Option(help: "Why, for the audit log.") var reason: String?
    @Option(name: .shortAndLong, help: "yaml|json: print the signed Approval object instead of recording it (GitOps).")
    var output: OutputFormat?
    @Option(help: "The plan's cluster, with -o and --revision when there is no store at hand (a laptop).") var cluster: String?
    @Option(help: ArgumentHelp("An allowed_signers file to check your key against (default: the cluster's).", valueName: "path"))
    var allowedSigners: String?
    @Flag(help: "Record an unsigned decision (counts only where the cluster sets requireSignatures: false).") var unsigned = false
    @OptionGroup var store: StoreOptions

    func validate() throws {
        if let output, output != .yaml, output != .json { throw ValidationError("-o takes yaml or json here") }
        if output != nil, unsigned { throw ValidationError("-o prints a signed approval: leave out --unsigned") }
        if unsigned, key != nil { throw ValidationError("--unsigned and --key contradict each other") }
    }

    /// What is decided on: the plan, its revision and cluster, the cluster's approval policy (nil without a store).
    private struct Target {
        var plan: String
        var revision: String
        var cluster: String
        var policy: ApprovalPolicy?
        var store: StatusStore?
        /// AI-suggested plans need a signed approval even where a lab counts typed names.
        var suggestedByAI = false
    }

    func record(_ decision: ApprovalRecord.Decision, now: Date = Date()) throws -> String {
        // Names and reasons are checked before anything is read or signed: a usage error, whatever the mode.
        if let approver { _ = try personName(approver) }
        let reason = try auditReason(self.reason)
        let target = try self.target()
        let policy = target.policy ?? ApprovalPolicy()
        let signers = try allowedSignersList(policy)

        guard !unsigned, key != nil || output != nil || policy.requireSignatures || target.suggestedByAI else {
            return try recordUnsigned(decision, target, reason: reason, now: now)
        }
        let signer: any SSHSigner
        let principal: String
        let armored: String
        let payload: ApprovalPayload
        do {
            signer = try ApprovalSigner.signer(key: key, allowedSigners: signers)
            principal = try ApprovalSigner.principal(for: signer.publicKey, requested: approver, allowedSigners: signers, now: now)
            payload = ApprovalPayload(cluster: target.cluster, plan: target.plan, revision: target.revision, decision: decision,
                                      principal: principal, signedAt: now, expiresAt: now.addingTimeInterval(policy.ttl.seconds),
                                      reason: reason)
            armored = try ApprovalSigner.sign(payload, with: signer)
        } catch {
            throw CLIError.failure(error.description)
        }
        if let output {
            let object = ApprovalDocument(name: approvalName(payload), spec: ApprovalSpec(signed: payload, signature: armored))
            return try output == .json ? Render.json(object) : Render.yaml(object)
        }
        let record = ApprovalRecord(plan: target.plan, revision: target.revision, decision: decision, approver: principal, source: "cli",
                                    reason: reason, createdAt: now, expiresAt: payload.expiresAt,
                                    signature: .init(payload: payload.canonicalText, armored: armored),
                                    keyFingerprint: signer.publicKey.fingerprint)
        return try Self.store(record, target: target, policy: policy, signers: signers, now: now)
    }

    /// `approve --from-file`: a signed `Approval` object made elsewhere (`approve -o yaml` on a laptop).
    static func recordFile(_ path: String, store options: StoreOptions, now: Date = Date()) throws -> String {
        let text: String
        if path == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile().prefix(1 << 20), as: UTF8.self)
        } else {
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw CLIError.failure("\(path): cannot be read: \(error.localizedDescription)")
            }
        }
        let parsed = SpecParser.parse(file: path == "-" ? "<stdin>" : path, text: text)
        if let first = parsed.errors.first { throw CLIError.failure(first.description) }
        let approvals: [Approval] = parsed.documents.compactMap { if case .approval(let a) = $0.object { a } else { nil } }
        guard approvals.count == 1, parsed.documents.count == 1, let approval = approvals.first else {
            throw CLIError.failure("\(path): expected one Approval object, found \(parsed.documents.count) object(s)")
        }
        guard let signature = approval.spec.signature, let payload = approval.spec.payload else {
            throw CLIError.failure("\(path): approval/\(approval.name) is not signed: make it with `operator approve … --key … -o yaml`")
        }
        let target = try target(plan: payload.plan, revision: payload.revision, cluster: nil, offline: false, store: options,
                                actor: payload.principal)
        let record = ApprovalRecord(plan: payload.plan, revision: payload.revision, decision: payload.decision, approver: payload.principal,
                                    source: "cli:file", reason: payload.reason, createdAt: now, expiresAt: payload.expiresAt,
                                    signature: .init(payload: payload.canonicalText, armored: signature),
                                    keyFingerprint: ApprovalSigner.fingerprint(armored: signature))
        let policy = target.policy ?? ApprovalPolicy()
        let signers = policy.allowedSigners.flatMap { try? $0.load() }
        return try store(record, target: target, policy: policy, signers: signers, now: now)
    }

    /// Checks the decision as the controller will, records it (a refused one too, with its reason, for the audit), and
    /// fails when it is refused.
    private static func store(_ record: ApprovalRecord, target: Target, policy: ApprovalPolicy, signers: AllowedSigners?, now: Date) throws -> String {
        guard let s = target.store else { throw CLIError.failure("no status store to record the approval in: pass --db, or -o yaml") }
        var record = record
        // Only a verdict from the allowed signers the controller reads is recorded as a refusal; without them here,
        // the controller decides.
        if let signers, let signature = record.signature {
            let verifier = ApprovalVerifier(policy: policy, signers: .success(signers))
            if case .failure(let why) = verifier.check(signature, of: record, cluster: target.cluster, now: now) {
                record.refusal = why.description
            }
        }
        do {
            _ = try s.addApproval(record)
        } catch let error as StoreError {
            throw CLIError.failure(error.description)
        }
        if let refusal = record.refusal {
            throw CLIError.failure("plan/\(record.plan): the \(record.decision.rawValue) is refused and will not count: \(refusal)")
        }
        let verb = record.decision == .approve ? "approved" : "rejected"
        let key = record.keyFingerprint.map { " with key \($0)" } ?? ""
        return "plan/\(record.plan) \(verb) (revision \(record.revision), by \(record.approver)\(key))"
    }

    private func recordUnsigned(_ decision: ApprovalRecord.Decision, _ target: Target, reason: String?, now: Date) throws -> String {
        let approver = try personName(self.approver ?? currentUser())
        var expires: Date?
        if let policy = target.policy { expires = now.addingTimeInterval(policy.ttl.seconds) }
        let record = ApprovalRecord(plan: target.plan, revision: target.revision, decision: decision, approver: approver, source: "cli",
                                    reason: reason, createdAt: now, expiresAt: expires)
        let policy = target.policy ?? ApprovalPolicy()
        if policy.requireSignatures || target.suggestedByAI {
            let who = target.suggestedByAI && !policy.requireSignatures ? "a plan the model suggested needs a signed approval"
                : "this cluster counts only signed approvals"
            throw CLIError.failure("plan/\(target.plan): \(who): pass --key ~/.ssh/id_ed25519 (or run ssh-agent with your key added)")
        }
        return try Self.store(record, target: target, policy: policy, signers: nil, now: now)
    }

    private func allowedSignersList(_ policy: ApprovalPolicy) throws -> AllowedSigners? {
        do {
            if let allowedSigners { return try AllowedSignersSource(file: allowedSigners).load() }
            return try policy.allowedSigners?.load()
        } catch {
            // The cluster's list names a path in the controller's pod; on a laptop it may not exist. --as then says who.
            if allowedSigners != nil { throw CLIError.failure(error.description) }
            return nil
        }
    }

    private func target() throws -> Target {
        guard let plan else { throw ValidationError("name the plan: plan/NAME") }
        let (kind, nameOpt) = try splitReference(plan, nil)
        let name = nameOpt ?? kind
        if nameOpt != nil, resolveKind(kind).map({ $0.kind != RemediationPlanKind.kind }) ?? true {
            throw ValidationError("only plans are approved: use plan/NAME")
        }
        return try Self.target(plan: name, revision: revision, cluster: cluster, offline: output != nil && cluster != nil && revision != nil,
                               store: store, actor: approver.flatMap(PersonName.normalized) ?? currentUser())
    }

    /// The plan as the store holds it, checked to be at the reviewed revision and still undecided; or, for a signed
    /// object made on a laptop, what the person named.
    private static func target(plan name: String, revision: String?, cluster: String?, offline: Bool, store options: StoreOptions,
                               actor: String) throws -> Target {
        if offline, let cluster, let revision {
            if !isPlanRevision(revision) { throw ValidationError("--revision \(revision): expected 16 lower-case hex digits") }
            return Target(plan: name, revision: revision, cluster: cluster, policy: nil, store: nil)
        }
        let s = try options.openClient(actor: actor)
        guard let p = try ResourceStore(store: s).get(RemediationPlanKind.self, name) else {
            throw CLIError.failure("remediationplans \"\(name)\" not found")
        }
        let current = p.spec.revision
        let reviewed = revision ?? current
        guard reviewed == current else {
            throw CLIError.failure("plan/\(name) is at revision \(current), not \(reviewed): its steps changed since you reviewed it; review it again (`operator describe plan/\(name)`)")
        }
        guard !p.status.phase.isTerminal else {
            throw CLIError.failure("plan/\(name) is \(p.status.phase.rawValue); there is nothing left to decide")
        }
        let policy = try ResourceStore(store: s).get(TiKVClusterKind.self, p.spec.cluster)?.spec.approval
        return Target(plan: name, revision: reviewed, cluster: p.spec.cluster, policy: policy, store: s, suggestedByAI: p.spec.origin == .ai)
    }

    /// `approve-<plan>-<principal>`, cut to an object name's length.
    private func approvalName(_ payload: ApprovalPayload) -> String {
        let person = payload.principal.map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let name = "\(payload.decision.rawValue)-\(payload.plan)-\(String(person))".lowercased()
        return String(name.prefix(63)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }
}

/// A signed approval as a spec file holds it: what the specs directory and `--from-file` read, nothing the controller
/// writes (no status, no generation).
struct ApprovalDocument: Encodable {
    struct Metadata: Encodable { var name: String }
    var apiVersion = apiVersionV1Alpha1
    var kind = ApprovalKind.kind
    var metadata: Metadata
    var spec: ApprovalSpec

    init(name: String, spec: ApprovalSpec) {
        metadata = Metadata(name: name)
        self.spec = spec
    }
}

struct ApproveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve one revision of a remediation plan, signed with your SSH key.",
        discussion: """
            operator approve plan/NAME --key ~/.ssh/id_ed25519           # sign and record
            operator approve plan/NAME --revision R --key … -o yaml      # print a signed Approval for the specs ConfigMap
            operator approve --from-file approval.yaml                   # record one signed elsewhere (- reads stdin)
            """)
    @OptionGroup var options: DecisionOptions
    @Option(help: ArgumentHelp("Record a signed Approval object (from `approve -o yaml`); - reads stdin.", valueName: "file"))
    var fromFile: String?

    func validate() throws {
        if fromFile != nil, options.plan != nil { throw ValidationError("--from-file carries its plan: leave out plan/NAME") }
        if fromFile == nil, options.plan == nil { throw ValidationError("name the plan (plan/NAME) or pass --from-file") }
    }

    func run() throws {
        if let fromFile {
            printForPeople(try DecisionOptions.recordFile(fromFile, store: options.store))
        } else {
            printForPeople(try options.record(.approve))
        }
    }
}

struct RejectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject a remediation plan (terminal), signed with your SSH key.")
    @OptionGroup var options: DecisionOptions
    func validate() throws {
        if options.plan == nil { throw ValidationError("name the plan: plan/NAME") }
    }
    func run() throws { printForPeople(try options.record(.reject)) }
}
