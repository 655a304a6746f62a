import Foundation

/// A store's client workload as TiKV's own counters would show it: cumulative gRPC request histograms and
/// engine flow, advanced once per simulated second. Counters only grow, so `rate()` over them is the QPS; they
/// restart from zero when the TiKV process restarts, as a real process's counters do.
public struct StoreWorkload: Sendable {
    /// The request types the model drives, with their base rate per leader (requests/s) and median latency (s).
    public static let types: [(name: String, perLeader: Double, median: Double, isWrite: Bool)] = [
        ("kv_get", 20, 0.001, false), ("kv_prewrite", 5, 0.002, true), ("kv_commit", 5, 0.0015, true),
    ]
    /// TiKV's buckets: `exponential_buckets(5e-5, 2, 22)`, 50 µs to about 104 s.
    public static let bucketBounds: [Double] = (0..<22).map { 5e-5 * pow(2, Double($0)) }
    /// Log-normal spread: the 99th percentile is 8 × the median (σ = ln 8 / z₀.₉₉).
    static let sigma = log(8.0) / 2.326

    /// Per type: cumulative counts per bucket (same order as `bucketBounds`, not including +Inf).
    public var buckets: [[Double]] = Array(repeating: Array(repeating: 0, count: bucketBounds.count), count: types.count)
    public var counts: [Double] = Array(repeating: 0, count: types.count)
    public var sums: [Double] = Array(repeating: 0, count: types.count)
    public var bytesWritten: Double = 0
    public var bytesRead: Double = 0
    /// Current write-stall p99 in microseconds (a gauge, as TiKV exports it).
    public var writeStallMicros: Double = 0

    public init() {}

    /// Fraction of log-normal requests with latency ≤ `bound`.
    static func fractionBelow(_ bound: Double, median: Double) -> Double {
        0.5 * (1 + erf(log(bound / median) / (sigma * 2.0.squareRoot())))
    }

    /// The load a store carries for one second, derived from the model.
    public struct Load: Sendable {
        public var leaders: Double
        /// Latency multiplier (slow-store fault).
        public var slowFactor: Double
        /// Available / capacity of the store's disk.
        public var availableRatio: Double
        /// Extra requests/s from hot regions led by this store.
        public var hotReadQPS: Double = 0
        public var hotWriteQPS: Double = 0
        public var hotReadBytes: Double = 0
        public var hotWriteBytes: Double = 0
    }

    /// Write stall begins when the disk is nearly full (RocksDB stops flushing) or the disk is very slow.
    static func stallFactor(_ load: Load) -> Double {
        var f = 1.0
        if load.availableRatio < 0.05 { f += (0.05 - load.availableRatio) * 200 }
        if load.slowFactor >= 5 { f += load.slowFactor / 5 }
        return f
    }

    mutating func advance(seconds dt: Double, _ load: Load) {
        let stall = Self.stallFactor(load)
        writeStallMicros = stall > 1 ? 10_000 * stall : 0
        for (t, type) in Self.types.enumerated() {
            var qps = load.leaders * type.perLeader
            qps += type.isWrite ? load.hotWriteQPS / 2 : load.hotReadQPS
            let n = qps * dt
            guard n > 0 else { continue }
            let median = type.median * max(1, load.slowFactor) * (type.isWrite ? stall : 1)
            for (b, bound) in Self.bucketBounds.enumerated() { buckets[t][b] += n * Self.fractionBelow(bound, median: median) }
            counts[t] += n
            // Mean of a log-normal: median × e^(σ²/2).
            sums[t] += n * median * exp(Self.sigma * Self.sigma / 2)
        }
        bytesWritten += (load.leaders * 4096 + load.hotWriteBytes) * dt
        bytesRead += (load.leaders * 16384 + load.hotReadBytes) * dt
    }
}

extension ClusterState {
    /// Runs one simulated second of client workload on every live store.
    mutating func advanceWorkload(seconds dt: Double) {
        var hot = [Int: (rq: Double, wq: Double, rb: Double, wb: Double)]()
        for f in faults where f.kind == .hotRegion {
            guard let rid = f.region, let slot = slotByRegionId[rid], let l = truth[slot].leaderStoreId,
                  let i = storeIndexById[UInt64(l)] else { continue }
            // The region's flow per second, and one request per 4 KiB (reads) or 1 KiB (writes) of it.
            var h = hot[i] ?? (0, 0, 0, 0)
            if f.flow == "read" {
                let b = Double(truth[slot].readBytes) / 60
                h.rq += b / 4096
                h.rb += b
            } else {
                let b = Double(truth[slot].writtenBytes) / 60
                h.wq += b / 1024
                h.wb += b
            }
            hot[i] = h
        }
        for i in stores.indices where stores[i].isUp && stores[i].state != .tombstone {
            let s = stores[i]
            let h = hot[i] ?? (0, 0, 0, 0)
            let load = StoreWorkload.Load(
                leaders: Double(storeStats[i].leaderCount), slowFactor: s.slowFactor,
                availableRatio: s.capacityBytes == 0 ? 1 : Double(s.availableBytes) / Double(s.capacityBytes),
                hotReadQPS: h.rq, hotWriteQPS: h.wq, hotReadBytes: h.rb, hotWriteBytes: h.wb)
            stores[i].workload.advance(seconds: dt, load)
        }
    }
}
