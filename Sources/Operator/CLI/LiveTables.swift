import Foundation
import PDWire
import Reconcilers

/// The live views of `operator get stores|regions|hot|members --pd URL`: table columns and the
/// rows `-o json|yaml` prints. Unknown values print as `-` (no data) or `unknown` (query failed),
/// never as a number that would look healthy.
enum LiveTables {
    // MARK: Stores

    struct StoreRow: Encodable, Sendable {
        var id: UInt64
        var address: String
        var statusAddress: String
        var state: String
        var stateName: String
        var liveness: String
        var heartbeatAgeSeconds: Double?
        var leaders: Int
        var regions: Int
        var capacityBytes: Int64
        var availableBytes: Int64
        var p99LatencySeconds: Double?
        var qps: Double?
        var version: String
        var labels: [String: String]
        var leaderWeight: Double
        var regionWeight: Double
    }

    static func storeRow(_ s: StoreSnapshot, now: Date) -> StoreRow {
        StoreRow(id: s.id, address: s.address, statusAddress: s.statusAddress, state: storeState(s, now: now), stateName: s.stateName,
                 liveness: s.liveness.rawValue, heartbeatAgeSeconds: s.heartbeatAge(at: now), leaders: s.leaderCount,
                 regions: s.regionCount, capacityBytes: s.capacityBytes, availableBytes: s.availableBytes,
                 p99LatencySeconds: s.metrics.p99Latency.value, qps: s.metrics.qps.value, version: s.version, labels: s.labels,
                 leaderWeight: s.leaderWeight, regionWeight: s.regionWeight)
    }

    static func stores(_ stores: [StoreSnapshot], wide: Bool, now: Date) -> String {
        var header = ["ID", "ADDRESS", "STATE", "LEADERS", "REGIONS", "CAPACITY", "AVAILABLE", "P99-LATENCY"]
        if wide { header += ["STATUS-ADDRESS", "VERSION", "LABELS", "LEADER-WEIGHT", "REGION-WEIGHT", "QPS"] }
        let rows = stores.map { s -> [String] in
            var row = [String(s.id), s.address, storeState(s, now: now), String(s.leaderCount), String(s.regionCount),
                       bytes(s.capacityBytes), bytes(s.availableBytes), latency(s.metrics.p99Latency)]
            if wide {
                let labels = s.labels.keys.sorted().map { "\($0)=\(s.labels[$0] ?? "")" }.joined(separator: ",")
                row += [s.statusAddress.isEmpty ? "<none>" : s.statusAddress, s.version.isEmpty ? "<none>" : s.version,
                        labels.isEmpty ? "<none>" : labels, number(s.leaderWeight), number(s.regionWeight), rate(s.metrics.qps)]
            }
            return row
        }
        return renderTable(header, rows)
    }

    /// PD's state name, corrected by the heartbeat age: `Up`, `Disconnected (35s)`, `Offline, Down (2h)`.
    static func storeState(_ s: StoreSnapshot, now: Date) -> String {
        let age = humanAge(from: s.lastHeartbeat, now: now)
        let base: String
        switch s.state {
        case .up: base = "Up"
        case .offline: base = "Offline"
        case .tombstone: return "Tombstone"
        case .unknown(let v): base = "State(\(v))"
        }
        switch s.liveness {
        case .alive: return base == "Up" && !s.stateName.isEmpty && s.stateName != "Up" ? s.stateName : base
        case .disconnected: return base == "Up" ? "Disconnected (\(age))" : "\(base), Disconnected (\(age))"
        case .down: return base == "Up" ? "Down (\(age))" : "\(base), Down (\(age))"
        case .tombstone: return "Tombstone"
        case .neverSeen: return "\(base), no heartbeat"
        }
    }

    // MARK: Regions

    struct RegionRow: Encodable, Sendable {
        var id: UInt64
        var leaderStore: UInt64?
        var peers: [String]
        var sizeMiB: Int64
        var keys: Int64
        var startKey: String
        var endKey: String
    }

    static func regionRow(_ r: RegionInfo) -> RegionRow {
        RegionRow(id: r.id, leaderStore: r.leader?.storeID, peers: r.peers.map(peerText), sizeMiB: r.approximateSize,
                  keys: r.approximateKeys, startKey: r.startKey, endKey: r.endKey)
    }

    static func regions(_ regions: [RegionInfo], wide: Bool) -> String {
        var header = ["ID", "LEADER-STORE", "PEERS", "SIZE", "KEYS"]
        if wide { header += ["START-KEY", "END-KEY", "DOWN", "PENDING"] }
        let rows = regions.map { r -> [String] in
            var row = [String(r.id), r.leader.map { String($0.storeID) } ?? "<none>", r.peers.map(peerText).joined(separator: ","),
                       "\(r.approximateSize)MiB", String(r.approximateKeys)]
            if wide {
                row += [r.startKey.isEmpty ? "-inf" : r.startKey, r.endKey.isEmpty ? "+inf" : r.endKey,
                        r.downPeers.isEmpty ? "<none>" : r.downPeers.map { String($0.peer.storeID) }.joined(separator: ","),
                        r.pendingPeers.isEmpty ? "<none>" : r.pendingPeers.map { String($0.storeID) }.joined(separator: ",")]
            }
            return row
        }
        return renderTable(header, rows)
    }

    /// A peer as its store id, with the role when it is not a plain voter: `4(learner)`.
    static func peerText(_ p: MetaPeer) -> String {
        switch p.role {
        case .voter: String(p.storeID)
        case .learner: "\(p.storeID)(learner)"
        case .incomingVoter: "\(p.storeID)(incoming)"
        case .demotingVoter: "\(p.storeID)(demoting)"
        case .unknown(let v): "\(p.storeID)(role \(v))"
        }
    }

    // MARK: Hot regions

    struct HotRow: Encodable, Sendable {
        var direction: String
        var region: UInt64
        var store: UInt64
        var bytesPerSecond: Double
        var keysPerSecond: Double
        var hotDegree: Int
    }

    static func hotRow(_ h: HotRegion) -> HotRow {
        HotRow(direction: h.direction.rawValue, region: h.regionID, store: h.storeID, bytesPerSecond: h.bytesPerSecond,
               keysPerSecond: h.keysPerSecond, hotDegree: h.hotDegree)
    }

    static func hot(_ hot: [HotRegion], wide: Bool) -> String {
        var header = ["DIRECTION", "REGION", "STORE", "FLOW"]
        if wide { header += ["KEYS/S", "HOT-DEGREE"] }
        let rows = hot.map { h -> [String] in
            var row = [h.direction.rawValue, String(h.regionID), String(h.storeID), bytesPerSecond(h.bytesPerSecond)]
            if wide { row += [number(h.keysPerSecond), String(h.hotDegree)] }
            return row
        }
        return renderTable(header, rows)
    }

    // MARK: Members

    struct MemberRow: Encodable, Sendable {
        var name: String
        /// A string: member ids exceed what JSON readers hold exactly in a double.
        var id: String
        var leader: Bool
        var health: String
        var clientURLs: [String]
    }

    static func memberRow(_ m: MemberSnapshot) -> MemberRow {
        MemberRow(name: m.name, id: String(m.memberID), leader: m.isLeader, health: health(m.healthy), clientURLs: m.clientURLs)
    }

    static func members(_ members: [MemberSnapshot]) -> String {
        let rows = members.map { m in
            [m.name, String(m.memberID), m.isLeader ? "*" : "", health(m.healthy), m.clientURLs.joined(separator: ",")]
        }
        return renderTable(["NAME", "ID", "LEADER", "HEALTH", "CLIENT-URLS"], rows)
    }

    static func health(_ h: Bool?) -> String {
        switch h {
        case true?: "Healthy"
        case false?: "Unhealthy"
        case nil: "Unknown"
        }
    }

    // MARK: Values

    static func latency(_ r: MetricReading) -> String {
        switch r {
        case .value(let v) where v.isFinite:
            return v < 1 ? String(format: "%.3gms", v * 1000) : String(format: "%.3gs", v)
        case .value, .noSeries, .notANumber: return "-"
        case .failed: return "unknown"
        }
    }

    static func rate(_ r: MetricReading) -> String {
        switch r {
        case .value(let v) where v.isFinite: return number(v)
        case .value, .noSeries, .notANumber: return "-"
        case .failed: return "unknown"
        }
    }

    static func bytes(_ b: Int64) -> String { ByteSize(UInt64(max(0, b))).description }

    static func bytesPerSecond(_ b: Double) -> String {
        b.isFinite && b >= 0 ? ByteSize(UInt64(b)).description + "/s" : "-"
    }

    /// Integers without a fraction, others with up to two decimals.
    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.2f", v)
    }
}
