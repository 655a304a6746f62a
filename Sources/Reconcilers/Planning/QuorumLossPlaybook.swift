import Foundation

/// Regions without a quorum: the two real ways out, offered side by side as alternatives.
///
/// - `restore-stores-<ids>`: bring the stores back (restart TiKV, reconnect the host). Nothing PD can do does it, so the
///   plan sends nothing: its one step waits until the stores are alive, and approving it says someone is on it.
/// - `unsafe-recovery-stores-<ids>`: PD's online unsafe recovery (`remove-failed-stores`) gives the stores up; the lost
///   regions elect a leader among their survivors, and what only those stores held is gone. High risk and two people
///   whatever the approval policy (`TiKVSubject.minimumApprovals`).
///
/// Once one of them executes, the other is no longer offered.
extension Playbooks {
    static func quorumLoss(_ ticket: Ticket, _ ctx: PlanningContext) -> [PlannerOutcome] {
        guard let availability = ctx.snapshot.availability, availability.unavailableCount > 0 else { return [] }
        let failed = availability.storesHoldingLostVoters.filter { !(ctx.snapshot.store($0)?.isTombstone ?? false) }
        guard !failed.isEmpty else { return [] }
        let ids = failed.map(String.init).joined(separator: "-")
        let stores = HealthText.list(failed)
        let restoreConcern = "restore-stores-\(ids)"
        let recoverConcern = "unsafe-recovery-stores-\(ids)"
        let executing = { (concern: String) in
            PlanIdentity.current(concern, in: ctx.plans, cluster: ctx.clusterName)?.status.phase == .executing
        }
        let count = availability.isExact ? "\(availability.unavailableCount)" : "at least \(availability.unavailableCount)"
        let lost = "\(count) regions have a majority of their voters on stores \(stores), which are not alive: they elect no leader and serve no read or write"
        var sample = ""
        if let first = availability.unavailableSample.first {
            sample = " (e.g. region \(first.id), keys [\(first.startKey.isEmpty ? "-∞" : first.startKey), \(first.endKey.isEmpty ? "+∞" : first.endKey)))"
        }
        var outcomes: [PlannerOutcome] = []
        if executing(recoverConcern) {
            outcomes.append(PlannerOutcome(concern: restoreConcern, decision: .vanished(
                reason: "AlternativeChosen", message: "PD's unsafe recovery of stores \(stores) is running instead")))
        } else {
            let step = PlanStep(name: "wait-stores-up", action: .stores(.waitForStoresUp, failed),
                                preconditions: ["a person restarts TiKV on stores \(stores) or restores their network"],
                                expectedEffect: "stores \(stores) are alive", timeout: ctx.spec.execution.slowStepTimeout)
            outcomes.append(desired(ctx, concern: restoreConcern,
                                    reason: "\(lost)\(sample). Bring the stores back: restart TiKV on them, or reconnect their hosts. No PD call can do this; this plan sends nothing and succeeds when PD hears from every one of them again, which restores every region with no data lost. Prefer it whenever the stores' disks survive.",
                                    ticket: ticket, steps: [step]))
        }
        if executing(restoreConcern) {
            outcomes.append(PlannerOutcome(concern: recoverConcern, decision: .vanished(
                reason: "AlternativeChosen", message: "the stores \(stores) are being brought back instead")))
        } else {
            let step = PlanStep(name: "remove-failed-stores", action: .stores(.removeFailedStores, failed),
                                preconditions: ["stores \(stores) are not alive (PD refuses a store that is up and connected)",
                                                "the stores cannot be brought back with their data"],
                                expectedEffect: "stores \(stores) are Tombstone and PD recovers their regions from the surviving replicas",
                                timeout: ctx.spec.execution.slowStepTimeout)
            let blocked: (reason: String, message: String)? = availability.isExact ? nil
                : ("PreconditionUnknown", "the regions of not-alive stores \(HealthText.list(availability.storesUnread)) were not read: the failed stores are not all known")
            outcomes.append(desired(ctx, concern: recoverConcern,
                                    reason: "\(lost)\(sample). PD's online unsafe recovery (POST /admin/unsafe/remove-failed-stores {\"stores\":[\(failed.map(String.init).joined(separator: ","))]}) makes the stores Tombstone at once and forces each lost region to a leader among its surviving replicas. DATA LOSS: writes only the failed stores had applied are lost, regions with no surviving replica are re-created empty (their data is gone), and the stores can never rejoin. Irreversible; use it only when the stores cannot come back. Needs two people.",
                                    ticket: ticket, steps: [step], blocked: blocked))
        }
        return outcomes
    }
}
