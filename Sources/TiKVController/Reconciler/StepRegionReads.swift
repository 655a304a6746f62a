import Foundation
import PDWire
import Reconcilers
import TiKVObservation

/// The reads that steps in progress need beyond the pass's observation: a few single-region and per-store
/// reads, fresh at the moment their gates and effects are judged.
package enum StepRegionReads {
    /// Fresh placements of the regions that steps in progress name, and PD's latest operator on each:
    /// a few single-region reads. A region whose operator cannot be read is left out, so its step keeps
    /// waiting rather than being judged on a failed read. Their keys are kept: a handful cost nothing, ranged
    /// placement rules judge a move by them, and a split is observed by its region's range.
    static func regions(_ plans: [RemediationPlan], cluster: TiKVCluster, observer: ClusterObserver) async
        -> (regions: [UInt64: RegionPlacement], operators: [UInt64: RegionOperatorObservation])
    {
        let ids = PlanExecution.regionsToObserve(plans, limits: cluster.spec.limits)
        guard !ids.isEmpty else { return ([:], [:]) }
        let pd = observer.pd
        // A few regions at a time: a batch of 32 leader moves is 64 small reads.
        let answers = await withTaskGroup(of: (UInt64, RegionPlacement?, RegionOperatorObservation?).self) { group in
            var next = ids.makeIterator()
            func addNext() {
                guard let id = next.next() else { return }
                group.addTask {
                    // The operator first: once PD reports it done, the region read after it shows its effect.
                    let op: OperatorWithStatus?
                    do { op = try await pd.operatorStatus(regionID: id) } catch { return (id, nil, nil) }
                    guard let info = try? await pd.region(id: id) else { return (id, nil, nil) }
                    let observed = op.map {
                        RegionOperatorObservation(createdAt: $0.op.createdAt?.date, ended: $0.status.isTerminal, status: "\($0.status)",
                                                  description: $0.op.desc, isAdmin: $0.op.isAdmin, steps: $0.op.steps)
                    }
                    return (id, SnapshotMapping.placement(info, keepKeys: true), observed)
                }
            }
            for _ in 0..<8 { addNext() }
            var all: [(UInt64, RegionPlacement?, RegionOperatorObservation?)] = []
            for await answer in group {
                all.append(answer)
                addNext()
            }
            return all
        }
        var regions: [UInt64: RegionPlacement] = [:]
        var operators: [UInt64: RegionOperatorObservation] = [:]
        for (id, placement, op) in answers {
            regions[id] = placement
            operators[id] = op
        }
        return (regions, operators)
    }

    /// The regions of each store an offline step may take down this pass, read now so its quorum gate is
    /// judged on them and not on an older planning read. A store whose list cannot be read in full is left
    /// out, and its gate blocks (unknown is never passed).
    static func storesToTakeOffline(_ plans: [RemediationPlan], observer: ClusterObserver) async -> [UInt64: [RegionPlacement]] {
        var out: [UInt64: [RegionPlacement]] = [:]
        for id in PlanExecution.storesToObserve(plans) {
            var placements: [RegionPlacement] = []
            do {
                for try await info in observer.pd.regions(onStore: id) { placements.append(SnapshotMapping.placement(info)) }
                out[id] = placements
            } catch {
                continue
            }
        }
        return out
    }
}
