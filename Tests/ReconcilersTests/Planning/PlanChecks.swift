import Foundation
import Testing
@testable import Reconcilers

/// Independent checks of a plan against the cluster it was computed from.
enum PlanChecks {
    /// Every transfer-leader step: leader on the source, a healthy voter on an eligible target, no joint
    /// state, no operator, each region at most once.
    static func expectLegalLeaderMoves(_ plan: RemediationPlan, regions: [RegionPlacement], snapshot: ClusterSnapshot,
                                       maintained: Set<UInt64> = [], sourceLocation: SourceLocation = #_sourceLocation) {
        let byID = Dictionary(uniqueKeysWithValues: regions.map { ($0.id, $0) })
        let operators = Set(snapshot.operators.map(\.regionID))
        var seen = Set<UInt64>()
        for step in plan.spec.steps {
            let a = step.action
            guard a.kind == .transferLeader, let rid = a.regionID, let r = byID[rid], let to = a.toStoreID,
                  let target = snapshot.store(to) else {
                Issue.record("not a transfer-leader step on a known region and store: \(step.name)", sourceLocation: sourceLocation)
                continue
            }
            #expect(seen.insert(rid).inserted, "region \(rid) moved twice", sourceLocation: sourceLocation)
            #expect(r.leaderStoreID == a.fromStoreID, "region \(rid): source is not the leader", sourceLocation: sourceLocation)
            #expect(r.voterStoreIDs.contains(to) && !r.unhealthyStoreIDs.contains(to), "region \(rid): store \(to) has no healthy voter", sourceLocation: sourceLocation)
            #expect(!r.inJointState && !operators.contains(rid), "region \(rid) is busy", sourceLocation: sourceLocation)
            #expect(target.isUpAndAlive && !snapshot.schedulers.evictLeaderStores.contains(to) && !maintained.contains(to),
                    "store \(to) may not take leaders", sourceLocation: sourceLocation)
        }
    }

    /// Every transfer-peer step, applied in order: the source holds a peer, the target holds none and may
    /// take regions, the region has a leader, a healthy majority, no joint state, no operator; a region's
    /// moves are in distinct, increasing batches.
    static func expectLegalPeerMoves(_ plan: RemediationPlan, regions: [RegionPlacement], snapshot: ClusterSnapshot,
                                     sourceLocation: SourceLocation = #_sourceLocation) {
        var byID = Dictionary(uniqueKeysWithValues: regions.map { ($0.id, $0) })
        let operators = Set(snapshot.operators.map(\.regionID))
        let alive = Set(snapshot.stores.filter { $0.liveness == .alive }.map(\.id))
        var lastBatch: [UInt64: Int] = [:]
        for step in plan.spec.steps {
            let a = step.action
            guard a.kind == .transferPeer, let rid = a.regionID, var r = byID[rid], let from = a.fromStoreID, let to = a.toStoreID,
                  let target = snapshot.store(to) else {
                Issue.record("not a transfer-peer step on a known region and store: \(step.name)", sourceLocation: sourceLocation)
                continue
            }
            let batch = step.batch ?? 0
            if let last = lastBatch[rid] { #expect(batch > last, "region \(rid): two moves in batch \(batch)", sourceLocation: sourceLocation) }
            lastBatch[rid] = batch
            #expect(r.storeIDs.contains(from) && !r.storeIDs.contains(to), "region \(rid): bad source or target", sourceLocation: sourceLocation)
            #expect(r.leaderStoreID != 0 && !r.inJointState && !operators.contains(rid), "region \(rid) is busy or leaderless", sourceLocation: sourceLocation)
            #expect(Quorum.hasQuorum(r, alive: alive), "region \(rid) has no healthy majority", sourceLocation: sourceLocation)
            #expect(target.isUpAndAlive, "store \(to) may not take regions", sourceLocation: sourceLocation)
            if let i = r.voterStoreIDs.firstIndex(of: from) {
                r.voterStoreIDs[i] = to
                r.voterStoreIDs.sort()
                r.unhealthyStoreIDs.removeAll { $0 == from }
            } else {
                r.learnerStoreIDs.removeAll { $0 == from }
                r.learnerStoreIDs.append(to)
            }
            byID[rid] = r
        }
    }

    /// After the plan's moves, every store is within [⌊share⌋, ⌈share⌉].
    static func expectBalanced(_ plan: RemediationPlan, stores: [StoreSnapshot], kind: BalanceKind, weights: [UInt64: Double] = [:],
                               label: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        var counts = Dictionary(uniqueKeysWithValues: stores.map { ($0.id, kind == .leaders ? $0.leaderCount : $0.regionCount) })
        for step in plan.spec.steps {
            if let f = step.action.fromStoreID { counts[f, default: 0] -= 1 }
            if let t = step.action.toStoreID { counts[t, default: 0] += 1 }
        }
        let after = BalanceTargets(stores.map { ($0.id, counts[$0.id] ?? 0, weights[$0.id] ?? 1) })
        #expect(after.lowerBound == 0, "\(label) still out of band: \(after.stores.filter { $0.count < $0.lower || $0.count > $0.upper })",
                sourceLocation: sourceLocation)
    }

    /// Applies a plan's peer moves and store removals to the regions; true when no region that had a
    /// healthy majority loses it.
    static func keepsQuorum(_ plan: RemediationPlan, regions: [RegionPlacement], alive: Set<UInt64>) -> Bool {
        var byID = Dictionary(uniqueKeysWithValues: regions.map { ($0.id, $0) })
        let before = Set(regions.filter { Quorum.hasQuorum($0, alive: alive) }.map(\.id))
        var aliveAfter = alive
        for step in plan.spec.steps {
            let a = step.action
            switch a.kind {
            case .transferPeer:
                guard let rid = a.regionID, var r = byID[rid], let from = a.fromStoreID, let to = a.toStoreID else { continue }
                if let i = r.voterStoreIDs.firstIndex(of: from) {
                    r.voterStoreIDs[i] = to
                    r.unhealthyStoreIDs.removeAll { $0 == from }
                } else {
                    r.learnerStoreIDs.removeAll { $0 == from }
                    r.learnerStoreIDs.append(to)
                }
                byID[rid] = r
            case .offlineStore:
                if let s = a.storeID { aliveAfter.remove(s) }
            default:
                continue
            }
        }
        return before.allSatisfy { byID[$0].map { Quorum.hasQuorum($0, alive: aliveAfter) } ?? true }
    }
}
