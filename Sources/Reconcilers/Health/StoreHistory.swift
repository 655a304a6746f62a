import Foundation
import PDWire

/// The memory flapping detection needs between passes, kept in `TiKVClusterStatus.storeHistory` so a
/// restarted controller remembers it: per store, whether it was alive at the last observation and
/// when it changed between alive and not alive within the flapping window.
public struct StoreLivenessHistory: Codable, Sendable, Equatable {
    public var storeID: UInt64
    public var alive: Bool
    /// When a pass saw the store change between alive and not alive, oldest first, only within the window.
    public var transitions: [Date]

    public init(storeID: UInt64, alive: Bool, transitions: [Date] = []) {
        self.storeID = storeID
        self.alive = alive
        self.transitions = transitions
    }

    /// The history after one observation. Unchanged unless a store changed liveness, appeared,
    /// disappeared, or a transition left the window, so an idle pass writes nothing.
    /// Without a complete store list nothing is known, and the previous history stands.
    public static func update(_ previous: [StoreLivenessHistory], snapshot: ClusterSnapshot, window: GoDuration,
                              now: Date) -> [StoreLivenessHistory] {
        guard snapshot.hasStores else { return previous }
        let horizon = now.addingTimeInterval(-window.timeInterval)
        let byStore = Dictionary(previous.map { ($0.storeID, $0) }, uniquingKeysWith: { first, _ in first })
        var next: [StoreLivenessHistory] = []
        // Tombstones are gone for good; stores PD no longer lists are forgotten.
        for store in snapshot.stores where !store.isTombstone {
            let alive = store.liveness == .alive
            guard var entry = byStore[store.id] else {
                // First sight is not a transition.
                next.append(StoreLivenessHistory(storeID: store.id, alive: alive))
                continue
            }
            if entry.alive != alive {
                entry.alive = alive
                entry.transitions.append(now)
            }
            entry.transitions.removeAll { $0 <= horizon }
            next.append(entry)
        }
        return next.sorted { $0.storeID < $1.storeID }
    }
}
