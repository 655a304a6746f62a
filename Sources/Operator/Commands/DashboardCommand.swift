import ArgumentParser
import Foundation
import PDWire
import TerminalDashboard

/// `operator dashboard`: attaches to a running controller through its store (client role: it
/// reads, and writes only approvals) and to its cluster through the spec's PD and Prometheus.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Watch a controller's cluster, tickets, plans and events; approve or reject plans with a key press.")

    @OptionGroup var store: StoreOptions
    @Option(help: "The TiKVCluster to show (default: the first in the store).") var cluster: String?
    @Option(help: "How often to re-read the store and PD, as a Go duration.") var refresh: String = "1s"
    @Option(name: .customLong("as"), help: "Who approves from the keyboard (default: the principal your key is listed for).")
    var approver: String?
    @Option(help: ArgumentHelp("The SSH key the approve key signs with (default: ssh-agent's).", valueName: "path")) var key: String?

    func run() async throws {
        let interval: GoDuration
        do { interval = try GoDuration(parsing: refresh) } catch { throw ValidationError("--refresh: \(error)") }
        guard interval.nanoseconds >= 100_000_000 else { throw ValidationError("--refresh must be at least 100ms") }
        // A name given with --as must be a person's now; without one, the key (or, unsigned, the OS user) names who
        // decides when a key is pressed (the dashboard still watches under `root`, and says how to approve).
        let approver = try self.approver.map { try personName($0) }
        _ = try store.openClient(actor: approver ?? currentUser())  // fails clearly when there is no store at the path
        let dashboard = Dashboard(storePath: store.path, cluster: cluster, refresh: .nanoseconds(interval.nanoseconds), approver: approver,
                                  key: key)
        let interactive = Terminal.isTTY(STDIN_FILENO) && Terminal.isTTY(STDOUT_FILENO)
        _ = try await dashboard.run(interactive: interactive)
    }
}
