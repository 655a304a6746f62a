import Foundation

/// What the hot-spot plans of the last hour did: the ranges they split and the regions whose leaders they moved.
struct HotSpotMemory {
    struct Split {
        var plan: String
        var regionID: UInt64
        var range: RegionKeyRange
        var at: Date
    }

    struct Move {
        var plan: String
        var from: UInt64
    }

    var splits: [Split] = []
    var moved: [UInt64: Move] = [:]

    init(_ ctx: PlanningContext) {
        let since = ctx.now.addingTimeInterval(-Playbooks.hotSpotMemory)
        for plan in ctx.plans where plan.spec.origin == .reconciler && plan.spec.concern.hasPrefix("hot-spot-store-") {
            for (i, step) in plan.spec.steps.enumerated() where i < plan.status.steps.count {
                let status = plan.status.steps[i]
                guard let id = step.action.regionID else { continue }
                switch (step.action.kind, status.phase) {
                // A split someone else made first is skipped as already done: the range it records is split all the same.
                case (.splitRegion, .succeeded), (.splitRegion, .skipped):
                    if let at = status.finishedAt, at >= since, let range = step.action.keyRange {
                        splits.append(Split(plan: plan.name, regionID: id, range: range, at: at))
                    }
                // A running move counts: PD may have moved the leader (and its hot flow) before the step is observed done,
                // and the target's own ticket must not answer it in that pass.
                case (.transferLeader, .succeeded), (.transferLeader, .running):
                    if let at = status.finishedAt ?? status.startedAt, at >= since {
                        moved[id] = Move(plan: plan.name, from: step.action.fromStoreID ?? 0)
                    }
                default:
                    continue
                }
            }
        }
    }

    /// The latest split whose range holds `keys` and is not `keys` itself: the region is one of its halves.
    func split(containing keys: RegionKeyRange) -> Split? {
        splits.filter { $0.range != keys && $0.range.contains(keys) }.max { $0.at < $1.at }
    }
}
