import ArgumentParser
import ControllerRuntime
import Foundation
import OperatorStore
import Reconcilers

/// Shared by `approve` and `reject`: writes a person's decision through the store's approval path,
/// never into the plan's spec.
struct DecisionOptions: ParsableArguments {
    @Argument(help: "plan/NAME (or NAME).") var plan: String
    @Option(help: "The plan revision you reviewed (default: the current one, as `operator get plans` shows).") var revision: String?
    @Option(name: .customLong("as"), help: "Who decides (default: the OS user).") var approver: String = currentUser()
    @Option(help: "Why, for the audit log.") var reason: String?
    @OptionGroup var store: StoreOptions

    func record(_ decision: ApprovalRecord.Decision, now: Date = Date()) throws -> String {
        let (kind, nameOpt) = try splitReference(plan, nil)
        let name = nameOpt ?? kind
        if nameOpt != nil, resolveKind(kind).map({ $0.kind != RemediationPlanKind.kind }) ?? true {
            throw ValidationError("only plans are approved: use plan/NAME")
        }
        let approver = try personName(self.approver)
        let reason = try auditReason(self.reason)
        let s = try store.openClient(actor: approver)
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
        var expires: Date?
        if let cluster = try ResourceStore(store: s).get(TiKVClusterKind.self, p.spec.cluster) {
            expires = now.addingTimeInterval(cluster.spec.approval.ttl.seconds)
        }
        _ = try s.addApproval(ApprovalRecord(plan: name, revision: reviewed, decision: decision, approver: approver, source: "cli",
                                             reason: reason, createdAt: now, expiresAt: expires))
        return "plan/\(name) \(decision == .approve ? "approved" : "rejected") (revision \(reviewed), by \(approver))"
    }
}

struct ApproveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve one revision of a remediation plan.")
    @OptionGroup var options: DecisionOptions
    func run() throws { print(try options.record(.approve)) }
}

struct RejectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject a remediation plan (terminal).")
    @OptionGroup var options: DecisionOptions
    func run() throws { print(try options.record(.reject)) }
}
