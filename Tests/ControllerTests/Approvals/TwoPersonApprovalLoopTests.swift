import Foundation
import Testing
import TestSupport
@testable import ControllerRuntime
@testable import OperatorStore
@testable import Reconcilers
@testable import SignedApprovals
@testable import Operator

/// Issue 17 end to end, over real loopback HTTP against the simulator: a plan that needs two people runs only after
/// two signed approvals from two keys. One key claiming a second name is refused and changes nothing; the second
/// person approves through GitOps (a signed `Approval` in the spec directory), and only then does PD see a request.
@Suite(.serialized) struct TwoPersonApprovalLoopTests {
    @Test func aPlanNeedingTwoPeopleRunsOnlyAfterTwoKeysSigned() async throws {
        let h = try await ControlLoopHarness(start: Date())
        try await withServer(h) { h in
            try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute", extra: """
                  approval:
                    medium: {requiredApprovals: 2}
                    high: {requiredApprovals: 2}
                """))
            try h.writeSpec("maintenance.yaml", h.drainYAML())
            h.startClock(speed: 20)
            let manager = h.manager
            let run = Task { try await manager.run(until: { Task.isCancelled }) }
            defer { run.cancel() }
            func plan() -> RemediationPlan? { (try? h.plans())?.first { $0.name.contains("drain-store-4") } }
            func approved() -> Condition? { plan()?.status.conditions[type: .approved] }

            #expect(await eventually { approved()?.reason == "AwaitingApproval" }, "no plan waiting for approval: \(String(describing: plan()))")
            let pending = try #require(plan())
            #expect(pending.spec.risk != .low)

            // alice approves with her key; her key claiming to be bob is refused.
            try h.approve(pending, as: "alice")
            let client = try StatusStore(path: h.directory.path("operator.db"), role: .client(actor: "alice"))
            _ = try client.addApproval(try h.signers.record(pending, as: "bob", key: "alice", source: "cli:forged", now: h.now))
            #expect(await eventually {
                (try? client.approvals(plan: pending.name))?.contains { $0.source == "cli:forged" && $0.refusal != nil } ?? false
            })
            let forged = try #require(try client.approvals(plan: pending.name).first { $0.source == "cli:forged" })
            #expect(forged.refusal?.contains("is not allowed to sign as \"bob\"") == true, "\(forged.refusal ?? "")")
            #expect(await eventually { approved()?.message.contains("1 more needed (approved so far by alice)") == true },
                    "\(approved()?.message ?? "")")
            #expect(plan()?.status.steps.allSatisfy { $0.phase == .pending } == true, "nothing runs on one person's approval")
            #expect(try client.audit().contains { $0.action == "approval.refused" && $0.message.contains("is not allowed to sign as \"bob\"") })

            // bob approves through the spec directory, signed with his key.
            let bob = try #require(try h.signers.record(pending, as: "bob", now: h.now).signature)
            let spec = ApprovalSpec(signed: try ApprovalPayload(parsing: bob.payload), signature: bob.armored)
            try h.writeSpec("approval-bob.yaml", try Render.yaml(ApprovalDocument(name: "bob-approves-drain", spec: spec)))
            #expect(await eventually(timeout: .seconds(120)) { plan()?.status.phase == .succeeded },
                    "\(plan()?.status.conditions.map { "\($0.type)=\($0.reason): \($0.message)" } ?? [])")
            let people = try #require(approved()).message
            #expect(people.contains("alice (SHA256:") && people.contains("bob (SHA256:"), "\(people)")
        }
    }
}
