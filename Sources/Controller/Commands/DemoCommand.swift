import ArgumentParser

/// The README's first command. The full demo (fault → detection → diagnosis → plan → approval →
/// execution → verified recovery) needs the control loop and the executor, which are not built yet.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Show the whole loop on a simulated cluster (not built yet).")

    @Flag(help: "Run every chapter without key presses.") var auto = false
    @Flag(help: "Print the timeline as plain lines.") var headless = false

    func run() throws {
        throw CLIError.failure("""
            the demo is not built yet: it needs the control loop, execution and the dashboard, which have not landed.
            What works today: `operator simulate` (a simulated cluster), `operator validate -f Manifests/examples`, \
            `operator run --specs DIR` (spec files into the store) and `operator get|describe|approve|reject|audit`.
            """)
    }
}
