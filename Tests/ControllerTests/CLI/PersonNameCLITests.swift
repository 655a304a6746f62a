import ArgumentParser
import Foundation
import TestSupport
import Testing
@testable import Operator
@testable import OperatorStore
@testable import Reconcilers

/// Issue 17 item 6 at the CLI and the store: `--as` takes a person's name in its normal form; a name with control
/// characters or a reserved one is a usage error, and no approval under such a name reaches the store by any path.
/// The cluster is a lab's (`requireSignatures: false`), where `--as` is what names the approver.
@Suite struct PersonNameCLITests {
    let directory: TemporaryDirectory
    let db: String
    let plan: RemediationPlan

    init() throws {
        directory = try TemporaryDirectory()
        db = directory.path("operator.db")
        let controller = try StatusStore(path: db, role: .controller(holder: "c1"))
        _ = try controller.acquireLease(ttl: .seconds(60))
        _ = try ResourceStore(store: controller).create(TiKVCluster(
            metadata: ObjectMeta(name: "prod"),
            spec: TiKVClusterSpec(pd: PDEndpoint(urls: ["http://127.0.0.1:1"]), approval: ApprovalPolicy(requireSignatures: false))))
        let spec = RemediationPlanSpec(cluster: "prod", origin: .reconciler, concern: "c", reason: "r",
                                       steps: [PlanStep(name: "s1", action: .store(.addEvictLeaderScheduler, 4), expectedEffect: "e",
                                                        timeout: .minutes(1))])
        plan = try ResourceStore(store: controller).create(RemediationPlan(metadata: ObjectMeta(name: "drain"), spec: spec))
        try controller.releaseLease()
    }

    func approve(as name: String, reason: String? = nil) throws -> String {
        var args = ["plan/drain", "--as", name, "--db", db]
        if let reason { args += ["--reason", reason] }
        return try DecisionOptions.parse(args).record(.approve)
    }

    @Test func approvalsAreRecordedUnderTheNormalForm() throws {
        #expect(try approve(as: " Alice ").hasSuffix("by alice)"))
        let client = try StatusStore(path: db, role: .client(actor: "test"))
        #expect(try client.approvals(plan: "drain").map(\.approver) == ["alice"])
        #expect(try client.audit().contains { $0.actor == "alice" })
    }

    @Test func reservedNamesAndControlCharactersAreUsageErrors() throws {
        for name in ["controller", "root", "AI", "alice\n", "al\u{1B}ice", ""] {
            #expect(throws: ValidationError.self, "\(name.debugDescription)") { try approve(as: name) }
        }
        #expect(throws: ValidationError.self) { try approve(as: "alice", reason: "ok\nfake audit line") }
        let client = try StatusStore(path: db, role: .client(actor: "test"))
        #expect(try client.approvals(plan: "drain").isEmpty)
        // The store refuses them too, whatever path writes (spec sync, dashboard, a script).
        #expect(throws: StoreError.self) {
            _ = try client.addApproval(ApprovalRecord(plan: "drain", revision: plan.spec.revision, decision: .approve, approver: "system",
                                                      source: "cli", createdAt: Date()))
        }
    }

    @Test func theKillSwitchStopsUnderAnyNameButOnlyAPersonTurnsItOff() throws {
        try KillSwitchCommand.parse(["on", "--as", "root", "--db", db]).run()
        let client = try StatusStore(path: db, role: .client(actor: "test"))
        #expect(try client.killSwitchIsOn())
        #expect(try client.audit(kind: "Setting").last?.actor == "unnamed:root", "never recorded as a person or as the controller")
        #expect(throws: ValidationError.self) { try KillSwitchCommand.parse(["off", "--as", "controller", "--db", db]).run() }
        #expect(try client.killSwitchIsOn())
        try KillSwitchCommand.parse(["off", "--as", "Bob", "--db", db]).run()
        #expect(try client.killSwitchIsOn() == false)
        #expect(try client.audit(kind: "Setting").last?.actor == "bob")
    }
}
