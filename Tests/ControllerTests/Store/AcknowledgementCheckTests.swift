import Foundation
import TestSupport
import Testing
@testable import OperatorStore

/// The crash tests are only as good as the check that finds lost writes: prove it finds them.
@Suite("Acknowledged-write check")
struct AcknowledgementCheckTests {
    @Test func reportsAcknowledgementsTheStoreDoesNotHold() throws {
        let directory = try TemporaryDirectory()
        let store = try StatusStore(path: directory.path("store.db"), role: .controller(holder: "c1"))
        try store.acquireLease(ttl: .seconds(60))
        let object = try store.putSpec(kind: "DebugObject", name: "a", spec: json("{}"), expectedResourceVersion: nil)
        let approval = try store.addApproval(ApprovalRecord(
            plan: "p", revision: "r", decision: .approve, approver: "x", source: "cli", createdAt: Date()))
        let approvalID = try #require(approval.id)

        let held = ["spec a \(object.resourceVersion)", "approval p \(approvalID)", "done"]
        #expect(try missingAcknowledgedWrites(held, in: store) == [])

        let lost = [
            "spec b 1",  // never written
            "spec a \(object.resourceVersion + 5)",  // a later write that is not there
            "status a \(object.resourceVersion)",  // no status at all
            "event a 1",
            "approval p \(approvalID + 1)",
            "garbage",
        ]
        #expect(try missingAcknowledgedWrites(lost, in: store).count == lost.count)
    }
}
