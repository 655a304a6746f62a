import Foundation
import PDWire

/// What a pass remembers about each store for the next, kept in `TiKVClusterStatus.storeHistory` so a restarted
/// controller remembers it: whether the store was alive at the last observation and when it changed between alive and
/// not alive (flapping), the TiKV process's start time PD last reported and when it moved (restarts, seen even when
/// shorter than a pass), and PD's recent slow scores (their trend).
public struct StoreHistory: Codable, Sendable, Equatable {
    public var storeID: UInt64
    public var alive: Bool
    /// When a pass saw the store change between alive and not alive, oldest first, only within the window.
    public var transitions: [Date]
    /// The TiKV process's start (PD's `start_ts`) at the last observation; nil when PD gave none.
    public var startTime: Date?
    /// When the store's process started anew (its `start_ts` moved), oldest first, only within the window. A start
    /// time after the pass that saw it (TiKV's clock ahead of the controller's) is recorded as that pass's time.
    public var restarts: [Date]
    /// PD's slow score each time a pass saw it change, oldest first, at most `slowScoreMemory`: its trend. Recorded
    /// only on a change, so a steady score writes nothing.
    public var slowScores: [UInt64]

    /// Enough for a trend (the last change) and a line of evidence showing its course.
    static let slowScoreMemory = 4

    public init(storeID: UInt64, alive: Bool, transitions: [Date] = [], startTime: Date? = nil, restarts: [Date] = [],
                slowScores: [UInt64] = []) {
        self.storeID = storeID
        self.alive = alive
        self.transitions = transitions
        self.startTime = startTime
        self.restarts = restarts
        self.slowScores = slowScores
    }

    /// Histories stored before restarts and slow scores were remembered decode with none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        storeID = try c.decode(UInt64.self, forKey: .storeID)
        alive = try c.decode(Bool.self, forKey: .alive)
        transitions = try c.decodeIfPresent([Date].self, forKey: .transitions) ?? []
        startTime = try c.decodeIfPresent(Date.self, forKey: .startTime)
        restarts = try c.decodeIfPresent([Date].self, forKey: .restarts) ?? []
        slowScores = try c.decodeIfPresent([UInt64].self, forKey: .slowScores) ?? []
    }

    /// Which way PD's slow score last moved.
    public var slowScoreTrend: SlowScoreTrend { SlowScoreTrend(slowScores) }

    /// The history after one observation. Unchanged unless a store changed liveness, restarted, changed its slow
    /// score, appeared, disappeared, or a change left the window, so an idle pass writes nothing.
    /// Without a complete store list nothing is known, and the previous history stands.
    public static func update(_ previous: [StoreHistory], snapshot: ClusterSnapshot, window: GoDuration,
                              now: Date) -> [StoreHistory] {
        guard snapshot.hasStores else { return previous }
        let horizon = now.addingTimeInterval(-window.timeInterval)
        let byStore = Dictionary(previous.map { ($0.storeID, $0) }, uniquingKeysWith: { first, _ in first })
        var next: [StoreHistory] = []
        // Tombstones are gone for good; stores PD no longer lists are forgotten.
        for store in snapshot.stores where !store.isTombstone {
            let alive = store.liveness == .alive
            let score = store.slowScore > 0 ? [store.slowScore] : []
            guard var entry = byStore[store.id] else {
                // First sight is neither a transition nor a restart.
                next.append(StoreHistory(storeID: store.id, alive: alive, startTime: store.startTime, slowScores: score))
                continue
            }
            if entry.alive != alive {
                entry.alive = alive
                entry.transitions.append(now)
            }
            if let started = store.startTime {
                // PD's start_ts only moves forward when a new process registers; a pass that saw no start time
                // before learns it without calling it a restart.
                if let before = entry.startTime, started > before { entry.restarts.append(min(started, now)) }
                entry.startTime = started
            }
            if store.slowScore > 0, entry.slowScores.last != store.slowScore {
                entry.slowScores = Array((entry.slowScores + [store.slowScore]).suffix(slowScoreMemory))
            }
            entry.transitions.removeAll { $0 <= horizon }
            entry.restarts.removeAll { $0 <= horizon }
            next.append(entry)
        }
        return next.sorted { $0.storeID < $1.storeID }
    }
}
