// Balancing through PD's store weights vs explicit moves, with PD's own balancers running (hack/bench-balance.sh).
//
// An in-process simulator (virtual clock) with a leader skew injected and a spec that weighs one store's
// leaders double. The pure reconcile loop (planning, then execution with every tier auto-approved) runs every
// `--pass` virtual seconds on a snapshot built from PD's view of the simulator; its PD calls are applied to the
// simulator as PD's HTTP handlers would. Every virtual second each region's leader is read, so every leader
// move is counted whoever made it (PD's balancers or the controller), and compared with the lower bound
// Σ excess of the weighted target (`BalanceTargets.lowerBound`) at the start. Churn: regions whose leader
// moved more than once within 10 minutes.
import Foundation
import PDWire
import Reconcilers
import TiKVSimulator

struct Options {
    var stores = 6
    var regions = 3000
    var seed: UInt64 = 1
    var minutes = 60
    var pass = 5.0
    var out = "Benchmarks/results/balance.json"

    init() {
        var args = CommandLine.arguments.dropFirst()
        while let flag = args.popFirst() {
            let value = args.popFirst() ?? ""
            switch flag {
            case "--stores": stores = Int(value) ?? stores
            case "--regions": regions = Int(value) ?? regions
            case "--seed": seed = UInt64(value) ?? seed
            case "--minutes": minutes = Int(value) ?? minutes
            case "--pass": pass = Double(value) ?? pass
            case "--out": out = value
            default: FileHandle.standardError.write(Data("unknown flag \(flag)\n".utf8)); exit(2)
            }
        }
    }
}

/// PD's view of the simulator as the observer would build it: stores, every region, schedulers, operators.
func snapshot(_ c: ClusterState, cluster: String) -> ClusterSnapshot {
    let now = Date(timeIntervalSince1970: Double(c.nowNanos) / 1e9)
    var sources: [ObservationSource: SourceState] = [:]
    for s in ObservationSource.allCases { sources[s] = .complete }
    let stores = c.stores.indices.map { i -> StoreSnapshot in
        let s = c.stores[i]
        let name = c.stateName(s)
        return StoreSnapshot(id: s.id, address: s.address, state: s.state == .up ? .up : s.state == .offline ? .offline : .tombstone,
                             stateName: name, liveness: c.isDisconnected(s) ? .disconnected : .alive,
                             lastHeartbeat: Date(timeIntervalSince1970: Double(s.lastHeartbeatNanos) / 1e9),
                             capacityBytes: Int64(s.reportedCapacity), availableBytes: Int64(s.reportedAvailable),
                             usedBytes: Int64(s.reportedUsed), leaderCount: c.storeStats[i].leaderCount,
                             regionCount: c.storeStats[i].regionCount, leaderWeight: s.leaderWeight, regionWeight: s.regionWeight)
    }
    let regions = c.reported.filter(\.known).map { r in
        RegionPlacement(id: r.id, leaderStoreID: UInt64(r.leaderStoreId ?? 0),
                        voterStoreIDs: r.peers.filter { $0.role == .voter }.map { UInt64($0.storeId) }.sorted(),
                        learnerStoreIDs: r.peers.filter { $0.role == .learner }.map { UInt64($0.storeId) },
                        unhealthyStoreIDs: r.peers.filter { $0.pending || $0.downSeconds > 0 }.map { UInt64($0.storeId) },
                        approximateSizeMiB: Int64(r.approximateSizeMiB), inJointState: r.isInJointState)
    }
    let names = c.schedulers.entries.map(\.name).sorted()
    let paused = c.schedulers.entries.filter { c.schedulers.isPaused($0, now: c.nowNanos) }.map(\.name).sorted()
    let settings = PDSettings(maxReplicas: c.config.maxReplicas, leaderScheduleLimit: c.config.leaderScheduleLimit,
                              regionScheduleLimit: c.config.regionScheduleLimit)
    return ClusterSnapshot(cluster: cluster, observedAt: now, sources: sources, stores: stores, regionCount: regions.count,
                           schedulers: SchedulerSnapshot(names: names, paused: paused, evictLeaderStores: c.schedulers.evictLeaderStores),
                           operators: c.operators.values.map { OperatorSnapshot(regionID: $0.regionId, description: $0.desc) },
                           settings: settings, regions: regions, regionScope: .all)
}

/// PD's latest operator on a region, as `GET /operators/{region}` shows it (running, or the record of the last).
func operatorObservation(_ op: SimOperator) -> RegionOperatorObservation {
    let status: String
    switch op.status {
    case .running: status = "RUNNING"
    case .success: status = "SUCCESS"
    case .cancel: status = "CANCEL"
    case .timeout: status = "TIMEOUT"
    case .replaced: status = "REPLACE"
    }
    let steps: [OperatorStep] = op.steps.compactMap {
        if case .transferLeader(let from, let to) = $0 { return .transferLeader(fromStore: UInt64(from), toStore: UInt64(to)) }
        return nil
    }
    return RegionOperatorObservation(createdAt: Date(timeIntervalSince1970: Double(op.createdAtNanos) / 1e9), ended: op.status != .running,
                                     status: status, description: op.desc, isAdmin: op.kind.contains(.admin), steps: steps)
}

struct Scenario {
    var name: String
    var strategy: BalanceStrategy
    var pauseBalanceLeader = false
}

struct Outcome: Codable {
    var scenario: String
    var strategy: String
    var pdBalanceLeader: String
    var lowerBound: Int
    var leaderMoves: Int
    var movesOverLowerBound: Double
    var controllerTransferLeaders: Int
    var controllerWeightCalls: Int
    var pdBalanceLeaderOperators: Int
    var churnRegions: Int
    var converged: Bool
    var convergedAfterSeconds: Double?
    var finalMaxSkewPercent: Double
    var finalLeaders: [String: Int]
    var weightedShares: [String: Double]
    var plans: [String]
}

func run(_ scenario: Scenario, options: Options) throws -> Outcome {
    let sim = SimulatedCluster.generated(stores: options.stores, regions: options.regions, seed: options.seed)
    let name = "bench"
    var spec = TiKVClusterSpec(pd: PDEndpoint(urls: ["http://127.0.0.1:2379"]))
    spec.mode = .execute
    spec.approval = ApprovalPolicy(low: TierPolicy(requiredApprovals: 0), medium: TierPolicy(requiredApprovals: 0),
                                   high: TierPolicy(requiredApprovals: 0))
    spec.limits.maxActionsPerHour = 1_000_000
    spec.balance.strategy = scenario.strategy
    // Store 1 is to lead twice its even share; the skew piles leaders on store 3.
    spec.balance.storeWeights = [StoreWeight(storeID: 1, leader: 2, region: 1)]
    let cluster = TiKVCluster(metadata: ObjectMeta(name: name, generation: 1), spec: spec)

    sim.advance(seconds: 30)  // every store heartbeats, PD's view fills
    if scenario.pauseBalanceLeader {
        try sim.withState { try $0.pauseScheduler(name: "balance-leader-scheduler", delaySeconds: 86_400) }
    }
    _ = try sim.withState { try $0.inject(Fault(kind: .leaderSkew, store: 3)) }
    sim.advance(seconds: 1)

    let weightOf = Dictionary(spec.balance.storeWeights.map { ($0.storeID, $0.leader) }, uniquingKeysWith: { a, _ in a })
    func targets(_ snap: ClusterSnapshot) -> BalanceTargets {
        BalanceTargets(snap.stores.filter { $0.regionCount > 0 }.map { ($0.id, $0.leaderCount, weightOf[$0.id] ?? 1) })
    }
    let start = targets(snapshot(sim.withState { $0 }, cluster: name))
    let lowerBound = start.lowerBound

    var leaderOf: [UInt64: UInt64] = [:]
    var moveTimes: [UInt64: [Int64]] = [:]
    var moves = 0
    func sample() {
        sim.withState { c in
            for r in c.truth {
                let leader = UInt64(r.leaderStoreId ?? 0)
                if let before = leaderOf[r.id], before != leader, leader != 0 {
                    moves += 1
                    moveTimes[r.id, default: []].append(c.nowNanos)
                }
                if leader != 0 { leaderOf[r.id] = leader }
            }
        }
    }
    sample()

    var plans: [RemediationPlan] = []
    var ourTransfers = 0, ourWeights = 0
    var convergedAt: Double?
    let limit = spec.balance.leaders.maxSkewPercent
    let seconds = options.minutes * 60
    let passEvery = max(1, Int(options.pass))
    for second in 0..<seconds {
        if second % passEvery == 0 {
            let state = sim.withState { $0 }
            let snap = snapshot(state, cluster: name)
            let now = snap.observedAt
            if convergedAt == nil, !targets(snap).exceeds(maxSkewPercent: limit) { convergedAt = Double(second) }
            let planned = PlanningReconciler.reconcile(PlanningInput(cluster: cluster, snapshot: snap, plans: plans, now: now))
            var observed: [UInt64: RegionPlacement] = [:]
            var operators: [UInt64: RegionOperatorObservation] = [:]
            let byID = Dictionary(snap.regions?.map { ($0.id, $0) } ?? [], uniquingKeysWith: { a, _ in a })
            for id in PlanExecution.regionsToObserve(planned.plans, limits: spec.limits) {
                observed[id] = byID[id]
                if let op = state.operators[id] ?? state.records[id] { operators[id] = operatorObservation(op) }
            }
            let executed = PlanExecution.advance(ExecutionInput(cluster: cluster, snapshot: snap, plans: planned.plans, votes: [], killSwitch: false,
                                                                regions: observed, regionOperators: operators, now: now))
            plans = executed.plans
            for call in executed.calls {
                let a = call.action
                // What PD's handlers do with each request; a refusal is recorded as the controller would.
                var refused: String?
                do {
                    switch a.kind {
                    case .transferLeader:
                        try sim.withState { try $0.createAdminOperator(.transferLeader(region: a.regionID ?? 0, toStore: a.toStoreID ?? 0)) }
                        ourTransfers += 1
                    case .transferPeer:
                        try sim.withState { try $0.createAdminOperator(.transferPeer(region: a.regionID ?? 0, fromStore: a.fromStoreID ?? 0,
                                                                                      toStore: a.toStoreID ?? 0)) }
                    case .setStoreWeight:
                        try sim.withState { try $0.setWeight(a.storeID ?? 0, leader: a.leaderWeight ?? 1, region: a.regionWeight ?? 1) }
                        ourWeights += 1
                    default:
                        refused = "not simulated by the benchmark: \(a.kind.rawValue)"
                    }
                } catch {
                    refused = "\(error)"
                }
                if let i = plans.firstIndex(where: { $0.name == call.plan }), call.step >= 0 {
                    plans[i] = PlanExecution.recordOutcome(plans[i], step: call.step, refused: refused, unknownOutcome: nil,
                                                           policy: spec.execution, now: now).0
                }
            }
        }
        sim.advance(seconds: 1)
        sample()
        // Converged, nothing left to run, and watched for a whole churn window since: the rest would be idle.
        if let at = convergedAt, Double(second) - at >= 600, plans.allSatisfy({ $0.status.phase.isTerminal }) { break }
    }

    let end = snapshot(sim.withState { $0 }, cluster: name)
    let final = targets(end)
    let window: Int64 = 600 * 1_000_000_000
    let churn = moveTimes.values.filter { times in
        zip(times, times.dropFirst()).contains { $1 - $0 <= window }
    }.count
    let counts = sim.withState { $0.endedOperatorCounts }
    return Outcome(
        scenario: scenario.name, strategy: scenario.strategy.rawValue,
        pdBalanceLeader: scenario.pauseBalanceLeader ? "paused" : "running",
        lowerBound: lowerBound, leaderMoves: moves,
        movesOverLowerBound: lowerBound == 0 ? 0 : (Double(moves) / Double(lowerBound) * 1000).rounded() / 1000,
        controllerTransferLeaders: ourTransfers, controllerWeightCalls: ourWeights,
        pdBalanceLeaderOperators: counts["balance-leader-scheduler SUCCESS"] ?? 0,
        churnRegions: churn, converged: !final.exceeds(maxSkewPercent: limit), convergedAfterSeconds: convergedAt,
        finalMaxSkewPercent: final.mostSkewed.map { (BalanceTargets.skewPercent($0) * 10).rounded() / 10 } ?? 0,
        finalLeaders: Dictionary(uniqueKeysWithValues: final.stores.map { ("\($0.id)", $0.count) }),
        weightedShares: Dictionary(uniqueKeysWithValues: final.stores.map { ("\($0.id)", ($0.share * 10).rounded() / 10) }),
        plans: plans.map { p in
            "\(p.name) \(p.status.phase.rawValue) (\(p.spec.steps.count) steps)" + (p.status.conditions[type: "Failed"].map { ": \($0.message)" } ?? "")
        })
}

let options = Options()
let scenarios = [
    Scenario(name: "auto (PD's balancers running: store weights)", strategy: .auto),
    Scenario(name: "moves (PD's balancers running: the two fight)", strategy: .moves),
    Scenario(name: "auto (PD's balance-leader paused: moves alone)", strategy: .auto, pauseBalanceLeader: true),
]
var outcomes: [Outcome] = []
for s in scenarios {
    let o = try run(s, options: options)
    outcomes.append(o)
    print("\(o.scenario): \(o.leaderMoves) leader moves for a lower bound of \(o.lowerBound) (×\(o.movesOverLowerBound)), "
        + "ours \(o.controllerTransferLeaders) transfers + \(o.controllerWeightCalls) weight calls, PD's balance-leader \(o.pdBalanceLeaderOperators), "
        + "churn \(o.churnRegions) regions, converged \(o.converged) after \(o.convergedAfterSeconds.map { "\(Int($0))s" } ?? "-"), "
        + "max skew \(o.finalMaxSkewPercent)%")
}

struct Report: Codable {
    var stores: Int
    var regions: Int
    var seed: UInt64
    var virtualMinutes: Int
    var passSeconds: Double
    var goal: String
    var outcomes: [Outcome]
}
let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
let report = Report(stores: options.stores, regions: options.regions, seed: options.seed, virtualMinutes: options.minutes, passSeconds: options.pass,
                    goal: "auto: leader moves ≤ 1.2 × lower bound, churn 0, converged to the weighted target", outcomes: outcomes)
try encoder.encode(report).write(to: URL(fileURLWithPath: options.out))
print("wrote \(options.out)")
