import ControllerRuntime
import Foundation
import Synchronization
import TerminalDashboard

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Dashboard {
    /// `operator demo` shows the dashboard when both ends are a terminal (and not `--headless`).
    static var canShowOnThisTerminal: Bool { Terminal.isTTY(STDIN_FILENO) && Terminal.isTTY(STDOUT_FILENO) }

    /// Runs the demo's chapters behind the dashboard. The timeline (stdout) goes to a file while the
    /// dashboard draws on a copy of the terminal and shows the file's last lines; approvals are made
    /// in the dashboard. On exit the terminal is restored and the whole timeline printed. `q` stops the demo.
    static func runDemo(env: DemoEnvironment, script: DemoScript) async throws {
        let timeline = env.directory.appendingPathComponent("timeline.log").path
        let screen = dup(STDOUT_FILENO)
        let file = open(timeline, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard screen >= 0, file >= 0 else { throw CLIError.failure("cannot redirect the demo's timeline (errno \(errno))") }
        _ = dup2(file, STDOUT_FILENO)
        close(file)
        defer {
            _ = dup2(screen, STDOUT_FILENO)
            close(screen)
            if let text = try? String(contentsOfFile: timeline, encoding: .utf8) { FileHandle.standardOutput.write(Data(text.utf8)) }
        }

        let flags = DemoStopFlags()
        let chapters = Task {
            defer { flags.finished.store(true, ordering: .sequentiallyConsistent) }
            try await script.run()
        }
        var dashboard = Dashboard(storePath: env.dbPath, cluster: env.clusterName, refresh: .milliseconds(500), approver: DemoEnvironment.keyboardApprover,
                                  key: env.keyPath, clock: { env.now })
        dashboard.terminalOutput = screen
        dashboard.narrationFile = timeline
        // Without Prometheus the workload panel reads the simulator's /metrics, as the controller does.
        if env.prometheus == nil { dashboard.exposition = URL(string: "\(env.pdURL)/metrics") }
        // SIGTERM or Ctrl-C outside the dashboard cancel this task (`operator demo` owns those signals):
        // the screen loop ends, the terminal is restored, and the chapters stop before the clean-up.
        dashboard.ownsTerminationSignals = false
        let outcome: Outcome
        do {
            outcome = try await withTaskCancellationHandler {
                try await dashboard.run(interactive: true, stop: {
                    flags.finished.load(ordering: .sequentiallyConsistent) || flags.cancelled.load(ordering: .sequentiallyConsistent)
                })
            } onCancel: {
                flags.cancelled.store(true, ordering: .sequentiallyConsistent)
                chapters.cancel()
            }
        } catch {
            chapters.cancel()
            throw error
        }
        if flags.cancelled.load(ordering: .sequentiallyConsistent) {
            _ = await chapters.result
            throw CancellationError()
        }
        if outcome == .quit {
            chapters.cancel()
            _ = await chapters.result
            script.output.write("stopped by the person at the dashboard")
            return
        }
        try await chapters.value
    }
}

/// What the demo's screen loop polls: the chapters ended, or the demo was told to stop.
private final class DemoStopFlags: Sendable {
    let finished = Atomic<Bool>(false)
    let cancelled = Atomic<Bool>(false)
}
