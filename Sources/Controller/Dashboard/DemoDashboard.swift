import Foundation
import Synchronization

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

        let finished = Atomic<Bool>(false)
        let chapters = Task {
            defer { finished.store(true, ordering: .sequentiallyConsistent) }
            try await script.run()
        }
        var dashboard = Dashboard(storePath: env.dbPath, cluster: env.clusterName, refresh: .milliseconds(500), approver: currentUser(),
                                  clock: { env.now })
        dashboard.terminalOutput = screen
        dashboard.narrationFile = timeline
        let outcome: Outcome
        do {
            outcome = try await dashboard.run(interactive: true, stop: { finished.load(ordering: .sequentiallyConsistent) })
        } catch {
            chapters.cancel()
            throw error
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
