import Foundation

/// What the core's gates read for one step of one plan of any subject.
public struct SubjectGateInput<S: Subject>: Sendable {
    public var killSwitch: Bool
    public var mode: ClusterMode
    public var paused: Bool
    public var maintenanceWindows: [MaintenanceWindow]
    public var limits: Limits
    public var snapshot: S.Snapshot
    /// How old a snapshot may be and still justify a request.
    public var maxSnapshotAge: TimeInterval
    public var approval: ApprovalVerdict
    /// Requests of this subject in flight (sent, effect not yet observed).
    public var inFlightSteps: Int
    /// Requests sent in the last hour.
    public var actionsLastHour: Int
    public var action: S.Action
    public var reads: S.StepReads
    public var now: Date

    public init(killSwitch: Bool, mode: ClusterMode, paused: Bool, maintenanceWindows: [MaintenanceWindow], limits: Limits,
                snapshot: S.Snapshot, maxSnapshotAge: TimeInterval, approval: ApprovalVerdict, inFlightSteps: Int,
                actionsLastHour: Int, action: S.Action, reads: S.StepReads, now: Date) {
        self.killSwitch = killSwitch
        self.mode = mode
        self.paused = paused
        self.maintenanceWindows = maintenanceWindows
        self.limits = limits
        self.snapshot = snapshot
        self.maxSnapshotAge = maxSnapshotAge
        self.approval = approval
        self.inFlightSteps = inFlightSteps
        self.actionsLastHour = actionsLastHour
        self.action = action
        self.reads = reads
        self.now = now
    }
}

/// The gates every request of every subject passes, in this order (DESIGN.md §4): kill switch → mode → paused →
/// maintenance window → snapshot complete and fresh → approval → effect already holds (idempotency) → limits →
/// the subject's own gates (`Subject.gate`). The first that holds wins; one that cannot decide holds.
public enum GateOrder {
    public static func evaluate<S: Subject>(_ g: SubjectGateInput<S>) -> GateVerdict {
        if g.killSwitch { return .blocked(.killSwitch, "the kill switch is on: nothing is executed (operator kill-switch off)") }
        switch g.mode {
        case .observe: return .blocked(.mode, "mode is observe: plans are computed and shown, never executed")
        case .dryRun: return .blocked(.mode, "mode is dryRun: each step records the exact \(S.service) request it would send; nothing is sent")
        case .execute: break
        }
        if g.paused { return .blocked(.paused, "spec.paused is set on the cluster") }
        if !g.maintenanceWindows.isEmpty, !g.maintenanceWindows.contains(where: { isOpen($0, at: g.now) }) {
            return .blocked(.maintenanceWindow, "outside every maintenance window (\(g.maintenanceWindows.map(\.schedule.description).joined(separator: "; ")))")
        }
        if !g.snapshot.isComplete {
            return .blocked(.snapshot, "the last observation is incomplete: \(g.snapshot.incompleteReasons.joined(separator: "; "))")
        }
        if !g.snapshot.isFresh(at: g.now, maxAge: g.maxSnapshotAge) {
            return .blocked(.snapshot, "the last observation is \(Int(g.now.timeIntervalSince(g.snapshot.completedAt)))s old (limit \(Int(g.maxSnapshotAge))s)")
        }
        switch g.approval.outcome {
        case .approved: break
        case .rejected: return .blocked(.approval, g.approval.message)
        case .waiting: return .blocked(.approval, g.approval.message)
        }
        // Idempotency before limits: a step whose effect already holds costs no request.
        if S.mutates(g.action) {
            switch S.effect(of: g.action, on: g.snapshot, reads: g.reads) {
            case .holds(let why): return .alreadyDone(why)
            case .notYet, .unknown: break
            }
        }
        if g.inFlightSteps >= g.limits.maxInFlightSteps {
            return .blocked(.limits, "\(g.inFlightSteps) step(s) in flight (limit \(g.limits.maxInFlightSteps))")
        }
        if g.actionsLastHour >= g.limits.maxActionsPerHour {
            return .blocked(.limits, "\(g.actionsLastHour) action(s) in the last hour (limit \(g.limits.maxActionsPerHour))")
        }
        if let held = S.gate(g.action, snapshot: g.snapshot, reads: g.reads, limits: g.limits, now: g.now) {
            return .blocked(held.gate, held.why)
        }
        return .pass
    }

    static func isOpen(_ w: MaintenanceWindow, at now: Date) -> Bool {
        guard let zone = TimeZone(identifier: w.timeZone) else { return false }  // cannot decide: closed
        return w.schedule.windowIsOpen(at: now, duration: Double(w.duration.nanoseconds) / 1e9, timeZone: zone)
    }
}
