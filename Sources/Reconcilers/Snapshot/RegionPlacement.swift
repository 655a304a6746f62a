/// Where one region's replicas and leader are: all a planner needs, kept small because a
/// planning pass may hold a million of them.
public struct RegionPlacement: Sendable, Hashable {
    public var id: UInt64
    /// 0 when PD does not know the leader (`{"role_name":""}`).
    public var leaderStoreID: UInt64
    /// Stores holding a voter (incl. joint-state voters), sorted.
    public var voterStoreIDs: [UInt64]
    public var learnerStoreIDs: [UInt64]
    /// Stores whose peer of this region is down or pending: not a target for a leader.
    public var unhealthyStoreIDs: [UInt64]
    public var approximateSizeMiB: Int64
    /// A region in a joint state (a conf change in progress) must not be touched.
    public var inJointState: Bool
    /// Its key range, kept only while ranged placement rules need it (a million key pairs are not free).
    public var keys: RegionKeyRange?

    public init(id: UInt64, leaderStoreID: UInt64, voterStoreIDs: [UInt64], learnerStoreIDs: [UInt64] = [],
                unhealthyStoreIDs: [UInt64] = [], approximateSizeMiB: Int64 = 0, inJointState: Bool = false, keys: RegionKeyRange? = nil) {
        self.id = id
        self.leaderStoreID = leaderStoreID
        self.voterStoreIDs = voterStoreIDs
        self.learnerStoreIDs = learnerStoreIDs
        self.unhealthyStoreIDs = unhealthyStoreIDs
        self.approximateSizeMiB = approximateSizeMiB
        self.inJointState = inJointState
        self.keys = keys
    }

    public var storeIDs: [UInt64] { voterStoreIDs + learnerStoreIDs }
}
