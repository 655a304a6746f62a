// Measures the planners on a generated cluster (hack/bench-plan.sh): a full leader rebalance of
// 1M regions over 100 stores (the max-flow core), a full pure planning pass on the same cluster
// (every planner, steps, revision hashes, plan identity), and the writes an idle pass would make.
import Foundation
import PDWire
import Reconcilers

struct Options {
    var regions = 1_000_000
    var stores = 100
    var runs = 3
    var out = "Benchmarks/results/plan.json"

    init(_ args: [String]) {
        var i = 1
        while i < args.count {
            let value = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--regions": regions = Int(value) ?? regions
            case "--stores": stores = Int(value) ?? stores
            case "--runs": runs = Int(value) ?? runs
            case "--out": out = value.isEmpty ? out : value
            default:
                // Anything else (--help included) stops here rather than overwrite the recorded result.
                let help = args[i] == "--help" || args[i] == "-h"
                let usage = "usage: PlanBench [--regions N] [--stores N] [--runs N] [--out FILE]\n"
                FileHandle.standardError.write(Data(((help ? "" : "unknown argument \(args[i])\n") + usage).utf8))
                exit(help ? 0 : 2)
            }
            i += 2
        }
    }
}

/// SplitMix64, so every run plans the same cluster.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Wall-clock and CPU time of one run. On a shared machine the CPU time is the fairer figure: it
/// excludes the time other processes held the cores.
struct Timing { var wall: Double; var cpu: Double }

func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func measure(_ body: () -> Void) -> Timing {
    let start = DispatchTime.now().uptimeNanoseconds
    let cpu = cpuNow()
    body()
    return Timing(wall: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpu: cpuNow() - cpu)
}

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

func summary(_ times: [Timing]) -> [String: Any] {
    ["seconds_best": times.map(\.wall).min() ?? 0, "seconds_median": median(times.map(\.wall)),
     "cpu_seconds_best": times.map(\.cpu).min() ?? 0, "cpu_seconds_median": median(times.map(\.cpu))]
}

let options = Options(CommandLine.arguments)
var rng = SplitMix(state: 42)
let storeIDs = (1...UInt64(options.stores)).map { $0 }

// Regions on 3 random stores; the leader is the lowest-id voter half of the time, so low-id stores
// lead far more than their share: a full rebalance moves a large part of the leaders.
var regions: [RegionPlacement] = []
regions.reserveCapacity(options.regions)
var leaders = [Int](repeating: 0, count: options.stores + 1)
var peers = [Int](repeating: 0, count: options.stores + 1)
for i in 0..<options.regions {
    var voters: [UInt64] = []
    while voters.count < 3 {
        let s = storeIDs[Int(rng.next() % UInt64(options.stores))]
        if !voters.contains(s) { voters.append(s) }
    }
    voters.sort()
    let leader = rng.next() % 2 == 0 ? voters[0] : voters[Int(rng.next() % 3)]
    leaders[Int(leader)] += 1
    for v in voters { peers[Int(v)] += 1 }
    regions.append(RegionPlacement(id: UInt64(i + 1), leaderStoreID: leader, voterStoreIDs: voters, approximateSizeMiB: 96))
}
let stores = storeIDs.map {
    StoreSnapshot(id: $0, address: "tikv-\($0):20160", capacityBytes: 1 << 42, availableBytes: 1 << 41, usedBytes: 1 << 41,
                  leaderCount: leaders[Int($0)], regionCount: peers[Int($0)])
}

let targets = BalanceTargets(stores.map { ($0.id, $0.leaderCount, 1.0) })
let quotas = targets.quotas

// 1. The leader rebalance itself: grouping, max flow, decomposition.
var moveCount = 0
var moveTimes: [Timing] = []
for _ in 0..<options.runs {
    moveTimes.append(measure {
        moveCount = BalancePlanner.moves(.leaders, quotas: quotas, regions: regions, alive: Set(storeIDs), regionsWithOperator: []).count
    })
}

// 2. A full pure planning pass with the regions of every store, then 3. an idle pass on its output.
var sources: [ObservationSource: SourceState] = [:]
for s in ObservationSource.allCases { sources[s] = .complete }
let now = Date(timeIntervalSince1970: 1_800_000_000)
let snapshot = ClusterSnapshot(cluster: "bench", observedAt: now, sources: sources, stores: stores, regionCount: regions.count,
                               regions: regions, regionScope: .all)
let cluster = TiKVCluster(metadata: ObjectMeta(name: "bench"), spec: TiKVClusterSpec(pd: PDEndpoint(urls: ["http://127.0.0.1:2379"])))
let input = PlanningInput(cluster: cluster, snapshot: snapshot, now: now)
var result = PlanningReconciler.reconcile(input)
var passTimes: [Timing] = []
for _ in 0..<options.runs {
    passTimes.append(measure { result = PlanningReconciler.reconcile(input) })
}
var idleInput = input
idleInput.plans = result.plans
var idle = result
var idleTimes: [Timing] = []
for _ in 0..<options.runs {
    idleTimes.append(measure { idle = PlanningReconciler.reconcile(idleInput) })
}
let idleWrites = zip(idle.plans, result.plans).filter { $0 != $1 }.count + abs(idle.plans.count - result.plans.count)
    + idle.maintenances.count

// The revision alone: canonical JSON of every step, hashed; the largest part of a pass with a huge plan.
var revisionTimes: [Timing] = []
for _ in 0..<options.runs {
    revisionTimes.append(measure { _ = RemediationPlanSpec.revision(of: result.plans.first?.spec.steps ?? []) })
}

let steps = Dictionary(result.plans.map { ($0.spec.concern, $0.spec.steps.count) }, uniquingKeysWith: +)
let rebalance = summary(moveTimes)
let json: [String: Any] = [
    "benchmark": "planning",
    "machine": [
        "processors": ProcessInfo.processInfo.activeProcessorCount, "os": ProcessInfo.processInfo.operatingSystemVersionString,
        // Shared machines make timings noisy: the 1-, 5- and 15-minute load averages when the run ended.
        "load_average": ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " "),
    ] as [String: Any],
    "regions": options.regions,
    "stores": options.stores,
    "runs": options.runs,
    "leader_rebalance": rebalance.merging([
        "moves": moveCount, "lower_bound": targets.lowerBound, "moves_equal_lower_bound": moveCount == targets.lowerBound,
        "goal_seconds": 1.0, "meets_goal_wall": median(moveTimes.map(\.wall)) < 1.0,
        "meets_goal_cpu": median(moveTimes.map(\.cpu)) < 1.0,
    ] as [String: Any]) { a, _ in a },
    "full_planning_pass": summary(passTimes).merging([
        "plans": result.plans.count, "steps_per_concern": steps,
        "note": "every planner on a complete snapshot with all regions, incl. building the steps and the revision (FNV-1a over the canonical JSON of the steps, measured alone below) of every plan",
    ] as [String: Any]) { a, _ in a },
    "revision_of_largest_plan": summary(revisionTimes).merging(["steps": result.plans.first?.spec.steps.count ?? 0] as [String: Any]) { a, _ in a },
    "idle_pass": summary(idleTimes).merging(["store_writes": idleWrites, "events": idle.events.count, "goal_store_writes": 0] as [String: Any]) { a, _ in a },
]
let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
try data.write(to: URL(fileURLWithPath: options.out))
FileHandle.standardOutput.write(data)
FileHandle.standardOutput.write(Data("\n".utf8))
