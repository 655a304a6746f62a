import Foundation
import PDClient
import Reconcilers
import TiKVObservation
#if canImport(Glibc)
import Glibc
#endif

// Measures steady-state observations (`RegionScope.none`) against a simulator running as its own
// process (hack/bench-observe.sh starts it): per pass, bytes fetched, requests, CPU time of this
// process and peak RSS growth. Writes a JSON result to --out.

struct Options {
    var pd = "http://127.0.0.1:2379"
    var passes = 20
    var outPath = "Benchmarks/results/observe.json"
    var stores = 0
    var regions = 0

    init(_ args: [String]) {
        var i = 1
        func next() -> String? { i += 1; return i < args.count ? args[i] : nil }
        while i < args.count {
            switch args[i] {
            case "--pd": pd = next() ?? pd
            case "--passes": passes = next().flatMap(Int.init) ?? passes
            case "--out": outPath = next() ?? outPath
            case "--stores": stores = next().flatMap(Int.init) ?? stores
            case "--regions": regions = next().flatMap(Int.init) ?? regions
            default:
                // Anything else (--help included) stops here: a bench that ran with its defaults would
                // overwrite the recorded result with a measurement of nothing.
                let help = args[i] == "--help" || args[i] == "-h"
                let usage = "usage: ObserveBench [--pd URL] [--passes N] [--out FILE] [--stores N] [--regions N]\n"
                FileHandle.standardError.write(Data(((help ? "" : "unknown argument \(args[i])\n") + usage).utf8))
                exit(help ? 0 : 2)
            }
            i += 1
        }
    }
}

/// User + system CPU of this process, in milliseconds.
func cpuMilliseconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
    return ms(u.ru_utime) + ms(u.ru_stime)
}

/// Peak resident set size of this process so far, in MiB (Linux reports KiB).
func peakRSSMiB() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024
}

func percentile(_ xs: [Double], _ p: Double) -> Double {
    guard !xs.isEmpty else { return 0 }
    let s = xs.sorted()
    return s[min(s.count - 1, Int((Double(s.count - 1) * p).rounded()))]
}

/// The transport under measurement (one line to change when comparing transports).
func benchTransport() -> any HTTPTransport { CurlTransport() }
let benchTransportName = "libcurl multi on its own thread (curl_multi_poll)"

let options = Options(CommandLine.arguments)
let observer = CountedObserver(pd: PDEndpoint(urls: [options.pd], timeout: .seconds(60)), followLeader: false)
let baselineRSS = peakRSSMiB()

struct PassResult: Encodable {
    var pass: Int
    var requests: Int
    var bytes: Int
    var cpuMs: Double
    var wallMs: Double
    var peakRSSGrowthMiB: Double
    var complete: Bool
}

var results: [PassResult] = []
var incomplete: [String] = []
var regionCount: Int?
var storeCount = 0
// Pass 0 warms up (first connections, the leader lookup); it is reported but not in the summary.
for pass in 0...options.passes {
    let cpu0 = cpuMilliseconds()
    let wall0 = ContinuousClock.now
    let r = await observer.observe(cluster: "bench", regions: .none, now: Date())
    let wall = ContinuousClock.now - wall0
    let cpu = cpuMilliseconds() - cpu0
    let wallMs = Double(wall.components.seconds) * 1000 + Double(wall.components.attoseconds) / 1e15
    results.append(PassResult(pass: pass, requests: r.requests, bytes: r.bodyBytes, cpuMs: cpu, wallMs: wallMs,
                              peakRSSGrowthMiB: peakRSSMiB() - baselineRSS, complete: r.snapshot.isComplete))
    if !r.snapshot.isComplete { incomplete = r.snapshot.incompleteReasons }
    regionCount = r.snapshot.regionCount
    storeCount = r.snapshot.stores.count
}

/// CPU this process spends while one request waits `seconds` for an answer that never comes (a socket that
/// listens but never accepts: the kernel completes the connection and takes the request, nobody answers).
/// A transport that polls instead of sleeping shows here (URLSession on Linux spent 0.8 s for a 2 s wait).
func idleWaitCPUMilliseconds(seconds: Int) async -> Double {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return -1 }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard ok, listen(fd, 4) == 0, let url = URL(string: "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/wait") else { return -1 }
    let transport = benchTransport()
    let limits = HTTPLimits(responseHeaderTimeout: .seconds(Int64(seconds)), deadline: .seconds(Int64(seconds) + 5))
    let cpu0 = cpuMilliseconds()
    _ = try? await transport.send(HTTPRequest(url: url), limits: limits)
    return cpuMilliseconds() - cpu0
}

let idleWaitSeconds = 2
let idleWaitCPU = await idleWaitCPUMilliseconds(seconds: idleWaitSeconds)

let measured = Array(results.dropFirst())
let cpu = measured.map(\.cpuMs), bytes = measured.map { Double($0.bytes) }, wall = measured.map(\.wallMs)
struct Summary: Encodable {
    var benchmark = "steady-state observation (RegionScope.none)"
    #if DEBUG
    var build = "debug"
    #else
    var build = "release"
    #endif
    var transport: String
    var simulatorStores: Int
    var simulatorRegions: Int?
    var passes: Int
    var requestsPerPass: Int
    var bytesPerPassMedian: Double
    var bytesPerPassMax: Double
    var cpuMsPerPassMedian: Double
    var cpuMsPerPassP90: Double
    var cpuMsPerPassMax: Double
    var wallMsPerPassMedian: Double
    var peakRSSGrowthMiB: Double
    /// CPU of this process while one request waited `idleWaitSeconds` for an answer that never came.
    var idleWaitSeconds: Int
    var idleWaitCpuMs: Double
    var goals = ["bytesPerPass": "< 1 MiB", "cpuMsPerPass": "< 20 ms", "peakRSSGrowth": "< 50 MiB"]
    var meetsGoals: [String: Bool]
    var allPassesComplete: Bool
    var incompleteReasons: [String]
    var perPass: [PassResult]
}
let summary = Summary(
    transport: benchTransportName,
    simulatorStores: storeCount, simulatorRegions: regionCount, passes: measured.count,
    requestsPerPass: measured.map(\.requests).max() ?? 0,
    bytesPerPassMedian: percentile(bytes, 0.5), bytesPerPassMax: bytes.max() ?? 0,
    cpuMsPerPassMedian: percentile(cpu, 0.5), cpuMsPerPassP90: percentile(cpu, 0.9), cpuMsPerPassMax: cpu.max() ?? 0,
    wallMsPerPassMedian: percentile(wall, 0.5), peakRSSGrowthMiB: results.last?.peakRSSGrowthMiB ?? 0,
    idleWaitSeconds: idleWaitSeconds, idleWaitCpuMs: idleWaitCPU,
    meetsGoals: ["bytesPerPass": (bytes.max() ?? 0) < 1_048_576, "cpuMsPerPass": percentile(cpu, 0.5) < 20,
                 "peakRSSGrowth": (results.last?.peakRSSGrowthMiB ?? 0) < 50],
    allPassesComplete: measured.allSatisfy(\.complete), incompleteReasons: incomplete, perPass: results)

let encoder = JSONEncoder()
encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
let data = try encoder.encode(summary)
try data.write(to: URL(fileURLWithPath: options.outPath))
FileHandle.standardOutput.write(data)
FileHandle.standardOutput.write(Data("\n".utf8))
