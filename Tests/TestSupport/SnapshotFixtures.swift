import Foundation
import Reconcilers

/// Hand-built observations that several suites start from: complete snapshots of a few even stores.
public enum SnapshotFixtures {
    /// Every source a snapshot needs to count as complete (`ClusterSnapshot.requiredSources`), complete.
    public static var requiredSourcesComplete: [ObservationSource: SourceState] {
        Dictionary(uniqueKeysWithValues: ClusterSnapshot.requiredSources.map { ($0, SourceState.complete) })
    }

    /// Stores 1…`count` at `tikv-N:20160`, Up and alive, with 10 leaders (or `leaders[N]`) and 30 regions each.
    public static func evenStores(_ count: Int = 4, leaders: [UInt64: Int] = [:]) -> [StoreSnapshot] {
        (1...UInt64(count)).map { StoreSnapshot(id: $0, address: "tikv-\($0):20160", leaderCount: leaders[$0] ?? 10, regionCount: 30) }
    }

    /// A complete observation of cluster `prod` at `at`: the required sources complete, the rest not observed.
    public static func complete(at: Date, stores: [StoreSnapshot], schedulers: SchedulerSnapshot = SchedulerSnapshot(),
                                operators: [OperatorSnapshot] = []) -> ClusterSnapshot {
        ClusterSnapshot(cluster: "prod", observedAt: at, sources: requiredSourcesComplete, stores: stores,
                        schedulers: schedulers, operators: operators)
    }
}
