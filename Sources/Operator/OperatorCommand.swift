import ArgumentParser
import ControllerRuntime
import Foundation

/// The `operator` executable: the controller (`run`), its kubectl-like CLI, the simulator and the demo.
@main
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Keeps a TiKV cluster the way its owners declared it.",
        version: "operator \(OperatorVersion.version) (revision \(OperatorVersion.revision))",
        subcommands: [
            DemoCommand.self,
            DashboardCommand.self,
            RunCommand.self,
            ValidateCommand.self,
            GetCommand.self,
            DescribeCommand.self,
            DiagnoseCommand.self,
            ApproveCommand.self,
            RejectCommand.self,
            KillSwitchCommand.self,
            AuditCommand.self,
            StoreCommand.self,
            SimulateCommand.self,
            VersionCommand.self,
            DebugStoreWriterCommand.self,
        ]
    )

    /// kubectl's exit codes: 0 success, 1 failure, 2 usage. ArgumentParser uses 64 for usage errors.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            printError("error: \(error.description)")
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                printForPeople(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { printError(message) }
            Foundation.exit(code == .validationFailure ? 2 : (error is ExitCode ? code.rawValue : 1))
        }
    }
}
