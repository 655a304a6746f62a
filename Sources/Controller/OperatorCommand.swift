import ArgumentParser

/// The `operator` executable: the controller (`run`), its kubectl-like CLI, the simulator and the demo.
@main
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Keeps a TiKV cluster the way its owners declared it.",
        subcommands: [
            SimulateCommand.self,
            DebugStoreWriterCommand.self,
        ]
    )
}
