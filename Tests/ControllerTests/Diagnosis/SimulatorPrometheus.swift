import FlyingFox
import Foundation
import TiKVSimulator

/// A small stand-in for Prometheus over the simulator: each store is one scrape target
/// (`/metrics?store=N` exposition), and the few catalogue queries the observer sends are answered
/// from that exposition: `up` (1 when the target serves its TiKV series) and its scrape time, the p99 of the gRPC
/// histogram, and the write-stall gauge. Range queries answer an empty matrix.
enum SimulatorPrometheus {
    static func start(_ sim: SimulatedCluster) async throws -> LoopbackServer {
        try await LoopbackServer.start { request in
            let body = String(decoding: (try? await request.bodyData) ?? Data(), as: UTF8.self)
            let form = Dictionary(body.split(separator: "&").compactMap { pair -> (String, String)? in
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { return nil }
                return (kv[0], (kv[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? kv[1]))
            }, uniquingKeysWith: { a, _ in a })
            let query = form["query"] ?? request.query.first { $0.name == "query" }?.value ?? ""
            if request.path.hasSuffix("query_range") {
                return Reply.json(#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#)
            }
            let now = Double(sim.nowNanos) / 1e9
            let targets = sim.withState { s in s.stores.map { ($0.id, $0.statusAddress, s.prometheusText(onlyStore: $0.id)) } }
            var samples: [(String, Double)] = []
            for (_, instance, text) in targets {
                let lines = parse(text).filter { $0.labels["instance"] == instance }
                if query.hasPrefix("up{") {
                    samples.append((instance, lines.isEmpty ? 0 : 1))
                } else if query.hasPrefix("timestamp(up{") {
                    // Every target is scraped as the query arrives, so each `up` sample is this instant's.
                    samples.append((instance, now))
                } else if query.contains("histogram_quantile") {
                    if let p = p99(lines.filter { $0.name == "tikv_grpc_msg_duration_seconds_bucket" }) { samples.append((instance, p)) }
                } else if query.contains("tikv_engine_write_stall") {
                    if let v = lines.first(where: { $0.name == "tikv_engine_write_stall" })?.value { samples.append((instance, v)) }
                }
            }
            let result = samples.map { #"{"metric":{"instance":"\#($0.0)"},"value":[\#(now),"\#($0.1)"]}"# }.joined(separator: ",")
            return Reply.json(#"{"status":"success","data":{"resultType":"vector","result":[\#(result)]}}"#)
        }
    }

    struct Line { var name: String; var labels: [String: String]; var value: Double }

    static func parse(_ text: String) -> [Line] {
        text.split(separator: "\n").compactMap { raw in
            guard !raw.hasPrefix("#"), let brace = raw.firstIndex(of: "{"), let close = raw.lastIndex(of: "}"),
                  let value = Double(raw[raw.index(after: close)...].trimmingCharacters(in: .whitespaces)) else { return nil }
            var labels: [String: String] = [:]
            for pair in raw[raw.index(after: brace)..<close].split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { labels[String(kv[0])] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            return Line(name: String(raw[..<brace]), labels: labels, value: value)
        }
    }

    /// histogram_quantile(0.99) over the cumulative buckets summed across request types.
    static func p99(_ buckets: [Line]) -> Double? {
        var byLE: [Double: Double] = [:]
        for b in buckets {
            guard let le = b.labels["le"].flatMap({ $0 == "+Inf" ? Double.infinity : Double($0) }) else { continue }
            byLE[le, default: 0] += b.value
        }
        let sorted = byLE.sorted { $0.key < $1.key }
        guard let total = sorted.last?.value, total > 0 else { return nil }
        let rank = 0.99 * total
        var previous = (le: 0.0, count: 0.0)
        for (le, count) in sorted {
            if count >= rank {
                if le.isInfinite { return previous.le }
                return previous.le + (le - previous.le) * (rank - previous.count) / max(count - previous.count, 1e-9)
            }
            previous = (le, count)
        }
        return previous.le
    }
}
