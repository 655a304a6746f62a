import Reconcilers
import Synchronization

/// What people did that the controller acts on, logged once as it first sees it: the kill switch turning on or off,
/// and each approval or rejection it counts on a plan. The CLI records these in the store; this is the controller's
/// side, so its log shows when the change took effect. Kept in memory: after a restart the kill switch, if on, and
/// the votes counted on active plans are logged once more.
final class PeopleActionLog: Sendable {
    private struct State {
        var killSwitch: Bool?
        /// Per cluster, the votes counted in its last pass.
        var votes: [String: Set<Vote>] = [:]
    }

    /// A vote as the log names it; the same person deciding again later is a new vote.
    struct Vote: Hashable {
        var plan: String
        var revision: String
        var principal: String
        var approve: Bool
        var source: String
        var createdAt: Double
    }

    private let state = Mutex(State())

    /// The kill switch as read by a pass: a line when it differs from what the last pass read (or, first, when on).
    func killSwitch(_ on: Bool) -> [PassDecision] {
        let was = state.withLock { s in
            defer { s.killSwitch = on }
            return s.killSwitch
        }
        guard was != on, was != nil || on else { return [] }
        return [PassDecision(.notice, on ? "Kill switch on: no step is sent, running plans are cancelled" : "Kill switch off", [:])]
    }

    /// A cluster that is gone: nothing of it is kept.
    func forget(cluster: String) {
        _ = state.withLock { $0.votes.removeValue(forKey: cluster) }
    }

    /// The votes counted on `cluster`'s plans in this pass: a line for each one its last pass did not count.
    func counted(_ votes: [ApprovalVote], cluster: String) -> [PassDecision] {
        let now = votes.map { Vote(plan: $0.plan, revision: $0.revision, principal: $0.approver, approve: $0.approve,
                                   source: $0.source, createdAt: $0.createdAt.timeIntervalSince1970) }
        let before = state.withLock { s in
            defer { s.votes[cluster] = Set(now) }
            return s.votes[cluster] ?? []
        }
        var seen = before
        return now.filter { seen.insert($0).inserted }.map { v in
            PassDecision(.notice, v.approve ? "Approval counted" : "Rejection counted", [
                "plan": v.plan, "revision": v.revision, "principal": v.principal,
                "decision": v.approve ? "approve" : "reject", "source": v.source,
            ])
        }
    }
}
