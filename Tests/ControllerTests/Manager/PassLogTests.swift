import Foundation
import Logging
import Reconcilers
import Testing
@testable import OperatorStore
@testable import TiKVController

/// What the controller's log says during a plan's life against the simulator: names as fields behind constant
/// phrases, "nothing to do" at debug only and never while a plan executes, and what people did at notice, once.
@Suite struct PassLogTests {
    @Test func aPlanRunNamesItsPlanStepAndStoreAsFieldsAndPeopleAtNotice() async throws {
        let h = try await ControlLoopHarness()
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute"))
        try h.writeSpec("maintenance.yaml", h.drainYAML())
        try h.syncSpecs()
        let lines = CapturedLogLines()
        let log = lines.logger(cluster: h.clusterName)
        _ = try await h.reconciler.reconcileCluster(h.clusterName, logger: log)
        let plan = try #require(try h.plans().first { $0.name.contains("drain-store-4") })
        let created = try #require(lines.entries("Plan created").first { $0["plan"] == plan.name })
        #expect(created["level"] == "info" && created["cluster"] == h.clusterName && created["revision"] == plan.spec.revision)

        try h.approve(plan)
        for _ in 0..<3 {
            h.advance(1)
            _ = try await h.reconciler.reconcileCluster(h.clusterName, logger: log)
        }
        let approvals = lines.entries("Approval counted")
        #expect(approvals.count == 1, "a vote is logged when first counted, not on every pass: \(approvals)")
        #expect(approvals.first?["level"] == "notice")
        #expect(approvals.first?["plan"] == plan.name && approvals.first?["revision"] == plan.spec.revision)
        #expect(approvals.first?["principal"] == "alice" && approvals.first?["decision"] == "approve")
        let sent = try #require(lines.entries("PD call").first)
        #expect(sent["plan"] == plan.name && sent["step"] == "evict-leaders" && sent["store"] == "4", "\(sent)")
        #expect(try h.resources.get(RemediationPlanKind.self, plan.name)?.status.phase == .executing)
        let executing = try #require(lines.entries("Plan executing").last, "a pass that only waits on a running plan says so at info")
        #expect(executing["level"] == "info" && executing["plan"] == plan.name)
        #expect(executing["step"] == "wait-leaders-drained" && executing["stepPhase"] == "Running", "the step it waits on: \(executing)")
        #expect(lines.entries.allSatisfy { $0["msg"]?.hasPrefix("Nothing to do") != true }, "never while a plan runs")

        let client = try StatusStore(path: h.directory.path("operator.db"), role: .client(actor: "bob"))
        try client.setKillSwitch(on: true, actor: "bob")
        for _ in 0..<2 {
            h.advance(5)
            _ = try await h.reconciler.reconcileCluster(h.clusterName, logger: log)
        }
        try client.setKillSwitch(on: false, actor: "bob")
        h.advance(5)
        _ = try await h.reconciler.reconcileCluster(h.clusterName, logger: log)
        let on = lines.entries.filter { $0["msg"]?.hasPrefix("Kill switch on") == true }
        #expect(on.count == 1 && on.first?["level"] == "notice", "logged once, as the controller sees it change: \(on)")
        #expect(lines.entries("Kill switch off").map { $0["level"] } == ["notice"])
        #expect(lines.entries("Plan cancelled by the kill switch").first?["plan"] == plan.name)

        // Idle again (the plan ended, its clean-up sent, the tickets settled): "nothing to do" only at debug.
        for _ in 0..<3 {
            h.advance(5)
            _ = try await h.reconciler.reconcileCluster(h.clusterName, logger: log)
        }
        let idle = lines.entries.last { $0["msg"]?.hasPrefix("Nothing to do") == true }
        #expect(idle?["level"] == "debug" && idle?["activePlans"] != nil)

        // The names are fields, never inside the phrase.
        for entry in lines.entries {
            let message = entry["msg"] ?? ""
            #expect(!message.contains(plan.name) && !message.contains("store 4") && !message.contains("evict-leaders"), "\(message)")
        }
        await h.stop()
    }

    @Test func aRejectionIsLoggedAtNoticeWithItsPrincipal() async throws {
        let h = try await ControlLoopHarness()
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute"))
        try h.writeSpec("maintenance.yaml", h.drainYAML())
        try h.syncSpecs()
        let lines = CapturedLogLines()
        let log = lines.logger(level: .info, cluster: h.clusterName)
        _ = try await h.reconciler.reconcileCluster(h.clusterName, logger: log)
        let plan = try #require(try h.plans().first { $0.name.contains("drain-store-4") })
        let client = try StatusStore(path: h.directory.path("operator.db"), role: .client(actor: "bob"))
        _ = try client.addApproval(try h.signers.record(plan, as: "bob", decision: .reject, now: h.now))
        h.advance(1)
        _ = try await h.reconciler.reconcileCluster(h.clusterName, logger: log)
        let rejection = try #require(lines.entries("Rejection counted").first)
        #expect(rejection["level"] == "notice" && rejection["plan"] == plan.name && rejection["principal"] == "bob")
        #expect(rejection["decision"] == "reject" && rejection["revision"] == plan.spec.revision)
        #expect(lines.entries("Plan rejected").first?["plan"] == plan.name)
        #expect(lines.entries.allSatisfy { $0["level"] != "debug" }, "an info logger writes no debug line")
        await h.stop()
    }
}
