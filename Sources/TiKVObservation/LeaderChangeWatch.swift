import Foundation
import Reconcilers

/// Tells the observer when PD's `regions/check/*` counts cannot be trusted because PD's leader changed.
///
/// A new PD leader rebuilds its region statistics empty and fills them only as region heartbeats arrive
/// (pd v8.5.7:server/cluster/scheduling_controller.go:71-73; pkg/statistics/region_collection.go:185), so for up to
/// one region-heartbeat interval every check reads low: zero offline or missing peers right after a failover is
/// not "healthy". PD's HTTP API does not say when its leader took office, so the watch remembers the leader it
/// saw last and treats the first pass that sees another one as the change.
struct LeaderChangeWatch: Sendable {
    /// TiKV's region heartbeat interval (`pd-heartbeat-tick-interval`, 60 s): every region has reported once after it.
    static let settleSeconds: TimeInterval = 60

    private(set) var lastLeaderID: UInt64?
    private(set) var changedAt: Date?

    /// Records this pass's leader (nil: unknown or none) and returns why region checks are only partial, if they are.
    mutating func regionCheckCaveat(leader: MemberSnapshot?, now: Date) -> String? {
        guard let leader else {
            return "PD has no known leader: region statistics may be stale or rebuilding"
        }
        if let last = lastLeaderID, last != leader.memberID { changedAt = now }
        lastLeaderID = leader.memberID
        guard let since = changedAt else { return nil }
        let age = now.timeIntervalSince(since)
        guard age < Self.settleSeconds else { return nil }
        return "PD leader changed to \(leader.name) \(Int(age)) s ago: region statistics refill from heartbeats for \(Int(Self.settleSeconds)) s"
    }

    /// `state` with the caveat added: complete becomes partial; a failure stays a failure.
    static func downgrade(_ state: SourceState?, _ caveat: String) -> SourceState {
        switch state {
        case .complete?, nil: .partial(caveat)
        case .partial(let why)?: .partial(why + "; " + caveat)
        case let other?: other
        }
    }
}
