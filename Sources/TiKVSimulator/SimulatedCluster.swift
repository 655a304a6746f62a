import Foundation
import Synchronization

/// Thread-safe handle on a simulated cluster. All reads and writes go through `withState`, which holds a
/// lock for the duration of the closure; long responses take it in short slices.
public final class SimulatedCluster: Sendable {
    private let state: Mutex<ClusterState>

    public init(_ initial: ClusterState) { state = Mutex(initial) }

    /// The fixtures' 3-store cluster A at 2025-06-10T08:00:00Z.
    public static func fixtureClusterA() -> SimulatedCluster { SimulatedCluster(.fixtureClusterA()) }

    public static func generated(stores: Int, regions: Int, seed: UInt64) -> SimulatedCluster {
        SimulatedCluster(.generated(stores: stores, regions: regions, seed: seed))
    }

    public func withState<R: Sendable>(_ body: (inout ClusterState) throws -> R) rethrows -> R {
        try state.withLock { try body(&$0) }
    }

    /// Advances the virtual clock by `seconds`, running every tick on the way.
    public func advance(seconds: Double) { withState { $0.advance(seconds: seconds) } }

    public var nowNanos: Int64 { withState { $0.nowNanos } }
    /// The simulated clock as a date: what a controller watching this cluster uses as its clock.
    public var now: Date { Date(timeIntervalSince1970: Double(nowNanos) / 1e9) }
}
