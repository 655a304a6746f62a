import ArgumentParser
import Foundation
import UnixSignals
import Logging

/// The README's first command: a simulated cluster, a fault, the detection, the plan, a person's
/// approval, the change, and the recovery verified by observation. Everything it starts lives in a
/// temporary directory and on 127.0.0.1, and is stopped and removed on exit.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Show the whole loop on a simulated cluster: fault, ticket, plan, approval, execution, verified recovery.")

    @Flag(help: "Approve and advance without key presses.") var auto = false
    @Flag(help: "Print the timeline as plain lines and exit 0 only if every chapter's outcome was observed (CI).") var headless = false
    @Option(help: "How many times faster than real time the simulated cluster runs.") var speed: Double = 20
    @Option(help: "Seconds to wait for each expected outcome before the demo fails.") var patience: Int = 180
    @Flag(help: "Show the controller's own log lines.") var verbose = false

    func run() async throws {
        guard speed >= 1, speed <= 200 else { throw ValidationError("--speed must be between 1 and 200") }
        // Every logger in the process (the manager's, the diagnosis runner's) stays quiet unless asked:
        // the demo's own timeline is what a person reads.
        let level: Logger.Level = verbose ? .info : .critical
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "operator")
        logger.logLevel = level
        let env = try await DemoEnvironment(speed: speed, logger: logger)
        let output = DemoOutput(simulatedTime: { env.now })
        output.write("Operator demo: a simulated TiKV cluster at \(env.pdURL), the controller in execute mode, its store at \(env.dbPath).")
        if let prometheus = env.prometheus {
            output.write("Metrics: a real Prometheus at \(prometheus.url.absoluteString) (its own directory \(prometheus.directory.path)) scrapes each simulated TiKV every second; the controller queries it.")
        } else {
            output.write("Metrics: \(env.prometheusAbsence ?? "no Prometheus"), so the controller reads the simulator's \(env.pdURL)/metrics directly and computes rates between its own scrapes.")
        }
        output.write("Approvals are SSH-signed: a throwaway key \(env.keyPath) is the one key the cluster's allowed signers "
                     + "(\(env.allowedSignersPath)) list, for \(DemoEnvironment.keyboardApprover).")
        output.write("In another terminal: operator get plans --db \(env.dbPath)   ·   operator approve plan/NAME --key \(env.keyPath) "
                     + "--db \(env.dbPath)   ·   operator get stores --pd \(env.pdURL)")
        env.start()
        var script = DemoScript(env: env, output: output, auto: auto || headless, patience: .seconds(patience))
        let onScreen = !headless && Dashboard.canShowOnThisTerminal
        script.approveInDashboard = onScreen && !auto
        let chapters = Task { [script] in
            if onScreen { try await Dashboard.runDemo(env: env, script: script) } else { try await script.run() }
        }
        // Ctrl-C or SIGTERM (the dashboard takes Ctrl-C as a key): stop the chapters, then clean up as on any exit.
        // After the first, the signals' default action is back: a second Ctrl-C ends the process at once.
        let interruption = Task { () -> Bool in
            for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                chapters.cancel()
                signal(SIGINT, SIG_DFL)
                signal(SIGTERM, SIG_DFL)
                return true
            }
            return false
        }
        let result = await chapters.result
        interruption.cancel()
        let interrupted = await interruption.value
        await env.stop()
        if interrupted {
            output.write("Interrupted: stopped \(env.prometheus == nil ? "the simulator and the controller" : "the simulator, the controller and Prometheus"); removed \(env.directory.path).")
            throw ExitCode(130)
        }
        if case .failure(let error) = result {
            output.write("demo failed: \(error)")
            output.write("Stopped what the demo started; removed \(env.directory.path).")
            throw ExitCode.failure
        }
        output.write("Stopped \(env.prometheus == nil ? "the simulator and the controller" : "the simulator, the controller and Prometheus"); removed \(env.directory.path).")
    }
}
