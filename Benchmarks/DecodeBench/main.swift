import Foundation
import PDWire

// Measures RegionStreamDecoder on a large regions body in PD's exact compact shape
// (easyjson key order, omitempty rules). Writes the body to --body so other decoders
// can be measured on the very same bytes, and a JSON result to --out.

struct Options {
    var regions = 1_000_000
    var bodyPath = "/tmp/pd-regions-bench.json"
    var outPath = "Benchmarks/results/decode-swift.json"
    var runs = 3
    var chunk = 64 << 10

    init(_ args: [String]) {
        var i = 1
        func next() -> String? { i += 1; return i < args.count ? args[i] : nil }
        while i < args.count {
            switch args[i] {
            case "--regions": regions = next().flatMap(Int.init) ?? regions
            case "--body": bodyPath = next() ?? bodyPath
            case "--out": outPath = next() ?? outPath
            case "--runs": runs = next().flatMap(Int.init) ?? runs
            case "--chunk": chunk = next().flatMap(Int.init) ?? chunk
            default:
                // Anything else (--help included) stops here rather than overwrite the recorded result.
                let help = args[i] == "--help" || args[i] == "-h"
                let usage = "usage: DecodeBench [--regions N] [--body FILE] [--out FILE] [--runs N] [--chunk BYTES]\n"
                FileHandle.standardError.write(Data(((help ? "" : "unknown argument \(args[i])\n") + usage).utf8))
                exit(help ? 0 : 2)
            }
            i += 1
        }
    }
}

/// One region as PD writes it; every 50th has a down and pending peer, every 70th a learner,
/// every 1000th no known leader.
func appendRegion(_ i: Int, total: Int, to s: inout String) {
    let id = 1000 + i * 4
    func key(_ k: Int) -> String { String(format: "7480000000000000FF%02X5F728000000000FF%06X0000000000FA", (k / 4096) % 256, k) }
    let start = i == 0 ? "" : key(i)
    let end = i == total - 1 ? "" : key(i + 1)
    let stores = [1 + i % 6, 1 + (i + 2) % 6, 1 + (i + 4) % 6]
    s += #"{"id":\#(id),"start_key":"\#(start)","end_key":"\#(end)","epoch":{"conf_ver":\#(5 + i % 3),"version":\#(10 + i % 500)},"peers":["#
    s += #"{"role_name":"Voter","id":\#(id + 1),"store_id":\#(stores[0])},{"role_name":"Voter","id":\#(id + 2),"store_id":\#(stores[1])},{"role_name":"Voter","id":\#(id + 3),"store_id":\#(stores[2])}"#
    if i % 70 == 0 { s += #",{"role_name":"Learner","is_learner":true,"id":\#(id + 900_000_000),"store_id":\#(1 + (i + 1) % 6),"role":1}"# }
    s += "],"
    if i % 1000 == 999 {
        s += #""leader":{"role_name":""},"#
    } else {
        s += #""leader":{"role_name":"Voter","id":\#(id + 1 + i % 3),"store_id":\#(stores[i % 3])},"#
    }
    if i % 50 == 0 {
        s += #""down_peers":[{"peer":{"role_name":"Voter","id":\#(id + 2),"store_id":\#(stores[1])},"down_seconds":\#(600 + i % 3000)}],"#
        s += #""pending_peers":[{"role_name":"Voter","id":\#(id + 2),"store_id":\#(stores[1])}],"#
    }
    s += #""cpu_usage":\#(i % 900),"written_bytes":\#((i * 7919) % 200_000_000),"read_bytes":\#((i * 104_729) % 400_000_000),"#
    s += #""written_keys":\#((i * 31) % 1_500_000),"read_keys":\#((i * 17) % 3_000_000),"approximate_size":\#(1 + i % 256),"#
    s += #""approximate_keys":\#((i * 977) % 2_500_000),"approximate_kv_size":\#(i % 230),"approximate_columnar_kv_size":0}"#
}

func generateBody(regions n: Int) -> Data {
    var out = Data()
    out.reserveCapacity(n * 700)
    out.append(contentsOf: Array(#"{"count":\#(n),"regions":["#.utf8))
    var s = ""
    s.reserveCapacity(1 << 20)
    for i in 0..<n {
        if i > 0 { s += "," }
        appendRegion(i, total: n, to: &s)
        if s.utf8.count > 1 << 20 {
            out.append(contentsOf: Array(s.utf8))
            s.removeAll(keepingCapacity: true)
        }
    }
    s += "]}"
    out.append(contentsOf: Array(s.utf8))
    return out
}

struct RunResult {
    var seconds: Double
    var regions: Int
    var checksum: UInt64
}

/// Feeds the body in network-sized chunks, as the client does, and folds every region into a
/// checksum so nothing can be optimised away.
func decodeOnce(_ body: [UInt8], chunk: Int) throws -> RunResult {
    let clock = ContinuousClock()
    var checksum: UInt64 = 0
    var n = 0
    let started = clock.now
    var decoder = RegionStreamDecoder()
    try body.withUnsafeBufferPointer { buf in
        var i = 0
        while i < buf.count {
            let j = min(i + chunk, buf.count)
            try decoder.feed(UnsafeBufferPointer(rebasing: buf[i..<j])) { r in
                n += 1
                checksum &+= r.id &+ (r.leader?.storeID ?? 0) &+ UInt64(r.peers.count) &+ UInt64(r.approximateSize)
                    &+ UInt64(r.startKey.utf8.count) &+ UInt64(r.downPeers.count)
            }
            i = j
        }
    }
    try decoder.finish()
    let d = clock.now - started
    let c = d.components
    return RunResult(seconds: Double(c.seconds) + Double(c.attoseconds) / 1e18, regions: n, checksum: checksum)
}

let options = Options(CommandLine.arguments)
let body: [UInt8]
if let existing = FileManager.default.contents(atPath: options.bodyPath),
   let head = String(data: existing.prefix(64), encoding: .utf8), head.hasPrefix(#"{"count":\#(options.regions),"#) {
    body = Array(existing)
} else {
    let data = generateBody(regions: options.regions)
    guard FileManager.default.createFile(atPath: options.bodyPath, contents: data) else {
        FileHandle.standardError.write(Data("cannot write \(options.bodyPath)\n".utf8))
        exit(1)
    }
    body = Array(data)
}

var runs: [RunResult] = []
for _ in 0..<max(1, options.runs) {
    do { runs.append(try decodeOnce(body, chunk: options.chunk)) } catch {
        FileHandle.standardError.write(Data("decode failed: \(error)\n".utf8))
        exit(1)
    }
}
guard runs.allSatisfy({ $0.regions == options.regions && $0.checksum == runs[0].checksum }) else {
    FileHandle.standardError.write(Data("runs disagree or region count is wrong\n".utf8))
    exit(1)
}
let best = runs.map(\.seconds).min() ?? 0
let sorted = runs.map(\.seconds).sorted()
let median = sorted[sorted.count / 2]
let mb = Double(body.count) / 1e6
let result: [String: Any] = [
    "decoder": "PDWire.RegionStreamDecoder",
    "regions": options.regions,
    "body_bytes": body.count,
    "chunk_bytes": options.chunk,
    "runs": runs.count,
    "seconds_best": best,
    "seconds_median": median,
    "mb_per_s_best": mb / best,
    "mb_per_s_median": mb / median,
    "regions_per_s_best": Double(options.regions) / best,
    "checksum": runs[0].checksum,
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
guard FileManager.default.createFile(atPath: options.outPath, contents: json) else {
    FileHandle.standardError.write(Data("cannot write \(options.outPath)\n".utf8))
    exit(1)
}
print(String(decoding: json, as: UTF8.self))
