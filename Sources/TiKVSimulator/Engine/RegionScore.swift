import Foundation

/// PD's store scores (`pkg/core/store.go`): leader score by policy and region score formula v2.
enum StoreScore {
    static func leader(count: Int, size: Int64, weight: Double, bySize: Bool, delta: Double = 0) -> Double {
        ((bySize ? Double(size) : Double(count)) + delta) / max(weight, 1e-6)
    }

    static func regionV2(availableBytes: UInt64, capacityBytes: UInt64, regionSizeMiB: Int64, weight: Double,
                         lowSpaceRatio: Double, delta: Double = 0) -> Double {
        let gib = Double(1 << 30)
        let a = Double(availableBytes) / gib, c = Double(capacityBytes) / gib
        let r = Double(regionSizeMiB) + delta
        let k = 1.0, m = 256.0, b = 1e7
        let f = max(50, c * (1 - lowSpaceRatio))
        let score: Double
        if a >= c || c < 1 {
            score = r
        } else if a > f {
            score = (k + m * (log(c) - log(a - f + 1)) / (c - a + f - 1)) * r
        } else {
            score = (k + m * log(c) / c) * r + b * (f - a) / f
        }
        return score / max(weight, 1e-6)
    }
}
