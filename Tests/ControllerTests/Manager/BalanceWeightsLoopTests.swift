import Foundation
import Reconcilers
import Testing
import TiKVSimulator
@testable import Operator

/// A leader skew with PD's balancers on (the simulator runs them by default, as every real PD does), the
/// controller in execute mode over real loopback HTTP: it balances through store weights only and PD converges.
@Suite(.serialized) struct BalanceWeightsLoopTests {
    @Test func skewWithPDBalancersOnIsBalancedThroughStoreWeightsOnly() async throws {
        // Enough leaders per store (300) that PD's tolerance (5 leaders) is well inside the 10 % skew limit.
        let h = try await ControlLoopHarness(stores: 5, regions: 1500, seed: 11)
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute", extra: """
          approval:
            low: {requiredApprovals: 0}
            medium: {requiredApprovals: 0}
          balance:
            storeWeights:
            - {storeID: 1, leader: 2}
        """))
        try h.syncSpecs()
        h.advance(30)
        try await h.pass()
        _ = try h.sim.withState { try $0.inject(Fault(kind: .leaderSkew, store: 3)) }

        // Watch PD converge, pass by pass, for at most 30 virtual minutes.
        var converged = false
        // 15 s a pass keeps the test light: PD's balancer, not the pass rate, sets the pace.
        for _ in 0..<120 {
            h.advance(15)
            try await h.pass()
            let weights = try h.plans().filter { $0.spec.concern == "balance-weights" }
            let counts = h.sim.withState { c in c.stores.indices.map { (c.stores[$0].id, c.storeStats[$0].leaderCount) } }
            let targets = BalanceTargets(counts.map { ($0.0, $0.1, $0.0 == 1 ? 2.0 : 1.0) })
            if !weights.isEmpty, weights.allSatisfy({ $0.status.phase.isTerminal }), !targets.exceeds(maxSkewPercent: 10) {
                converged = true
                break
            }
        }
        let seen = try h.plans().map { "\($0.name) \($0.status.phase.rawValue)" }
        #expect(converged, "plans: \(seen)")

        // The controller's PD calls: the one weight that differed, nothing else (no operator, no scheduler).
        let mutations = h.sim.withState { $0.mutationLog }
        #expect(mutations.map { "\($0.method) \($0.path) \($0.body) \($0.status)" } ==
            [#"POST /pd/api/v1/store/1/weight {"leader":2.0,"region":1.0} 200"#])
        #expect(h.sim.withState { $0.store(1)?.leaderWeight } == 2)

        // One weight plan, done by observation: the weight seen in PD, then PD's balance within the limit.
        let plans = try h.plans()
        #expect(plans.map(\.spec.concern) == ["balance-weights"], "no move plan fights PD's balancer")
        let plan = try #require(plans.first)
        #expect(plan.status.phase == .succeeded)
        #expect(plan.spec.reason.hasPrefix("PD's balance-leader-scheduler is running: balancing leaders through store weights"))
        #expect(plan.status.steps.map(\.name) == ["set-store-weight-1", "wait-for-leaders-balance"],
                "only the leader weight changes, so only the leader balance is this plan's to wait for")
        #expect(plan.status.steps[1].observedEffect?.hasPrefix("every store holds leaders within 10% of its weighted share") == true)

        // The weighted target (shares 500, 250, 250, 250, 250), not PD's default one (300 each): every store within
        // the 10 % limit of its weighted share, store 1 leading far more than any other.
        let leaders = h.sim.withState { c in c.stores.indices.map { (c.stores[$0].id, c.storeStats[$0].leaderCount) } }
        let final = BalanceTargets(leaders.map { ($0.0, $0.1, $0.0 == 1 ? 2.0 : 1.0) })
        #expect(final.stores.allSatisfy { BalanceTargets.skewPercent($0) <= 10 }, "\(leaders)")
        let first: Int = final.stores.first { $0.id == 1 }?.count ?? 0
        #expect(final.stores.filter { $0.id != 1 }.allSatisfy { Double(first) > 1.5 * Double($0.count) }, "\(leaders)")

        // Settled: further passes send nothing and plan nothing.
        for _ in 0..<5 {
            h.advance(5)
            try await h.pass()
        }
        #expect(h.sim.withState { $0.mutationLog.count } == 1)
        #expect(try h.plans().count == 1)

        // describe tikvcluster says how each resource is balanced and which PD scheduler state chose it.
        let described = try DescribeCommand.describe(TiKVClusterKind.self, name: h.clusterName, store: h.store, now: h.now)
        let balance = described.components(separatedBy: "Balance:\n").dropFirst().first ?? ""
        #expect(balance.contains("leaders    weights   balance-leader-scheduler running"), "\(described)")
        #expect(balance.contains("PD's balance-leader-scheduler is running: balancing leaders through store weights"), "\(described)")
        await h.stop()
    }
}
