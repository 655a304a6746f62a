import ControllerRuntime
import Foundation
import Reconcilers
import Testing
import TestSupport

/// `operator dashboard` without a terminal: stdout goes to a file, so it draws nothing and prints one
/// timestamped line per change (stores, tickets, plans, events) instead.
@Suite(.serialized)
struct DashboardPlainTests {
    @Test func withoutATerminalItPrintsPlainLinesPerChange() async throws {
        let binary = try #require(OperatorBinary.locate(), "build the operator executable first (swift build)")
        let (h, run) = try await ControlLoopHarness.drainingStore4()
        let output = URL(fileURLWithPath: h.directory.path("dashboard.out"))
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Subprocess()
        process.executableURL = binary
        process.arguments = ["dashboard", "--db", h.directory.path("operator.db"), "--refresh", "500ms"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
            run.cancel()
        }

        func text() -> String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
        let seen = await eventually(timeout: .seconds(60)) {
            let t = text()
            return t.contains("plan drain-store-4") && t.contains("store 4 ") && t.contains("event ")
        }
        #expect(seen, "dashboard output:\n\(text())")
        let lines = text().split(separator: "\n")
        #expect(!lines.isEmpty)
        // Plain lines: no escape sequences, each starting with its time.
        #expect(!text().contains("\u{1B}["), "it drew on a file:\n\(text())")
        #expect(lines.allSatisfy { $0.range(of: #"^\d\d:\d\d:\d\d "#, options: .regularExpression) != nil }, "\(lines)")
        // A change is printed once, not on every refresh.
        let planLines = lines.filter { $0.contains("plan drain-store-4") }
        #expect(Set(planLines).count == planLines.count, "\(planLines)")

        process.terminate()
        process.waitUntilExit()
        run.cancel()
        _ = await run.result
        await h.stop()
    }
}
