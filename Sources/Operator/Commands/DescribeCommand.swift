import ArgumentParser
import ControllerRuntime
import Foundation
import OperatorStore
import Reconcilers
import SignedApprovals

struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show one object in detail: spec, conditions, approvals, events and its audit trail."
    )

    @Argument(help: "KIND/NAME or KIND NAME.") var kind: String
    @Argument(help: "Object name.") var name: String?
    @OptionGroup var store: StoreOptions

    func run() throws {
        let (kindText, name) = try splitReference(kind, self.name)
        guard let name else { throw ValidationError("describe needs KIND/NAME") }
        guard let k = resolveKind(kindText) else { throw CLIError.failure("unknown kind \"\(kindText)\"") }
        printForPeople(try Self.describe(k, name: name, store: try store.openClient(), now: Date()), terminator: "")
    }

    static func describe<K: APIKind>(_ kind: K.Type, name: String, store: StatusStore, now: Date) throws -> String {
        guard let object = try ResourceStore(store: store).get(K.self, name) else {
            throw CLIError.failure("\(K.plural) \"\(name)\" not found")
        }
        var out = ""
        func line(_ label: String, _ value: String) { out += (label + ":").padding(toLength: 22, withPad: " ", startingAt: 0) + value + "\n" }
        line("Name", object.name)
        line("Kind", K.kind)
        line("Generation", String(object.metadata.generation))
        line("Observed generation", String(object.status.observedGeneration) + (object.status.observedGeneration < object.metadata.generation ? " (stale)" : ""))
        line("Resource version", object.metadata.resourceVersion)
        line("Created", object.metadata.creationTimestamp.map { "\(CanonicalJSON.formatDate($0)) (\(humanAge(from: $0, now: now)) ago)" } ?? "<unset>")
        line("Labels", object.metadata.labels.isEmpty ? "<none>" : object.metadata.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
        line("Annotations", object.metadata.annotations.isEmpty ? "<none>" : object.metadata.annotations.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
        out += "Spec:\n" + indent(try Render.yaml(object.spec))
        out += "Conditions:\n"
        if object.status.conditions.isEmpty {
            out += "  <none>\n"
        } else {
            out += indent(renderTable(["TYPE", "STATUS", "REASON", "SINCE", "MESSAGE"], object.status.conditions.map {
                [$0.type, $0.status.rawValue, $0.reason, humanAge(from: $0.lastTransitionTime, now: now), $0.message]
            }) + "\n")
        }
        if let cluster = object as? TiKVCluster {
            line("Approvals", Self.approvalIdentity(cluster.spec.approval))
        }
        if let targets = (object as? TiKVCluster)?.status.targets {
            // Why the planners may or may not send work to each store now (the legality rule, docs/plans.md).
            out += "Targets:\n" + indent(renderTable(["STORE", "LEADER TARGET", "PEER TARGET"], targets.map {
                [String($0.storeID), $0.leader ?? "legal", $0.peer ?? "legal"]
            }) + "\n")
        }
        if let balance = (object as? TiKVCluster)?.status.balance {
            // How each resource is balanced now, and the PD scheduler state that chose it (docs/plans.md).
            out += "Balance:\n" + indent(renderTable(["RESOURCE", "WAY", "PD SCHEDULER", "WHY"], balance.map {
                [$0.resource, $0.way, $0.pdScheduler, $0.reason]
            }) + "\n")
        }
        if let plan = object as? RemediationPlan {
            out += "Steps:\n" + indent(renderTable(["#", "NAME", "ACTION", "RISK", "PHASE", "ATTEMPTS", "PD REQUEST", "OBSERVED"],
                                                    plan.spec.steps.enumerated().map { i, step in
                let st = plan.status.steps.first { $0.name == step.name }
                return [String(i + 1), step.name, step.action.summary, step.risk.rawValue, st?.phase.rawValue ?? "Pending",
                        String(st?.attempts ?? 0), st?.pdRequest ?? "<none>", st?.observedEffect ?? ""]
            }) + "\n")
            out += ModelProposalReport.render(plan, now: now)
            let approvals = try store.approvals(plan: plan.name)
            out += "Approvals:\n"
            if approvals.isEmpty {
                out += "  <none>\n"
            } else {
                out += indent(renderTable(["DECISION", "APPROVER", "KEY", "REVISION", "COUNTS", "SOURCE", "AGE", "REASON"], approvals.map {
                    let counts = if let refusal = $0.refusal { "no (refused: \(refusal))" }
                        else if $0.revision != plan.spec.revision { "no (revision changed)" }
                        else { "yes" }
                    return [$0.decision.rawValue, $0.approver, $0.keyFingerprint ?? "unsigned", $0.revision, counts,
                            $0.source, humanAge(from: $0.createdAt, now: now), $0.reason ?? ""]
                }) + "\n")
            }
        }
        if let ticket = object as? Ticket {
            // The incident: a consequence names its root; a root lists the tickets that follow from it.
            if let incident = ticket.status.incident {
                out += "Incident:\n  consequence of \(incident.root.map { "ticket/\($0)" } ?? "no ticket (a fact)"): \(incident.message) [\(incident.cause.rawValue)]\n"
            } else {
                let following = try ResourceStore(store: store).list(TicketKind.self)
                    .filter { $0.status.incident?.root == ticket.name && $0.status.state != .resolved }.map(\.name).sorted()
                if !following.isEmpty { out += "Incident:\n  root of " + following.map { "ticket/\($0)" }.joined(separator: ", ") + "\n" }
            }
        }
        if let ticket = object as? Ticket {
            // Every plan answering the ticket, a playbook's and a model's side by side: approving one withdraws the other.
            let plans = try ResourceStore(store: store).list(RemediationPlanKind.self).filter { $0.spec.ticket == ticket.name }
                .sorted { ($0.metadata.creationTimestamp ?? .distantPast, $0.name) < ($1.metadata.creationTimestamp ?? .distantPast, $1.name) }
            out += "Plans:\n"
            out += plans.isEmpty ? "  <none>\n" : indent(renderTable(["NAME", "ORIGIN", "PHASE", "RISK", "REVISION", "STEPS", "NOTE"], plans.map {
                [$0.name, $0.spec.origin == .ai ? "ai (\($0.spec.proposal?.provider ?? "model"))" : "playbook",
                 $0.status.phase.rawValue, $0.spec.risk.rawValue, $0.spec.revision,
                 $0.spec.steps.map(\.action.summary).joined(separator: "; "), $0.status.conditions[type: .superseded]?.message ?? ""]
            }) + "\n")
        }
        if let diagnosis = (object as? Ticket)?.status.diagnosis { out += DiagnosisReport.render(diagnosis, now: now) }
        let events = try store.events(regardingKind: K.kind, regardingName: name)
        out += "Events:\n"
        out += events.isEmpty ? "  <none>\n" : indent(renderTable(["LAST-SEEN", "TYPE", "REASON", "COUNT", "MESSAGE"], events.map {
            [humanAge(from: $0.lastTimestamp, now: now), $0.type.rawValue, $0.reason, String($0.count), $0.message]
        }) + "\n")
        let audit = try store.audit(kind: K.kind, name: name, limit: 20)
        out += "Audit trail:\n"
        out += audit.isEmpty ? "  <none>\n" : indent(renderTable(["TIME", "ACTOR", "SOURCE", "ACTION", "MESSAGE"], audit.map {
            [CanonicalJSON.formatDate($0.timestamp), $0.actor, $0.source, $0.action, $0.message]
        }) + "\n")
        return out
    }

    /// How the cluster's approvals prove who gave them, said plainly: an SRE must see at once when they prove nothing.
    static func approvalIdentity(_ policy: ApprovalPolicy) -> String {
        guard policy.requireSignatures else {
            return "UNAUTHENTICATED: requireSignatures is false, so an approval is a name anyone can type; for a lab only"
        }
        let source = policy.allowedSigners.map { $0.file.map { "file \($0)" } ?? "\($0.entries?.count ?? 0) inline entries" }
        guard let source else {
            return "signed, but no allowedSigners is set: no approval can count (spec.approval.allowedSigners)"
        }
        do {
            let list = try policy.allowedSigners?.load()
            return "signed: keys in the allowed signers (\(source), \(list?.entries.count ?? 0) key line(s))"
        } catch {
            return "signed, but the allowed signers cannot be read here (\(error.description)); the controller reads its own copy"
        }
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
            .replacingOccurrences(of: "\n\n", with: "\n")
    }
}
