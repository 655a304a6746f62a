import Foundation

/// What one scrape of a Prometheus text exposition (`/metrics`) says about each TiKV instance: the
/// counters the latency and QPS readings are computed from, and the write-stall gauge. Only the
/// series the invariants read are kept, summed over request types as the catalogue's PromQL sums them.
struct ExpositionScrape: Sendable, Equatable {
    struct Instance: Sendable, Equatable {
        /// `tikv_grpc_msg_duration_seconds_bucket` by upper bound (`+Inf` included), all types but `kv_gc`.
        var buckets: [Double: Double] = [:]
        /// `tikv_grpc_msg_duration_seconds_count`, all types but `kv_gc`.
        var count: Double = 0
        /// `tikv_engine_write_stall{type="write_stall_percentile99",db="kv"}`, microseconds.
        var writeStallMicros: Double?
    }

    /// By the `instance` label (TiKV's status address).
    var instances: [String: Instance] = [:]

    init(instances: [String: Instance] = [:]) { self.instances = instances }

    /// Parses the text format; lines it does not need, and lines it cannot read, are skipped.
    init(text: String) {
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = raw.drop { $0 == " " }
            guard line.hasPrefix("tikv_"), let brace = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") else { continue }
            let name = line[..<brace]
            guard name == "tikv_grpc_msg_duration_seconds_bucket" || name == "tikv_grpc_msg_duration_seconds_count"
                    || name == "tikv_engine_write_stall" else { continue }
            let labels = Self.labels(line[line.index(after: brace)..<close])
            // The value is the first field after the labels; a timestamp may follow.
            guard let valueText = line[line.index(after: close)...].split(separator: " ").first,
                  let value = Double(valueText), let instance = labels["instance"] else { continue }
            var entry = instances[instance] ?? Instance()
            switch name {
            case "tikv_engine_write_stall":
                guard labels["type"] == "write_stall_percentile99", labels["db"] == "kv" else { continue }
                entry.writeStallMicros = max(entry.writeStallMicros ?? 0, value)
            case "tikv_grpc_msg_duration_seconds_count":
                guard labels["type"] != "kv_gc" else { continue }
                entry.count += value
            default:
                guard labels["type"] != "kv_gc", let le = labels["le"].flatMap(Self.bound) else { continue }
                entry.buckets[le, default: 0] += value
            }
            instances[instance] = entry
        }
    }

    /// `a="x",b="y"` with `\"`, `\\` and `\n` escapes.
    static func labels(_ s: Substring) -> [String: String] {
        var out: [String: String] = [:]
        var i = s.startIndex
        while i < s.endIndex {
            guard let eq = s[i...].firstIndex(of: "=") else { break }
            let key = s[i..<eq].trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
            var j = s.index(after: eq)
            guard j < s.endIndex, s[j] == "\"" else { break }
            j = s.index(after: j)
            var value = ""
            while j < s.endIndex, s[j] != "\"" {
                if s[j] == "\\", s.index(after: j) < s.endIndex {
                    j = s.index(after: j)
                    value.append(s[j] == "n" ? "\n" : s[j])
                } else {
                    value.append(s[j])
                }
                j = s.index(after: j)
            }
            out[key] = value
            i = j < s.endIndex ? s.index(after: j) : j
        }
        return out
    }

    static func bound(_ le: String) -> Double? { le == "+Inf" ? .infinity : Double(le) }

    /// The counters' increase from `earlier` to this scrape, per second of `seconds`, for one instance:
    /// p99 the way `histogram_quantile(0.99, rate(…))` computes it (NaN without requests) and the request
    /// rate. A counter that went down restarted with its process: the increase is its current value.
    func rates(of instance: String, since earlier: ExpositionScrape, seconds: Double) -> (p99: Double, qps: Double)? {
        guard seconds > 0, let now = instances[instance] else { return nil }
        let before = earlier.instances[instance] ?? Instance()
        let reset = now.count < before.count || now.buckets.contains { $0.value < before.buckets[$0.key] ?? 0 }
        let increase = now.buckets.map { (le: $0.key, count: $0.value - (reset ? 0 : before.buckets[$0.key] ?? 0)) }
            .sorted { $0.le < $1.le }
        let requests = now.count - (reset ? 0 : before.count)
        return (Self.quantile(0.99, increase), requests / seconds)
    }

    /// Prometheus's `histogram_quantile` over cumulative bucket counts sorted by bound: linear
    /// interpolation inside the bucket that holds the rank; the highest finite bound when it is `+Inf`'s.
    static func quantile(_ q: Double, _ buckets: [(le: Double, count: Double)]) -> Double {
        guard let total = buckets.last?.count, buckets.last?.le == .infinity, total > 0, buckets.count >= 2 else { return .nan }
        let rank = q * total
        var lowerBound = 0.0, lowerCount = 0.0
        for (le, count) in buckets {
            if count >= rank {
                if le == .infinity { return lowerBound }
                let inBucket = count - lowerCount
                return inBucket > 0 ? lowerBound + (le - lowerBound) * (rank - lowerCount) / inBucket : le
            }
            lowerBound = le
            lowerCount = count
        }
        return lowerBound
    }
}
