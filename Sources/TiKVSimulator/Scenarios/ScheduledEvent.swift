/// A scenario event waiting for its time on the simulated clock. Kept in the cluster state, so a served
/// scenario applies its events as the (real or virtual) clock passes them, exactly as a test run does.
public struct ScheduledEvent: Sendable {
    public enum Action: Sendable {
        case fault(Fault)
        /// Reverts the fault injected by the event at this position.
        case revert(eventIndex: Int)
        case removeStore(UInt64)
        /// Hot flow on `count` regions led by `store`, `factor` × their flow.
        case hotRegions(flow: String, store: UInt64, count: Int, factor: Double)
        /// Writes aimed at one key (`write-flow-on-spot`); the flow's end is relative to the event's time.
        case spotFlow(code: UInt64, bytesPerSecond: UInt64, durationNanos: Int64?)
        /// A store limit for one store, or for all when `store` is nil.
        case storeLimit(store: UInt64?, types: [StoreLimitTable.LimitType], rate: Double)
    }
    public var atNanos: Int64
    /// Position in the scenario's event list (what `revert` refers to).
    public var index: Int
    public var action: Action

    public init(atNanos: Int64, index: Int, action: Action) {
        self.atNanos = atNanos
        self.index = index
        self.action = action
    }
}

extension ClusterState {
    /// Queues events; they run at the start of the first tick at or after their time.
    public mutating func schedule(_ events: [ScheduledEvent]) {
        scheduledEvents.append(contentsOf: events)
        scheduledEvents.sort { ($0.atNanos, $0.index) < ($1.atNanos, $1.index) }
    }

    /// Outcomes of applied events, for logs: (event index, text).
    mutating func applyScheduledEvents() {
        while let e = scheduledEvents.first, e.atNanos <= nowNanos {
            scheduledEvents.removeFirst()
            let text: String
            do throws(PDError) {
                switch e.action {
                case .fault(let f):
                    let id = try inject(f)
                    eventFaults[e.index] = [id]
                    text = "fault \(f.kind.rawValue) → id \(id)"
                case .revert(let i):
                    for id in eventFaults[i] ?? [] { try revert(faultId: id) }
                    text = "reverted event \(i)"
                case .removeStore(let id):
                    try removeStore(id, force: false)
                    text = "store \(id) offline"
                case .hotRegions(let flow, let store, let count, let factor):
                    let led = truth.indices.filter { truth[$0].leaderStoreId == UInt32(store) }
                    var ids: [UInt64] = []
                    for s in led.prefix(count) {
                        ids.append(try inject(Fault(kind: .hotRegion, region: truth[s].id, factor: factor, flow: flow)))
                    }
                    eventFaults[e.index] = ids
                    text = "\(ids.count) hot-\(flow) regions on store \(store)"
                case .storeLimit(let store, let types, let rate):
                    if let store { try setStoreLimit(store, types: types, rate: rate, ttlSeconds: 0) }
                    else { setAllStoresLimit(types: types, rate: rate, ttlSeconds: 0) }
                    text = "store limit \(types.map(\.rawValue).joined(separator: ",")) \(rate)/min on \(store.map { "store \($0)" } ?? "all stores")"
                case .spotFlow(let code, let rate, let duration):
                    addSpotFlow(SpotFlow(code: code, bytesPerSecond: rate, untilNanos: duration.map { nowNanos + $0 }))
                    text = "\(rate >> 20) MiB/s written at key \(RegionKey.hex(code: code))"
                }
            } catch {
                text = "failed: \(error.message)"
            }
            eventLog.append((e.index, nowNanos, text))
        }
    }
}
