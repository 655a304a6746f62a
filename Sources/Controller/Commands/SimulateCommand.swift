import ArgumentParser

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve a simulated TiKV cluster behind a PD-compatible HTTP API."
    )
    func run() async throws {
        throw ValidationError("the simulator is not built yet (issue 3)")
    }
}
