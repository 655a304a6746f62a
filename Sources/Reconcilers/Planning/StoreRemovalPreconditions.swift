/// The checks before a store stops serving (drained, taken offline): enough Up stores remain for
/// PD's replica count, and no region loses its healthy majority without the store. The texts are
/// recorded in the plan's steps; a failing check becomes the plan's `Blocked` condition.
struct StoreRemovalPreconditions {
    let store: UInt64
    let context: PlanningContext

    var replicasText: String { "Up stores other than \(store) ≥ max-replicas (\(context.snapshot.settings.maxReplicas))" }
    var quorumText: String { "every region with a voter on store \(store) keeps a healthy majority without it" }

    /// Fewer Up stores than max-replicas would remain.
    var replicasBlocker: (reason: String, message: String)? {
        let remaining = context.upStores(excluding: store)
        let needed = context.snapshot.settings.maxReplicas
        guard remaining < needed else { return nil }
        return ("NotEnoughStores", "\(replicasText) fails: \(remaining) Up stores would remain for \(needed) replicas")
    }

    /// Regions that would lose quorum, or an unknown verdict when the regions were not fetched.
    /// `regions` is nil when the observation did not include the store's regions.
    func quorumBlocker(_ regions: [RegionPlacement]?) -> (reason: String, message: String)? {
        guard let regions else {
            return ("PreconditionUnknown", "\(quorumText): not checked yet, the regions of store \(store) are fetched for the next pass")
        }
        let lost = Quorum.regionsLosingQuorum(without: store, regions: regions, alive: context.aliveStores)
        guard !lost.isEmpty else { return nil }
        let shown = lost.prefix(10).map(String.init).joined(separator: ", ")
        return ("QuorumAtRisk", "\(quorumText) fails: \(lost.count) regions would lose quorum (\(shown)\(lost.count > 10 ? ", …" : ""))")
    }
}
