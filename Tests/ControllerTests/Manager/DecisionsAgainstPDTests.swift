import Foundation
import Reconcilers
import Synchronization
import Testing
import TiKVSimulator
@testable import Operator
@testable import TiKVController
@testable import OperatorStore

/// Issue 16's acceptance tests ("Decisions that never fight PD"): the real `TiKVClusterReconciler` against the PD-under-stress
/// scenarios over loopback HTTP, on the simulator's virtual clock, one pass at a time (bounded by passes and
/// simulated time, never by wall-clock waits).
@Suite(.serialized) struct DecisionsAgainstPDTests {
    /// A shipped scenario's cluster, smaller (a few hundred regions keep the passes fast), its events kept unless replaced.
    static func scenario(_ name: String, regions: Int, events: [Scenario.Event]? = nil) throws -> ClusterState {
        var s = try ScenarioCatalog.load(name)
        s.cluster.regions = regions
        if let events { s.events = events }
        return try s.makeCluster()
    }

    /// The controller's accepted PD calls, with the JSON body decoded.
    static func accepted(_ h: ControlLoopHarness) -> [(at: Int64, path: String, body: [String: Any], raw: String)] {
        h.sim.withState { $0.mutationLog }.filter(\.accepted).map { m in
            let body = (try? JSONSerialization.jsonObject(with: Data(m.body.utf8))) as? [String: Any] ?? [:]
            return (m.atNanos, m.path, body, "\(m.method) \(m.path)?\(m.query) \(m.body)")
        }
    }

    static func uint(_ v: Any?) -> UInt64? { (v as? NSNumber)?.uint64Value }

    // MARK: 1. slow-store-with-pd-eviction

    @Test func leaderBalanceNeverTargetsTheStorePDEvictsAsSlow() async throws {
        let h = try await ControlLoopHarness(state: try Self.scenario("slow-store-with-pd-eviction", regions: 300))
        // PD's balance-leader paused: the controller balances leaders through explicit moves (strategy auto),
        // while PD's evict-slow-store keeps running.
        try h.sim.withState { try $0.pauseScheduler(name: "balance-leader-scheduler", delaySeconds: 3 * 3600) }
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute", extra: """
          approval:
            low: {requiredApprovals: 0}
          balance:
            leaders: {enabled: true, maxSkewPercent: 10}
        """))
        try h.syncSpecs()
        let start = h.sim.nowNanos
        func evicted() -> Bool { h.sim.withState { $0.schedulers.evictSlowStore.evictedStores.contains(3) } }

        // Store 3 slows at 10 s; PD evicts it within 5 minutes. The controller watches all along.
        var evictedAt: Int64?
        for _ in 0..<60 where evictedAt == nil {
            h.advance(10)
            _ = try h.store.renewLease()
            try await h.pass()
            if evicted() { evictedAt = h.sim.nowNanos }
        }
        let since = try #require(evictedAt, "PD evicts the slow store")
        // The leader skew, while PD drains store 3: every leader that can go to store 1 is there.
        _ = try h.sim.withState { try $0.inject(Fault(kind: .leaderSkew, store: 1)) }

        var plansWhileEvicted = Set<String>()
        var releasedAt: Int64?
        var transferPlans = 0
        while h.sim.nowNanos - start < 2 * 3600 * ClusterState.second {
            // 15 s a pass while the skew is answered, then a pass a minute (lighter on a shared machine).
            h.advance(h.sim.nowNanos - since < 30 * 60 * ClusterState.second ? 15 : 60)
            _ = try h.store.renewLease()
            let held = evicted()
            if !held, releasedAt == nil { releasedAt = h.sim.nowNanos }
            try await h.pass()
            if held {
                for p in try h.plans() { plansWhileEvicted.insert(p.name) }
            }
        }
        let plans = try h.plans()
        transferPlans = plans.filter { $0.spec.steps.contains { $0.action.kind == .transferLeader } }.count
        #expect(transferPlans > 0, "the skew was answered with leader moves: \(plans.map(\.name))")

        // No plan made while PD held store 3 has a step aiming at it.
        for p in plans where plansWhileEvicted.contains(p.name) {
            let toThree = p.spec.steps.filter { $0.action.toStoreID == 3 }.map(\.name)
            #expect(toThree.isEmpty, "plan \(p.name) targets store 3 while PD evicts it: \(toThree)")
        }
        // The mutation log: no transfer-leader to store 3 while it was evicted (after PD released it, balancing
        // leaders back onto it is the controller's job, PD's balancer being paused).
        let mutations = Self.accepted(h)
        let transfers = mutations.filter { $0.path == "/pd/api/v1/operators" && ($0.body["name"] as? String) == "transfer-leader" }
        #expect(!transfers.isEmpty)
        let releaseTime = releasedAt ?? .max
        let toThree = transfers.filter { Self.uint($0.body["to_store_id"]) == 3 && $0.at >= since && $0.at < releaseTime }
        #expect(toThree.isEmpty, "sent to the evicted store: \(toThree.map(\.raw))")
        // No oscillation. While PD held store 3 the controller moved each region's leader at most once; after PD
        // released it (store 3 then legal again, PD's balancer paused) a region may move once more, onto store 3,
        // but never back to a store the controller had moved it off.
        var from: [String: UInt64] = [:]
        for p in plans {
            for s in p.spec.steps where s.action.kind == .transferLeader {
                if let r = s.action.regionID, let to = s.action.toStoreID, let f = s.action.fromStoreID { from["\(r)>\(to)"] = f }
            }
        }
        var perRegion: [UInt64: [(at: Int64, from: UInt64?, to: UInt64)]] = [:]
        for t in transfers {
            guard let r = Self.uint(t.body["region_id"]), let to = Self.uint(t.body["to_store_id"]) else { continue }
            perRegion[r, default: []].append((t.at, from["\(r)>\(to)"], to))
        }
        func text(_ r: UInt64) -> String {
            "region \(r): " + (perRegion[r] ?? []).map { "t+\(($0.at - start) / ClusterState.second)s \($0.from.map(String.init) ?? "?")→\($0.to)" }.joined(separator: ", ")
        }
        let twiceWhileHeld = perRegion.keys.filter { r in perRegion[r]!.filter { $0.at < releaseTime }.count > 1 }.sorted()
        #expect(twiceWhileHeld.isEmpty, "moved more than once while store 3 was held: \(twiceWhileHeld.prefix(10).map(text))")
        let back = perRegion.keys.filter { r in
            let moves = perRegion[r]!
            return moves.indices.contains { i in moves[(i + 1)...].contains { $0.to == moves[i].from } }
        }.sorted()
        #expect(back.isEmpty, "moved back: \(back.prefix(10).map(text))")
        #expect(perRegion.values.allSatisfy { $0.count <= 2 }, "\(perRegion.keys.filter { perRegion[$0]!.count > 2 }.prefix(10).map(text))")
        #expect(!perRegion.values.contains { $0.contains { $0.from == nil } }, "every sent move belongs to a plan step")
        // No refusal from PD either: the controller never asked for what PD would refuse.
        let refused = h.sim.withState { $0.mutationLog }.filter { !$0.accepted }
        #expect(refused.isEmpty, "refused: \(refused.prefix(10).map { "\($0.path) \($0.body) \($0.status)" })")
        await h.stop()
    }

    // MARK: 2. store-dies-during-balance

    @Test func aStoreThatDiesDuringBalanceIsNoLongerTargeted() async throws {
        // Store 4 joins empty; PD's balance-region paused, so the controller fills it with explicit moves. Killed at 120 s.
        let h = try await ControlLoopHarness(state: try Self.scenario("store-dies-during-balance", regions: 300))
        try h.sim.withState { try $0.pauseScheduler(name: "balance-region-scheduler", delaySeconds: 3 * 3600) }
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute", extra: """
          approval:
            low: {requiredApprovals: 0}
            medium: {requiredApprovals: 0}
        """))
        try h.syncSpecs()
        let start = h.sim.nowNanos
        let killAt = start + 120 * ClusterState.second
        let staleAt = killAt + 20 * ClusterState.second

        func stepsTo4(_ plans: [RemediationPlan], phases: Set<StepPhase>) -> [String] {
            plans.filter { !$0.status.phase.isTerminal }.flatMap { p in
                zip(p.spec.steps, p.status.steps).filter { $0.0.action.toStoreID == 4 && phases.contains($0.1.phase) }
                    .map { "\(p.name)/\($0.0.name) \($0.1.phase.rawValue)" }
            }
        }
        var inFlightAtKill: [String] = []
        var firstPassAfterStale: [String]?
        while h.sim.nowNanos - start < 6 * 60 * ClusterState.second {
            let before = h.sim.nowNanos
            h.advance(5)
            _ = try h.store.renewLease()
            if before < killAt, h.sim.nowNanos >= killAt {
                #expect(h.sim.withState { $0.store(4)?.processAlive } == false, "the scenario killed store 4")
                inFlightAtKill = stepsTo4(try h.plans(), phases: [.pending, .running])
            }
            try await h.pass()
            if firstPassAfterStale == nil, h.sim.nowNanos >= staleAt {
                firstPassAfterStale = stepsTo4(try h.plans(), phases: [.pending])
            }
        }
        #expect(!inFlightAtKill.isEmpty, "a balance plan aimed at store 4 when it died")
        #expect(firstPassAfterStale == [], "steps still waiting to target the dead store one pass after it is stale: \(firstPassAfterStale ?? [])")
        #expect(stepsTo4(try h.plans(), phases: [.pending]).isEmpty)

        // Nothing was sent towards store 4 once it was stale.
        let late = Self.accepted(h).filter { Self.uint($0.body["to_store_id"]) == 4 && $0.at >= staleAt }
        #expect(late.isEmpty, "sent to the dead store: \(late.map(\.raw))")
        let lateTries = h.sim.withState { $0.mutationLog }.filter { $0.atNanos >= staleAt && $0.body.contains(#""to_store_id":4"#) }
        #expect(lateTries.isEmpty, "tried against the dead store: \(lateTries.map { "\($0.body) \($0.status)" })")
        await h.stop()
    }

    // MARK: 3. pd-failover-during-drain and clock-skew

    /// Drains store 6's leaders (StoreMaintenance, approved) with `fault` injected once the evict-leader scheduler is in PD.
    func drain(with fault: Fault, injectAfterSend: Bool) async throws {
        let h = try await ControlLoopHarness(state: try Self.scenario("pd-failover-during-drain", regions: 300, events: []))
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute"))
        try h.writeSpec("maintenance.yaml", h.drainYAML(store: 6))
        try h.syncSpecs()
        let leaderBefore = h.sim.withState { $0.leaderName }
        if !injectAfterSend { _ = try h.sim.withState { try $0.inject(fault) } }

        // The planner reads store 6's regions first (a pass), then the plan waits for a person's approval.
        var plan: RemediationPlan?
        for _ in 0..<10 where plan == nil {
            h.advance(5)
            try await h.pass()
            plan = try h.plans().first { $0.name.contains("drain-store-6") && $0.status.conditions[type: "Blocked"]?.reason == "Approval" }
        }
        let drain = try #require(plan)
        try h.approve(drain)
        h.advance(1)
        try await h.pass()
        #expect(h.sim.withState { $0.schedulers.evictLeaderStores } == [6], "the evict-leader scheduler is in PD")
        let leadersAtFault = h.sim.withState { c in c.storeStats[c.stores.firstIndex { $0.id == 6 }!].leaderCount }
        #expect(leadersAtFault > 0, "the drain is still under way when the fault strikes")
        if injectAfterSend { _ = try h.sim.withState { try $0.inject(fault) } }

        var final = drain
        for _ in 0..<360 {
            h.advance(5)
            try await h.pass()
            final = try #require(try h.resources.get(RemediationPlanKind.self, drain.name))
            if final.status.phase.isTerminal { break }
        }
        let steps = final.status.steps.map { "\($0.name) \($0.phase.rawValue) attempts=\($0.attempts) \($0.lastError ?? "")" }
        #expect(final.status.phase == .succeeded, "\(final.status.phase): \(steps)")
        // No step failed or was retried while PD carried it out.
        #expect(final.status.steps.allSatisfy { $0.lastError == nil && $0.attempts <= 1 && $0.phase != .failed }, "\(steps)")
        #expect(h.sim.withState { c in c.storeStats[c.stores.firstIndex { $0.id == 6 }!].leaderCount } == 0)
        // No mutation accepted twice.
        let sent = Self.accepted(h).map(\.raw)
        #expect(Set(sent).count == sent.count, "sent twice: \(sent)")
        #expect(sent.count == 1, "one call: the evict-leader scheduler: \(sent)")
        if fault.kind == .pdLeaderChange {
            #expect(h.sim.withState { $0.leaderName } != leaderBefore, "the PD leader changed")
        }
        await h.stop()
    }

    @Test func aDrainFinishesAcrossAPDLeaderChange() async throws {
        var f = Fault(kind: .pdLeaderChange)
        f.seconds = 3
        try await drain(with: f, injectAfterSend: true)
    }

    @Test(arguments: [300.0, -300.0])
    func aDrainFinishesWithPDsClockSkewed(seconds: Double) async throws {
        var f = Fault(kind: .clockSkew)
        f.seconds = seconds
        try await drain(with: f, injectAfterSend: false)
    }

    // MARK: 4. placement rules that keep a store's peers followers

    /// PD's placement rules let store 3's peers only follow (a `follower` rule is the only one its `host` label fits);
    /// leaders piled on store 1 are balanced by explicit moves: no plan aims a leader at store 3, and PD never answers
    /// `target leader is not allowed`.
    @Test func leaderBalanceNeverTargetsAStoreThePlacementRulesKeepFollowing() async throws {
        let h = try await ControlLoopHarness(stores: 5, regions: 300)
        try h.sim.withState { c in
            try c.changeRules(set: [
                PlacementRuleSet.Rule(groupId: "pd", id: "default", role: .voter, count: 2,
                                      labelConstraints: [.init(key: "host", op: "notIn", values: ["tikv-2"])]),
                PlacementRuleSet.Rule(groupId: "pd", id: "any-follower", role: .follower, count: 1,
                                      labelConstraints: [.init(key: "host", op: "exists")]),
            ], delete: [])
            try c.pauseScheduler(name: "balance-leader-scheduler", delaySeconds: 3 * 3600)
        }
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute", extra: """
          approval:
            low: {requiredApprovals: 0}
          balance:
            leaders: {enabled: true, maxSkewPercent: 10}
        """))
        try h.syncSpecs()
        // PD's rule checker first moves store 3's leaders away; then every leader that can go to store 1 goes there.
        for _ in 0..<8 {
            h.advance(15)
            _ = try h.store.renewLease()
            try await h.pass()
        }
        _ = try h.sim.withState { try $0.inject(Fault(kind: .leaderSkew, store: 1)) }
        for _ in 0..<60 {
            h.advance(15)
            _ = try h.store.renewLease()
            try await h.pass()
        }
        // describe tikvcluster: store 3 is no leader target, and says which rule keeps it following.
        let standing = try #require(try h.cluster()?.status.targets?.first { $0.storeID == 3 })
        #expect(standing.leader?.hasPrefix("PlacementRule: no leader or voter placement rule admits its labels (pd/default") == true,
                "\(standing)")
        #expect(standing.peer == nil || standing.peer?.hasPrefix("StoreLimit") == true, "\(standing)")

        let plans = try h.plans()
        let leaderSteps = plans.flatMap { $0.spec.steps }.filter { $0.action.kind == .transferLeader }
        #expect(!leaderSteps.isEmpty, "the skew was answered with leader moves: \(plans.map(\.name))")
        #expect(leaderSteps.allSatisfy { $0.action.toStoreID != 3 }, "\(leaderSteps.filter { $0.action.toStoreID == 3 }.map(\.name))")
        let transfers = Self.accepted(h).filter { $0.path == "/pd/api/v1/operators" && ($0.body["name"] as? String) == "transfer-leader" }
        #expect(!transfers.isEmpty)
        #expect(transfers.allSatisfy { Self.uint($0.body["to_store_id"]) != 3 }, "\(transfers.map(\.raw))")
        // PD refused nothing: no `target leader is not allowed`, nor anything else.
        let refused = h.sim.withState { $0.mutationLog }.filter { !$0.accepted }
        #expect(refused.isEmpty, "refused: \(refused.prefix(10).map { "\($0.path) \($0.body) \($0.status)" })")
        await h.stop()
    }

    // MARK: 5. a maintenance on a store PD's evict-slow-store evicts

    /// Issue 16 item 3: a StoreMaintenance on a store PD already evicts as slow cooperates with PD. Its drain adds no
    /// evict-leader scheduler while PD evicts the store and completes by observation; once the disk recovers and PD
    /// releases the store, a new plan holds it with the maintenance's own scheduler, approved like any other; ending the
    /// maintenance removes that scheduler and nothing of PD's.
    @Test func aMaintenanceOnAStorePDEvictsCooperatesWithPD() async throws {
        let h = try await ControlLoopHarness(state: try Self.scenario("slow-store-with-pd-eviction", regions: 300, events: []))
        // PD releases a recovered store 2 minutes after its score is back at 1 (PD's default is 10): fewer passes.
        h.sim.withState { $0.updateEvictSlowStoreConfig(recoverySeconds: 120, batch: nil, enableNetworkSlowStore: nil) }
        try h.writeSpec("cluster.yaml", h.clusterYAML(mode: "execute"))
        try h.syncSpecs()
        let slow = try h.sim.withState { try $0.inject(Fault(kind: .slow, store: 2, factor: 10)) }
        func pdEvicts() -> Bool { h.sim.withState { $0.schedulers.evictSlowStore.evictedStores.contains(2) } }
        func leaders() -> Int { h.sim.withState { c in c.stores.firstIndex { $0.id == 2 }.map { c.storeStats[$0].leaderCount } ?? -1 } }
        func pass(_ seconds: Double) async throws {
            h.advance(seconds)
            _ = try h.store.renewLease()
            try await h.pass()
        }
        func awaitingApproval(_ p: RemediationPlan) -> Bool {
            p.spec.concern == "drain-store-2" && !p.status.phase.isTerminal && p.status.conditions[type: "Blocked"]?.reason == "Approval"
        }

        // The slow disk: PD's evict-slow-store evicts store 2 within minutes.
        for _ in 0..<60 where !pdEvicts() { try await pass(10) }
        #expect(pdEvicts(), "PD evicts the slow store")

        // The owners declare a maintenance of store 2; its plan leans on PD.
        try h.writeSpec("maintenance.yaml", h.drainYAML(store: 2))
        try h.syncSpecs()
        var plan: RemediationPlan?
        for _ in 0..<10 where plan == nil {
            try await pass(5)
            plan = try h.plans().first(where: awaitingApproval)
        }
        let leaning = try #require(plan)
        #expect(leaning.spec.steps.map(\.action.kind) == [.waitForLeadersDrained])
        let described = try DescribeCommand.describe(RemediationPlanKind.self, name: leaning.name, store: h.store, now: h.now)
        #expect(described.contains("PlanCreated") && described.contains("is already draining store 2's leaders"), "\(described)")
        try h.approve(leaning)
        var final = leaning
        for _ in 0..<120 {
            try await pass(10)
            final = try #require(try h.resources.get(RemediationPlanKind.self, leaning.name))
            if final.status.phase.isTerminal { break }
        }
        #expect(final.status.phase == .succeeded, "\(final.status.steps.map { "\($0.name) \($0.phase.rawValue) \($0.lastError ?? "")" })")
        #expect(leaders() == 0)
        #expect(pdEvicts(), "drained while PD evicts the store")
        let maintenance = try #require(try h.resources.get(StoreMaintenanceKind.self, "drain-store-2"))
        #expect(maintenance.status.conditions[type: "LeadersEvicted"]?.status == .true)
        #expect(maintenance.status.conditions[type: "EvictedByPD"]?.status == .true)

        // The disk recovers; PD releases the store after its recovery duration and its balancer gives leaders back:
        // the maintenance now holds the store itself, through a new plan a person approves.
        try h.sim.withState { try $0.revert(faultId: slow) }
        var releasedAt: Int64?
        var holding: RemediationPlan?
        for _ in 0..<200 where holding == nil {
            try await pass(10)
            if releasedAt == nil, !pdEvicts() { releasedAt = h.sim.nowNanos }
            holding = try h.plans().first(where: awaitingApproval)
        }
        let released = try #require(releasedAt, "PD released the recovered store")
        let hold = try #require(holding)
        #expect(hold.name != leaning.name)
        #expect(hold.spec.steps.map(\.action.kind) == [.addEvictLeaderScheduler, .waitForLeadersDrained])
        #expect(hold.spec.reason.contains("released store 2 before the maintenance ended"), "\(hold.spec.reason)")
        try h.approve(hold)
        for _ in 0..<120 {
            try await pass(10)
            final = try #require(try h.resources.get(RemediationPlanKind.self, hold.name))
            if final.status.phase.isTerminal { break }
        }
        #expect(final.status.phase == .succeeded, "\(final.status.steps.map { "\($0.name) \($0.phase.rawValue) \($0.lastError ?? "")" })")
        #expect(h.sim.withState { $0.schedulers.evictLeaderStores } == [2])
        #expect(leaders() == 0)

        // The maintenance ends: the controller removes the scheduler it added, and nothing else.
        try h.removeSpec("maintenance.yaml")
        try h.syncSpecs()
        var cleanup: RemediationPlan?
        for _ in 0..<10 where cleanup == nil {
            try await pass(5)
            cleanup = try h.plans().first { $0.spec.concern == "end-maintenance-store-2" && $0.status.conditions[type: "Blocked"]?.reason == "Approval" }
        }
        try h.approve(try #require(cleanup))
        for _ in 0..<30 where !h.sim.withState({ $0.schedulers.evictLeaderStores }).isEmpty { try await pass(5) }
        #expect(h.sim.withState { $0.schedulers.evictLeaderStores }.isEmpty)

        let log = h.sim.withState { $0.mutationLog }
        let posts = log.filter { $0.method == "POST" && $0.path == "/pd/api/v1/schedulers" && $0.body.contains("evict-leader-scheduler") }
        #expect(posts.count == 1, "\(posts.map(\.body))")
        #expect(posts.allSatisfy { $0.atNanos >= released }, "an evict-leader scheduler was added while PD evicted store 2")
        #expect(log.filter { $0.method == "DELETE" }.map(\.path) == ["/pd/api/v1/schedulers/evict-leader-scheduler-2"])
        #expect(!log.contains { $0.path.contains("evict-slow-store") }, "PD's evict-slow-store-scheduler is PD's: \(log.map(\.path))")
        #expect(log.allSatisfy { $0.accepted }, "\(log.filter { !$0.accepted }.map { "\($0.method) \($0.path) \($0.status)" })")
        await h.stop()
    }

    // MARK: 6. health never waits for planning

    /// What the simulator saw when the controller asked for a store's regions: the pass it came in, and the
    /// storeDown ticket of the killed store as the store held it at that moment.
    final class RegionRequestProbe: Sendable {
        struct Seen: Sendable { var pass: Int; var path: String; var ticket: TicketState? }
        private let state = Mutex((pass: 0, resources: ResourceStore?.none, seen: [Seen]()))
        let subject: String

        init(subject: String) { self.subject = subject }

        func attach(_ resources: ResourceStore) { state.withLock { $0.resources = resources } }
        func startPass(_ n: Int) { state.withLock { $0.pass = n } }
        var seen: [Seen] { state.withLock { $0.seen } }

        func request(_ path: String) {
            // The planners' region lists, not the dying store's own: those are the availability count, read with the
            // stores as part of the health observation (bounded to the stores that are not alive).
            guard path.hasPrefix("/pd/api/v1/regions/store/"), path != "/pd/api/v1/regions/store/\(subject.dropFirst("store/".count))" else { return }
            let (pass, resources) = state.withLock { ($0.pass, $0.resources) }
            let ticket = (try? resources?.list(TicketKind.self))?
                .first { $0.spec.invariant == "storeDown" && $0.spec.subject == subject }?.status.state
            state.withLock { $0.seen.append(Seen(pass: pass, path: path, ticket: ticket)) }
        }
    }

    /// A balance plan keeps asking for store 1's regions every pass while store 4 dies: the pass that first
    /// records store 4's storeDown ticket, and the pass that opens it, had written it before the simulator was
    /// even asked for a region list (the order, not a time limit).
    @Test func aDyingStoresTicketIsWrittenBeforeTheRegionDownload() async throws {
        let probe = RegionRequestProbe(subject: "store/4")
        let h = try await ControlLoopHarness(cluster: .generated(stores: 5, regions: 300, seed: 7),
                                             beforeRequest: { path in probe.request(path) })
        probe.attach(h.resources)
        // PD's balancers paused: the leader skew is balanced by explicit moves, which need store 1's regions.
        try h.sim.withState { try $0.pauseScheduler(name: "all", delaySeconds: 3 * 3600) }
        _ = try h.sim.withState { try $0.inject(Fault(kind: .leaderSkew, store: 1)) }
        try h.writeSpec("cluster.yaml", h.clusterYAML(extra: """
          balance:
            leaders: {enabled: true, maxSkewPercent: 10}
        """))
        try h.syncSpecs()
        var pass = 0
        func step(_ seconds: Double) async throws {
            h.advance(seconds)
            _ = try h.store.renewLease()
            pass += 1
            probe.startPass(pass)
            try await h.pass()
        }
        for _ in 0..<3 { try await step(5) }
        #expect(try h.plans().contains { $0.spec.concern == "balance-leaders" }, "the leader skew has a plan")
        #expect(probe.seen.contains { $0.path == "/pd/api/v1/regions/store/1" }, "the planner fetched store 1's regions")

        _ = try h.sim.withState { try $0.inject(Fault(kind: .kill, store: 4)) }
        func ticketState() throws -> TicketState? {
            try h.tickets().first { $0.spec.invariant == "storeDown" && $0.spec.subject == "store/4" }?.status.state
        }
        var recordedIn: Int?, openedIn: Int?
        for _ in 0..<20 where openedIn == nil {
            try await step(10)
            let state = try ticketState()
            if recordedIn == nil, state != nil { recordedIn = pass }
            if state == .open { openedIn = pass }
        }
        let recorded = try #require(recordedIn, "store 4's storeDown ticket was recorded")
        let opened = try #require(openedIn, "store 4's storeDown ticket opened")
        #expect(recorded < opened, "a grace period lies between")
        for (n, expected) in [(recorded, TicketState.pending), (opened, .open)] {
            let fetches = probe.seen.filter { $0.pass == n }
            #expect(!fetches.isEmpty, "pass \(n) downloaded regions")
            for f in fetches {
                #expect(f.ticket == expected, "pass \(n) asked for \(f.path) while the ticket was \(f.ticket.map(\.rawValue) ?? "absent")")
            }
        }
        await h.stop()
    }
}
