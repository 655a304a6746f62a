import Foundation
import Testing
@testable import Operator
@testable import Reconcilers

/// CLI output in every format, compared with golden files under Tests/ControllerTests/Golden.
/// Set OPERATOR_UPDATE_GOLDEN=1 to rewrite them after an intended change.
@Suite struct OutputGoldenTests {
    let now = Date(timeIntervalSince1970: 1_764_064_800)  // 2025-11-25T10:00:00Z
    var created: Date { now.addingTimeInterval(-3_725) }

    func golden(_ name: String, _ actual: String) throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Golden")
        let file = dir.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["OPERATOR_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(actual == expected, "golden \(name) differs")
    }

    var plan: RemediationPlan {
        let steps = [
            PlanStep(name: "evict-leaders", action: .store(.addEvictLeaderScheduler, 4), preconditions: ["Up stores - 1 >= max-replicas"],
                     expectedEffect: "store 4 reports pause_leader_transfer_in", timeout: .minutes(1)),
            PlanStep(name: "wait-leaders-drained", action: .store(.waitForLeadersDrained, 4), expectedEffect: "store 4 holds 0 leaders", timeout: .minutes(10)),
        ]
        var p = RemediationPlan(metadata: ObjectMeta(name: "maintenance-drain-store-4", generation: 1, resourceVersion: "7", creationTimestamp: created),
                                spec: RemediationPlanSpec(cluster: "basic", origin: .reconciler, concern: "maintenance/drain-store-4",
                                                          reason: "StoreMaintenance drain-store-4", steps: steps))
        p.status.steps = steps.map { StepStatus(name: $0.name) }
        p.status.conditions.set("Approved", .false, reason: "AwaitingApproval", message: "medium risk: needs 1 approval, has 0",
                                observedGeneration: 1, now: created)
        return p
    }

    var cluster: TiKVCluster {
        var c = TiKVCluster(metadata: ObjectMeta(name: "basic", generation: 2, resourceVersion: "3", labels: ["team": "storage"], creationTimestamp: created),
                            spec: TiKVClusterSpec(pd: PDEndpoint(urls: ["http://basic-pd.tidb.svc:2379"]), mode: .dryRun))
        c.status.conditions.set("Valid", .true, reason: "SpecAccepted", message: "the latest spec is in force", observedGeneration: 2, now: created)
        return c
    }

    @Test func tables() throws {
        try golden("get-plans.txt", ResourceTables.plans([plan], approvals: ["maintenance-drain-store-4": 0], wide: false, now: now) + "\n")
        try golden("get-plans-wide.txt", ResourceTables.plans([plan], approvals: [:], wide: true, now: now) + "\n")
        try golden("get-tikvclusters.txt", ResourceTables.tikvClusters([cluster], wide: false, now: now) + "\n")
    }

    @Test func jsonAndYAML() throws {
        try golden("plan.json", try Render.json(plan) + "\n")
        try golden("plan.yaml", try Render.yaml(plan))
        try golden("tikvcluster.yaml", try Render.yaml(cluster))
        // YAML output reads back as the same object.
        let back = try JSONDecoder().decode(SortedJSON.self, from: CanonicalJSON.encode(plan))
        #expect(try JSONDecoder().decode(SortedJSON.self, from: Data(try Render.json(plan).utf8)) == back)
    }

    /// `-o yaml` keeps non-ASCII text as it is, as `-o json` does.
    @Test func yamlKeepsUnicodeText() throws {
        let yaml = try Render.yaml(["reason": "every store within ⌊share⌋…⌈share⌉ — store 4 (basic-tikv-1)"])
        #expect(yaml == "reason: every store within ⌊share⌋…⌈share⌉ — store 4 (basic-tikv-1)\n")
    }

    @Test(arguments: [(0, "0s"), (45, "45s"), (125, "2m5s"), (600, "10m"), (3_725, "62m"), (30_000, "8h"), (90_000, "25h"), (200_000, "2d7h"), (864_000, "10d")])
    func ages(seconds: Int, text: String) {
        #expect(humanAge(from: now.addingTimeInterval(TimeInterval(-seconds)), now: now) == text)
    }
}
