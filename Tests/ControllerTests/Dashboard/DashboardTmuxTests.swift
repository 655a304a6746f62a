import Foundation
import Reconcilers
import Testing
import TestSupport
@testable import ControllerRuntime

#if canImport(Glibc)
import Glibc
#endif

/// A tmux server on a private socket, with one detached session; killed in `close`.
struct TmuxSession {
    static let binary = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var available: Bool { binary != nil }

    let socket = "operator-dash-\(UUID().uuidString.prefix(8))"
    let name = "dash"

    /// Runs one tmux command with `posix_spawn` and `waitpid`. Not `Process`: the first command
    /// forks the tmux server, which inherits what Foundation uses to notice the child's exit and so
    /// would keep `waitUntilExit` waiting for as long as the server lives.
    @discardableResult
    func tmux(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let path = Self.binary ?? "/usr/bin/tmux"
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([path, "-L", socket] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw CLIError.failure("cannot start tmux (error \(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exit, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
    }

    func start(columns: Int, rows: Int, command: String) throws {
        // remain-on-exit keeps the pane's last screen after the command ends, so the test can read it.
        let r = try tmux(["new-session", "-d", "-x", String(columns), "-y", String(rows), "-s", name, command,
                          ";", "set-option", "-t", name, "remain-on-exit", "on"])
        guard r.status == 0 else { throw CLIError.failure("tmux new-session failed: \(r.output)") }
    }

    func capture() throws -> String { try tmux(["capture-pane", "-p", "-t", name]).output }
    /// The whole pane history with wrapped lines joined, for output longer than the screen.
    func captureHistory() throws -> String { try tmux(["capture-pane", "-p", "-J", "-S", "-", "-t", name]).output }
    func send(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }
    /// kill-session first: tmux 3.3a ignores kill-server while a pane is kept by remain-on-exit.
    func close() {
        _ = try? tmux(["kill-session", "-t", name])
        _ = try? tmux(["kill-server"])
        let directory = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
        try? FileManager.default.removeItem(atPath: "\(directory)/tmux-\(getuid())/\(socket)")
    }

    /// Polls the pane until `condition` holds on its text; returns the last capture either way.
    func waitFor(timeout: Duration, _ condition: (String) -> Bool) async throws -> (ok: Bool, screen: String) {
        let deadline = ContinuousClock.now + timeout
        var screen = ""
        while ContinuousClock.now < deadline {
            screen = try capture()
            if condition(screen) { return (true, screen) }
            try await Task.sleep(for: .milliseconds(200))
        }
        screen = try capture()
        return (condition(screen), screen)
    }
}

@Suite(.serialized) struct DashboardTmuxTests {
    @Test(.enabled(if: TmuxSession.available, "tmux is not installed (hack/test.sh installs it): the real-terminal test is skipped"))
    func aPlanIsApprovedByKeyPressInARealTerminalThenExecutesAndQuitRestoresTheTerminal() async throws {
        let binary = try #require(OperatorBinary.locate(), "build the operator executable first (swift build)")
        // The dashboard signs on the wall clock, so the simulated cluster starts there.
        let (h, run) = try await ControlLoopHarness.drainingStore4(start: Date())
        let session = TmuxSession()
        defer {
            session.close()
            run.cancel()
        }

        let waiting = await eventually {
            (try? h.plans().first { $0.name.contains("drain-store-4") && $0.status.conditions[type: "Blocked"]?.reason == "Approval" }) != nil
        }
        try #require(waiting, "the harness never produced a plan waiting for approval")
        let plan = try #require(try h.plans().first { $0.name.contains("drain-store-4") })

        // The shell reports how the dashboard exited and the terminal's modes afterwards, and the pane stays (remain-on-exit).
        let command = "'\(binary.path)' dashboard --db '\(h.directory.path("operator.db"))' --as alice "
            + "--key '\(h.signers.keyPath("alice"))' --refresh 500ms; "
            + "echo \"dashboard-exit=$?\"; echo \"modes: $(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' ')\""
        try session.start(columns: 80, rows: 24, command: command)

        let shown = try await session.waitFor(timeout: .seconds(30)) { $0.contains("Plans & approvals") && $0.contains("drain-store-4") }
        #expect(shown.ok, "screen:\n\(shown.screen)")
        for title in ["Cluster sim", "Workload", "Tickets", "Details", "Events"] {
            #expect(shown.screen.contains(title), "missing \(title) at 80×24:\n\(shown.screen)")
        }
        #expect(shown.screen.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy { $0.count <= 80 })

        // Select the plan (it is the first row: open plans come first), ask to approve, confirm.
        try session.send("j")
        try session.send("k")
        try session.send("a")
        let asked = try await session.waitFor(timeout: .seconds(10)) { $0.contains("Approve plan/\(plan.name)") && $0.contains("y/n") }
        #expect(asked.ok, "screen:\n\(asked.screen)")
        try session.send("y")

        let recorded = await eventually(timeout: .seconds(15)) {
            (try? h.store.approvals(plan: plan.name))?.contains { $0.approver == "alice" && $0.decision == .approve } ?? false
        }
        #expect(recorded, "no approval by alice in the store")
        let approval = try h.store.approvals(plan: plan.name).first { $0.approver == "alice" }
        #expect(approval?.revision == plan.spec.revision)
        #expect(approval?.source == "cli", "the dashboard writes what `operator approve` writes")
        #expect(approval?.expiresAt != nil)

        let succeeded = await eventually(timeout: .seconds(90)) {
            (try? h.resources.get(RemediationPlanKind.self, plan.name))?.status.phase == .succeeded
        }
        #expect(succeeded, "the approved plan did not execute")
        let final = try await session.waitFor(timeout: .seconds(15)) { $0.contains("Succeeded") }
        #expect(final.ok, "screen:\n\(final.screen)")

        try session.send("q")
        let restored = try await session.waitFor(timeout: .seconds(15)) { $0.contains("dashboard-exit=") && $0.contains("modes:") }
        #expect(restored.ok, "screen:\n\(restored.screen)")
        #expect(restored.screen.contains("dashboard-exit=0"))
        #expect(restored.screen.contains("modes: icanon echo"), "raw mode was left on:\n\(restored.screen)")
        #expect(!restored.screen.contains("Plans & approvals"), "the alternate screen was not left:\n\(restored.screen)")

        run.cancel()
        _ = await run.result
        await h.stop()
    }

    /// SIGTERM while the demo's dashboard is on the screen: the terminal comes back, the chapters stop, and
    /// everything the demo started (simulator, controller, Prometheus, temporary directories) is gone.
    @Test(.enabled(if: TmuxSession.available, "tmux is not installed (hack/test.sh installs it): the real-terminal test is skipped"))
    func sigtermDuringTheDemoDashboardRestoresTheTerminalAndCleansUp() async throws {
        let binary = try #require(OperatorBinary.locate(), "build the operator executable first (swift build)")
        let marker = "OPERATOR_DEMO_TEST=\(UUID().uuidString)"
        let session = TmuxSession()
        defer {
            for pid in Self.processes(withEnvironment: marker) { kill(pid, SIGKILL) }
            session.close()
        }
        let command = "env \(marker) '\(binary.path)' demo; "
            + "echo \"demo-exit=$?\"; echo \"modes: $(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' ')\""
        try session.start(columns: 80, rows: 24, command: command)

        let shown = try await session.waitFor(timeout: .seconds(120)) { $0.contains("Plans & approvals") && $0.contains("Tickets") }
        try #require(shown.ok, "the demo's dashboard never showed:\n\(shown.screen)")
        let demo = try #require(Self.processes(withEnvironment: marker).first, "no demo process carries the test's marker")
        kill(demo, SIGTERM)

        let ended = try await session.waitFor(timeout: .seconds(60)) { $0.contains("demo-exit=") && $0.contains("modes:") }
        #expect(ended.ok, "screen:\n\(ended.screen)")
        #expect(ended.screen.contains("demo-exit=130"), "screen:\n\(ended.screen)")
        #expect(ended.screen.contains("modes: icanon echo"), "raw mode was left on:\n\(ended.screen)")
        #expect(!ended.screen.contains("Plans & approvals"), "the alternate screen was not left:\n\(ended.screen)")

        let history = try session.captureHistory()
        #expect(history.contains("Interrupted:"), "history:\n\(history)")
        let directories = Self.paths(in: history, prefixes: ["/tmp/operator-demo-", "/tmp/prometheus-"])
        #expect(directories.contains { $0.hasPrefix("/tmp/operator-demo-") }, "the demo names its directory:\n\(history)")
        for directory in directories {
            #expect(!FileManager.default.fileExists(atPath: directory), "\(directory) is left behind")
        }
        #expect(Self.processes(withEnvironment: marker).isEmpty, "a process the demo started is still running")
    }

    /// Processes whose environment holds `entry` (children inherit it: the demo's Prometheus too).
    static func processes(withEnvironment entry: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> pid_t? in
            guard let pid = pid_t(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/environ") else { return nil }
            return data.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == entry } ? pid : nil
        }
    }

    /// Every path in `text` that starts with one of `prefixes`, up to the next space, quote or punctuation.
    static func paths(in text: String, prefixes: [String]) -> Set<String> {
        var found = Set<String>()
        for prefix in prefixes {
            var rest = Substring(text)
            while let range = rest.range(of: prefix) {
                let tail = rest[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }
                found.insert(prefix + tail)
                rest = rest[range.upperBound...]
            }
        }
        return found
    }
}
