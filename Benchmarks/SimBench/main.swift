import Foundation
import TiKVSimulator

// Measures the simulator at scale (default 1M regions / 100 stores): model construction time and peak RSS,
// region mutation cost, the full streamed GET /pd/api/v1/regions (time, bytes, server RSS while streaming, via
// curl so the client's memory is not the server's), and 1,000-region regions/key pages. Prints one JSON object.

// Every argument is a known flag followed by its value; anything else (--help included) stops here.
do {
    let a = CommandLine.arguments.dropFirst()
    let unknown = stride(from: a.startIndex, to: a.endIndex, by: 2).map { a[$0] }.first { !["--regions", "--stores", "--pages"].contains($0) }
    if let unknown {
        let help = unknown == "--help" || unknown == "-h"
        let usage = "usage: SimBench [--regions N] [--stores N] [--pages N]\n"
        FileHandle.standardError.write(Data(((help ? "" : "unknown argument \(unknown)\n") + usage).utf8))
        exit(help ? 0 : 2)
    }
}

func arg(_ name: String, _ def: Int) -> Int {
    let a = CommandLine.arguments
    guard let i = a.firstIndex(of: name), i + 1 < a.count, let v = Int(a[i + 1]) else { return def }
    return v
}
let regions = arg("--regions", 1_000_000), stores = arg("--stores", 100), pages = arg("--pages", 50)

/// VmRSS / VmHWM of this process, bytes.
func memory() -> (rss: Int, peak: Int) {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    func field(_ k: String) -> Int {
        guard let line = s.split(separator: "\n").first(where: { $0.hasPrefix(k) }) else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty }.map(String.init) ?? "") ?? 0) * 1024
    }
    return (field("VmRSS:"), field("VmHWM:"))
}
/// Resets VmHWM to the current RSS (Linux ≥ 4.0), so a later peak belongs to what ran after.
func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

/// Runs curl to /dev/null; returns (total seconds, bytes) from its write-out.
func curl(_ url: String) throws -> (Double, Int) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    p.arguments = ["-s", "-o", "/dev/null", "-w", "%{time_total} %{size_download}", url]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let parts = String(decoding: data, as: UTF8.self).split(separator: " ")
    return (Double(parts.first ?? "0") ?? 0, Int(parts.last ?? "0") ?? 0)
}

func percentile(_ xs: [Double], _ q: Double) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s[min(s.count - 1, Int(Double(s.count - 1) * q))]
}

let base = memory()
var state: ClusterState?
let buildSeconds = seconds { state = ClusterState.generated(stores: stores, regions: regions, seed: 1) }
guard var c = state else { exit(1) }
state = nil
let built = memory()

// Region mutation: leader moves on random regions, each updating the truth, PD's view and the per-store sums.
var rng = SplitMix64(seed: 7)
let mutations = 1_000_000
var ids: [(UInt64, UInt64)] = []
ids.reserveCapacity(mutations)
for _ in 0..<mutations {
    let slot = Int(rng.next() % UInt64(c.regionCount))
    let r = c.truth[slot]
    ids.append((r.id, UInt64(r.peers[Int(rng.next() % UInt64(r.peers.count))].storeId)))
}
var moved = 0
let mutationSeconds = seconds { for (rid, store) in ids where c.transferLeaderNow(region: rid, toStore: store) { moved += 1 } }
ids = []

// Split and merge: split random regions at their middle key, then merge each new left half back into its
// original (same stores by construction). Each is an O(n) memmove of the key order plus O(1) record updates.
let splitMergeCount = 200
var splitIds: [UInt64] = []
for _ in 0..<splitMergeCount { splitIds.append(c.truth[c.slot(atRank: Int(rng.next() % UInt64(c.regionCount)))].id) }
var lefts: [(UInt64, UInt64)] = []
let splitSeconds = seconds {
    for id in splitIds where c.splitRegionNow(id: id) {
        if let s = c.slot(ofRegion: id), let rank = c.keyOrder.rank(ofSlot: s), rank > 0 {
            lefts.append((c.truth[c.slot(atRank: rank - 1)].id, id))
        }
    }
}
c.flushImmediateReports()
var merged = 0
let mergeSeconds = seconds { for (left, right) in lefts where c.mergeNow(source: left, target: right) { merged += 1 } }
c.flushImmediateReports()

let cluster = SimulatedCluster(c)
let server = try SimulatorServer(cluster: cluster, host: "127.0.0.1", port: 0)
let url = "http://127.0.0.1:\(try await server.start())"

resetPeak()
let beforeStream = memory()
let (fullSeconds, fullBytes) = try curl(url + "/pd/api/v1/regions")
let afterStream = memory()

// 1,000-region pages from random start keys: over HTTP (curl's time_total) and in-process through the router.
let router = PDRouter(cluster: cluster)
var httpPage: [Double] = [], routerPage: [Double] = []
for _ in 0..<pages {
    let slot = Int(rng.next() % UInt64(max(1, regions - 1000)))
    let key = cluster.withState { RegionKey.hex(code: $0.startCodes[slot]) }
    httpPage.append(try curl(url + "/pd/api/v1/regions/key?key=\(key)&format=hex&limit=1000").0)
    routerPage.append(seconds { _ = router.handle(.init(method: "GET", path: "/pd/api/v1/regions/key", query: [("key", key), ("format", "hex"), ("limit", "1000")])) })
}
// The steady-state region checks an observation pass fetches, in process: median of 5 calls each.
var checkMs: [String: Double] = [:]
for path in ["regions/check/down-peer", "regions/check/pending-peer", "regions/check/offline-peer", "regions/check/miss-peer",
             "regions/check/extra-peer", "regions/check/learner-peer", "regions/check/hist-size", "regions/count"] {
    let times = (0..<5).map { _ in seconds { _ = router.handle(.init(method: "GET", path: "/pd/api/v1/" + path, query: [])) } * 1e3 }
    checkMs[path] = times.sorted()[2]
}
let metricsSeconds = seconds { _ = cluster.withState { $0.prometheusText() } }
let tickSeconds = seconds { cluster.advance(seconds: 10) }

let mib = 1_048_576.0
let result: [String: Any] = [
    "benchmark": "simulator at scale",
    "regions": regions, "stores": stores,
    "build_seconds": buildSeconds,
    "build_goal_seconds": 10,
    "rss_after_build_mib": Double(built.rss) / mib,
    "peak_rss_during_build_mib": Double(built.peak) / mib,
    "rss_before_build_mib": Double(base.rss) / mib,
    "rss_goal_mib": 1536,
    "region_mutations": mutations, "region_mutations_applied": moved,
    "region_mutation_ns": mutationSeconds / Double(mutations) * 1e9,
    "steady_state_checks_router_ms_median": checkMs,
    "region_split_us": splitSeconds / Double(max(1, lefts.count)) * 1e6,
    "region_merge_us": mergeSeconds / Double(max(1, merged)) * 1e6,
    "region_splits": lefts.count, "region_merges": merged,
    "regions_full_seconds": fullSeconds, "regions_full_bytes": fullBytes,
    "server_rss_before_stream_mib": Double(beforeStream.rss) / mib,
    "server_peak_rss_during_stream_mib": Double(afterStream.peak) / mib,
    "server_rss_growth_during_stream_mib": Double(afterStream.peak - beforeStream.rss) / mib,
    "regions_key_page_1000_http_ms_median": percentile(httpPage, 0.5) * 1e3,
    "regions_key_page_1000_http_ms_p95": percentile(httpPage, 0.95) * 1e3,
    "regions_key_page_1000_router_ms_median": percentile(routerPage, 0.5) * 1e3,
    "regions_key_page_goal_ms": 20,
    "metrics_render_seconds": metricsSeconds,
    "advance_10s_seconds": tickSeconds,
    "machine": ProcessInfo.processInfo.operatingSystemVersionString,
    "cores": ProcessInfo.processInfo.activeProcessorCount,
]
let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
FileHandle.standardOutput.write(data + Data("\n".utf8))
await server.stop()
