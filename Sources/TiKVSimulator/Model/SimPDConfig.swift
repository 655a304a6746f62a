import Foundation
import PDWire

/// PD's `schedule` and `replication` config, kept as ordered key/value pairs so GET bodies keep PD's key order.
/// Values the simulator acts on have typed accessors. `store-limit` and `schedulers-v2` are derived from the
/// stores and schedulers when rendered, as PD persists them.
public struct SimPDConfig: Sendable {
    public private(set) var schedule: [(String, JSONValue)]
    public private(set) var replication: [(String, JSONValue)]

    public init() {
        schedule = [
            ("max-snapshot-count", .int(64)), ("max-pending-peer-count", .int(64)),
            ("max-merge-region-size", .int(54)), ("max-merge-region-keys", .int(540000)),
            ("split-merge-interval", .string("1h0m0s")), ("switch-witness-interval", .string("1h0m0s")),
            ("enable-one-way-merge", .string("false")), ("enable-cross-table-merge", .string("true")),
            ("patrol-region-interval", .string("10ms")), ("max-store-down-time", .string("30m0s")),
            ("max-store-preparing-time", .string("48h0m0s")), ("leader-schedule-limit", .int(4)),
            ("leader-schedule-policy", .string("count")), ("region-schedule-limit", .int(2048)),
            ("witness-schedule-limit", .int(4)), ("replica-schedule-limit", .int(64)),
            ("merge-schedule-limit", .int(8)), ("hot-region-schedule-limit", .int(4)),
            ("affinity-schedule-limit", .int(0)), ("split-scatter-schedule-limit", .int(4)),
            ("hot-region-cache-hits-threshold", .int(3)),
            ("default-store-limit", .object([("add-peer", .int(15)), ("remove-peer", .int(15))])),
            ("store-limit", .object([])),
            ("tolerant-size-ratio", .int(0)), ("low-space-ratio", .double(0.8)), ("high-space-ratio", .double(0.7)),
            ("region-score-formula-version", .string("v2")), ("scheduler-max-waiting-operator", .int(5)),
            ("enable-remove-down-replica", .string("true")), ("enable-replace-offline-replica", .string("true")),
            ("enable-make-up-replica", .string("true")), ("enable-remove-extra-replica", .string("true")),
            ("enable-location-replacement", .string("true")), ("enable-debug-metrics", .string("false")),
            ("enable-joint-consensus", .string("true")), ("enable-tikv-split-region", .string("true")),
            ("enable-heartbeat-breakdown-metrics", .string("true")), ("enable-heartbeat-concurrent-runner", .string("true")),
            ("schedulers-v2", .array([])),
            ("hot-regions-write-interval", .string("10m0s")), ("hot-regions-reserved-days", .int(7)),
            ("max-movable-hot-peer-size", .int(512)), ("enable-diagnostic", .string("true")),
            ("enable-witness", .string("false")), ("slow-store-evicting-affected-store-ratio-threshold", .double(0.3)),
            ("store-limit-version", .string("v1")), ("patrol-region-worker-count", .int(1)),
            ("max-affinity-merge-region-size", .int(256)),
        ]
        replication = [
            ("max-replicas", .int(3)), ("location-labels", .string("")), ("strictly-match-label", .string("false")),
            ("enable-placement-rules", .string("true")), ("enable-placement-rules-cache", .string("false")),
            ("isolation-level", .string("")),
        ]
    }

    // MARK: typed accessors

    public var maxStoreDownTimeNanos: Int64 { duration("max-store-down-time", default: 30 * 60) }
    public var leaderScheduleLimit: Int { int("leader-schedule-limit", default: 4) }
    public var regionScheduleLimit: Int { int("region-schedule-limit", default: 2048) }
    public var replicaScheduleLimit: Int { int("replica-schedule-limit", default: 64) }
    public var lowSpaceRatio: Double { double("low-space-ratio", default: 0.8) }
    public var tolerantSizeRatio: Double { double("tolerant-size-ratio", default: 0) }
    public var maxMergeRegionSize: Int { int("max-merge-region-size", default: 54) }
    public var maxMergeRegionKeys: Int { int("max-merge-region-keys", default: 540000) }
    public var mergeScheduleLimit: Int { int("merge-schedule-limit", default: 8) }
    public var splitMergeIntervalNanos: Int64 { duration("split-merge-interval", default: 3600) }
    public var oneWayMerge: Bool { schedule.first { $0.0 == "enable-one-way-merge" }?.1 == .string("true") }
    public var leaderPolicyIsSize: Bool { schedule.first { $0.0 == "leader-schedule-policy" }?.1 == .string("size") }
    public var maxReplicas: Int {
        if case .int(let v)? = replication.first(where: { $0.0 == "max-replicas" })?.1 { return Int(v) }
        return 3
    }
    public var maxSnapshotCount: Int { int("max-snapshot-count", default: 64) }
    public var maxPendingPeerCount: Int { int("max-pending-peer-count", default: 64) }
    /// `label-property` (`config.LabelPropertyConfig`): store labels by property type; `reject-leader` is the one
    /// PD's filters read.
    public var labelProperty: [String: [(key: String, value: String)]] = [:]
    public var rejectLeaderLabels: [(key: String, value: String)] { labelProperty["reject-leader"] ?? [] }

    /// `SetLabelProperty` (v8.5.7:server/config/persist_options.go:778-787): appended once.
    public mutating func setLabelProperty(_ type: String, key: String, value: String) {
        if labelProperty[type, default: []].contains(where: { $0.key == key && $0.value == value }) { return }
        labelProperty[type, default: []].append((key: key, value: value))
    }

    /// `DeleteLabelProperty` (persist_options.go:790-804): a type left with no labels disappears.
    public mutating func deleteLabelProperty(_ type: String, key: String, value: String) {
        let left = (labelProperty[type] ?? []).filter { !($0.key == key && $0.value == value) }
        labelProperty[type] = left.isEmpty ? nil : left
    }
    /// `replication.location-labels`, topmost level first; PD writes one comma-joined string.
    public var locationLabels: [String] {
        guard case .string(let s)? = replication.first(where: { $0.0 == "location-labels" })?.1 else { return [] }
        return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
    public var placementRulesEnabled: Bool {
        replication.first { $0.0 == "enable-placement-rules" }?.1 == .string("true")
    }

    func int(_ key: String, default d: Int) -> Int {
        switch schedule.first(where: { $0.0 == key })?.1 {
        case .int(let v)?: Int(v)
        case .double(let v)?: Int(v)
        default: d
        }
    }
    private func double(_ key: String, default d: Double) -> Double {
        switch schedule.first(where: { $0.0 == key })?.1 {
        case .int(let v)?: Double(v)
        case .double(let v)?: v
        default: d
        }
    }
    private func duration(_ key: String, default seconds: Int64) -> Int64 {
        if case .string(let s)? = schedule.first(where: { $0.0 == key })?.1, let d = try? GoDuration(parsing: s) {
            return d.nanoseconds
        }
        return seconds * 1_000_000_000
    }

    // MARK: updates

    public enum UpdateError: Error, Equatable {
        case notFound(String)
        case badValue(String)
    }

    /// Applies one `POST /config` item. Keys may be bare or qualified with `schedule.` / `replication.`.
    public mutating func set(_ rawKey: String, to value: JSONValue) throws(UpdateError) {
        var key = rawKey
        var section: Int? = nil
        if key.hasPrefix("schedule.") { key.removeFirst(9); section = 0 }
        else if key.hasPrefix("replication.") { key.removeFirst(12); section = 1 }
        if section != 1, let i = schedule.firstIndex(where: { $0.0 == key }), !Self.derived.contains(key) {
            schedule[i].1 = try Self.coerce(value, like: schedule[i].1, key: rawKey)
            return
        }
        if section != 0, let i = replication.firstIndex(where: { $0.0 == key }) {
            replication[i].1 = try Self.coerce(value, like: replication[i].1, key: rawKey)
            return
        }
        throw .notFound(rawKey)
    }

    static let derived: Set<String> = ["store-limit", "schedulers-v2"]

    /// Converts an incoming value to the stored key's kind: durations must parse, flags take bools or their strings.
    static func coerce(_ value: JSONValue, like current: JSONValue, key: String) throws(UpdateError) -> JSONValue {
        switch (current, value) {
        case (.int, .int), (.int, .uint): return value
        case (.int, .double(let d)) where d == d.rounded(): return .int(Int64(d))
        case (.double, .double): return value
        case (.double, .int(let i)): return .double(Double(i))
        case (.double, .uint(let i)): return .double(Double(i))
        case (.string(let cur), .bool(let b)) where cur == "true" || cur == "false": return .string(b ? "true" : "false")
        case (.string(let cur), .string(let s)):
            if cur == "true" || cur == "false" {
                guard s == "true" || s == "false" else { throw .badValue(key) }
                return value
            }
            if (try? GoDuration(parsing: cur)) != nil {
                guard let d = try? GoDuration(parsing: s) else { throw .badValue(key) }
                return .string(d.description)
            }
            return value
        case (.object, .object): return value
        default: throw .badValue(key)
        }
    }
}
