import ArgumentParser
import Foundation
import OperatorStore

/// Hidden: hammers a status store so tests can run several writing processes at once and
/// kill them mid-write. Prints one line per committed write, written straight to fd 1 (no
/// buffering), so whatever a killed writer printed is known to be durable.
struct DebugStoreWriterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug-store-writer",
        abstract: "Write objects or approvals into a status store as fast as possible (testing aid).",
        shouldDisplay: false
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        /// Holds the lease and writes a spec, a status and an event per step.
        case controller
        /// Client role: adds one approval per step.
        case approvals
    }

    @Option(help: "Path of the SQLite store file.")
    var db: String

    @Option(help: "controller or approvals.")
    var mode: Mode

    @Option(help: "Number of steps to write.")
    var count: Int

    @Option(help: "Prefix of the object or plan names written.")
    var prefix: String = "w"

    @Option(help: "Lease holder name in controller mode; a restarted writer with the same name re-takes its lease.")
    var holder: String = "debug-store-writer"

    @Option(help: "Lease TTL in milliseconds (controller mode).")
    var leaseTTLMs: Int = 30_000

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must not be negative") }
        guard leaseTTLMs > 0 else { throw ValidationError("--lease-ttl-ms must be positive") }
    }

    func run() throws {
        switch mode {
        case .controller: try writeObjects()
        case .approvals: try writeApprovals()
        }
        acknowledge("done")
    }

    private func writeObjects() throws {
        let store = try StatusStore(path: db, role: .controller(holder: holder))
        let ttl = Duration.milliseconds(leaseTTLMs)
        var lease = try store.acquireLease(ttl: ttl)
        for index in 0..<count {
            // Renew at half the TTL, as a controller's loop would.
            if lease.expiresAt.timeIntervalSinceNow < Double(leaseTTLMs) / 2000 {
                lease = try store.renewLease()
            }
            let name = "\(prefix)-\(index)"
            let spec = Data(#"{"index":\#(index),"prefix":"\#(prefix)"}"#.utf8)
            let existing = try store.get(kind: "DebugObject", name: name)
            let stored = try store.putSpec(
                kind: "DebugObject", name: name, spec: spec, labels: ["writer": holder],
                expectedResourceVersion: existing?.resourceVersion)
            acknowledge("spec \(name) \(stored.resourceVersion)")
            let status = Data(#"{"observedGeneration":\#(stored.generation),"step":\#(index)}"#.utf8)
            let withStatus = try store.putStatus(
                kind: "DebugObject", name: name, status: status, expectedResourceVersion: stored.resourceVersion)
            acknowledge("status \(name) \(withStatus.resourceVersion)")
            let event = try store.recordEvent(
                regardingKind: "DebugObject", regardingName: name, type: .normal,
                reason: "Written", message: "step \(index) written")
            acknowledge("event \(name) \(event.count)")
        }
    }

    private func writeApprovals() throws {
        let store = try StatusStore(path: db, role: .client(actor: "debug-approver"))
        for index in 0..<count {
            let plan = "\(prefix)-plan-\(index)"
            let approval = try store.addApproval(ApprovalRecord(
                plan: plan, revision: "r1", decision: .approve, approver: "debug-approver",
                source: "cli", reason: "step \(index)", createdAt: Date()))
            acknowledge("approval \(plan) \(approval.id ?? -1)")
        }
    }

    /// One line per committed write, with write(2) so it leaves the process immediately.
    private func acknowledge(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
