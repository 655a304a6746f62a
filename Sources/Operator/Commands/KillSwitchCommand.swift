import ArgumentParser
import Foundation
import OperatorStore
import Reconcilers

/// `operator kill-switch on|off|status`: stops everything from any process, without the lease.
/// On: non-terminal plans become Cancelled (they never resume by themselves), PD operators the
/// controller started are cancelled, and every cluster behaves as `observe`. Off: planning resumes;
/// nothing cancelled comes back.
struct KillSwitchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill-switch", abstract: "Stop (on) or re-allow (off) every change the controller makes; `status` shows it.")

    enum State: String, ExpressibleByArgument, CaseIterable { case on, off, status }

    @Argument(help: "on, off or status.") var state: State
    @Option(name: .customLong("as"), help: "Who (default: the OS user).") var actor: String = currentUser()
    @Option(help: "Why, for the audit log.") var reason: String?
    @OptionGroup var store: StoreOptions

    func run() throws {
        // Stopping (or asking) must never fail on a name: `on` under a name that is no person's (the pod's `root`) is recorded as
        // `unnamed:<name>`, apart from any real person and from the controller's own entries. Resuming changes needs a
        // person's name.
        let actor: String
        if state != .off, PersonName.normalized(self.actor) == nil {
            actor = "unnamed:" + String(self.actor.unicodeScalars.filter { $0.properties.generalCategory != .control }.prefix(PersonName.maxLength))
        } else {
            actor = try personName(self.actor)
        }
        let reason = try auditReason(self.reason)
        let s = try store.openClient(actor: actor)
        switch state {
        case .status:
            print("kill switch is \(try s.killSwitchIsOn() ? "on" : "off")")
        case .on, .off:
            try s.setKillSwitch(on: state == .on, actor: actor)
            if let reason {
                try s.appendAudit(AuditEntry(timestamp: Date(), actor: actor, source: "cli", action: "KillSwitchReason",
                                             kind: "Setting", name: StatusStore.killSwitchKey, message: reason))
            }
            print(state == .on
                  ? "kill switch on: the controller cancels every active plan and the PD operators it started, and changes nothing until `operator kill-switch off`"
                  : "kill switch off: plans are computed again; cancelled plans stay cancelled")
        }
    }
}
