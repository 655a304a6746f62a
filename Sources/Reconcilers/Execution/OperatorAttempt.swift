import Foundation

/// Resuming a running region move by what PD shows (after a crash, or a call lost on the way): PD's latest operator on
/// the region is recognised as this attempt's by what it is, not by when it appeared, and the region itself shows what
/// a move PD forgot may already have done.
extension PlanExecution {
    /// How long after its intent a region step's operator must be visible in PD before the attempt
    /// counts as never sent (the controller died between the intent and the call, or the call was lost).
    public static let operatorVisibleWithin: TimeInterval = 10
    /// Allowed skew between PD's clock and the controller's when comparing an operator's creation time.
    static let clockSlack: TimeInterval = 2

    /// Calls lost between intent and PD before the step fails anyway (a controller that keeps dying).
    public static let maxLostCalls = 20

    /// nil while the attempt may still take effect; otherwise why it provably ended without effect, and
    /// whether it never reached PD at all. A successful operator always waits for its effect (PD marks
    /// success once the region reports it, so the effect shows in the next read); only this attempt's operator
    /// ending otherwise, or no trace of the attempt at all well after the intent, ends the attempt.
    static func attemptVerdict(_ op: RegionOperatorObservation?, action: Action, startedAt: Date, now: Date,
                               pdClockOffset: TimeInterval?, region: RegionPlacement) -> (reason: String, neverArrived: Bool)? {
        if let op, isThisAttempt(op, action: action, startedAt: startedAt, pdClockOffset: pdClockOffset) {
            guard op.ended, op.status.uppercased() != "SUCCESS" else { return nil }
            return ("PD's operator for this attempt ended \(op.status) without the expected effect", false)
        }
        guard now.timeIntervalSince(startedAt) > operatorVisibleWithin else { return nil }
        // No operator of this attempt: PD never got the call, or forgot it (a PD leader change drops operators and
        // their records). What PD may have started shows in the region itself: then nothing is sent again, and the
        // effect or the step's timeout decides.
        if partialTrace(action, region) != nil { return nil }
        return op == nil
            ? ("PD shows no operator on the region \(Int(operatorVisibleWithin))s after the intent and the region shows no trace of it: the call never took effect", true)
            : ("PD's latest operator on the region is not this attempt's (\(op.map(\.description) ?? "")) and the region shows no trace of it: the call never took effect", true)
    }

    /// The controller's own operator for this attempt: an admin operator whose steps name the step's target (a split:
    /// PD's split step), created (on PD's clock, brought to ours) no earlier than the attempt. A PD checker's or
    /// balancer's operator, or an older admin one, is someone else's.
    static func isThisAttempt(_ op: RegionOperatorObservation, action: Action, startedAt: Date, pdClockOffset: TimeInterval?) -> Bool {
        guard op.isAdmin else { return false }
        let namesTarget = op.steps.contains { step in
            switch (action.kind, step) {
            case (.transferLeader, .transferLeader(_, let target)): target == action.toStoreID
            case (.transferPeer, .addLearner(_, let store)), (.transferPeer, .addPeer(_, let store)): store == action.toStoreID
            // A split names no store: PD's one SplitRegion step (step.go `split region with policy …`).
            case (.splitRegion, .other(let text)): text.hasPrefix("split region with policy")
            default: false
            }
        }
        guard namesTarget, let created = op.createdAt else { return false }
        return created.addingTimeInterval(-(pdClockOffset ?? 0)) >= startedAt.addingTimeInterval(-clockSlack)
    }

    /// What a move leaves in its region before it completes: a learner (or voter) already on the target, or a
    /// membership change in progress. A leader transfer leaves nothing partial.
    static func partialTrace(_ action: Action, _ region: RegionPlacement) -> String? {
        guard action.kind == .transferPeer, let to = action.toStoreID else { return nil }
        if region.inJointState { return "region \(region.id) is in a joint state" }
        if region.storeIDs.contains(to) { return "region \(region.id) already has a peer on store \(to)" }
        return nil
    }
}
