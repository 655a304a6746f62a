import Foundation
import PDWire

/// "Drain store N of cluster C (evict its leaders; optionally take it offline) for reason R, until T."
/// Deleting the object ends the maintenance and removes what the controller created for it.
public struct StoreMaintenanceSpec: Codable, Sendable, Equatable, SpecValidatable {
    /// Name of the TiKVCluster the store belongs to.
    public var cluster: String
    public var storeID: UInt64
    /// Why, for people and the audit log (e.g. a change ticket).
    public var reason: String
    /// After the leaders are gone, take the store offline (PD `DELETE /store/{id}`) and wait until it is empty.
    @Default<False> public var offline: Bool
    /// The maintenance ends by itself at this time.
    public var until: Date?
    /// How long to wait for the store to hold 0 leaders before the plan reports a timeout.
    @Default<Minutes10> public var leaderDrainTimeout: GoDuration
    /// Allow this maintenance while another store is under maintenance (up to `limits.maxStoresInMaintenance`).
    @Default<False> public var allowConcurrent: Bool

    public init(cluster: String, storeID: UInt64, reason: String, offline: Bool = False.defaultValue, until: Date? = nil,
                leaderDrainTimeout: GoDuration = Minutes10.defaultValue, allowConcurrent: Bool = False.defaultValue) {
        self.cluster = cluster
        self.storeID = storeID
        self.reason = reason
        self.offline = offline
        self.until = until
        self.leaderDrainTimeout = leaderDrainTimeout
        self.allowConcurrent = allowConcurrent
    }

    enum CodingKeys: String, CodingKey { case cluster, storeID, reason, offline, until, leaderDrainTimeout, allowConcurrent }

    // Stays hand-written: `until` is parsed as RFC 3339 through `GoTime` (nine fraction digits, its parse error as
    // the message) and kept as a `Date`. The defaulted fields decode as their `@Default` says.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cluster = try c.decode(String.self, forKey: .cluster)
        storeID = try c.decode(UInt64.self, forKey: .storeID)
        reason = try c.decode(String.self, forKey: .reason)
        _offline = try c.decode(type(of: _offline), forKey: .offline)
        until = try c.decodeIfPresent(GoTime.self, forKey: .until)?.date
        _leaderDrainTimeout = try c.decode(type(of: _leaderDrainTimeout), forKey: .leaderDrainTimeout)
        _allowConcurrent = try c.decode(type(of: _allowConcurrent), forKey: .allowConcurrent)
    }

    public func validate(_ v: inout Validator) {
        if storeID == 0 { v.fail("storeID", "must be a store id (≥ 1)") }
        v.nonEmpty("reason", reason)
        v.duration("leaderDrainTimeout", leaderDrainTimeout, min: .minutes(1), max: .hours(24))
    }
}

public struct StoreMaintenanceStatus: Codable, Sendable, Equatable, ObjectStatus {
    public var observedGeneration: Int64 = 0
    /// `Valid`, `LeadersEvicted`, `Offlined`, `Ended`.
    public var conditions: [Condition] = []
    /// The plan that carries the maintenance out.
    public var plan: String?
    public var leaderCount: Int?
    public var regionCount: Int?
    public init() {}
}
