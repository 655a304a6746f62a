/// How one admitted admin operator (one accepted `POST /operators`) left PD's operator controller: PD ended it with
/// a status its record shows, or PD lost it when a new leader took office with a fresh operator controller. Kept
/// for every admin operator, in the order they left, so a test can tell a resend PD made necessary (the earlier
/// operator lost or ended without effect) from a real duplicate. PD keeps no such history; only tests read it.
public struct AdminOperatorFate: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// PD ended it: SUCCESS, CANCEL, TIMEOUT or REPLACE.
        case ended(OpStatus)
        /// Still running when PD's leader changed: the new leader never knew it, and it stopped where it was.
        case lostInLeaderChange
    }

    public var regionId: UInt64
    public var desc: String
    /// When PD admitted it (the cluster's true time, not PD's clock).
    public var startAtNanos: Int64
    /// When it ended or was lost (true time).
    public var leftAtNanos: Int64
    public var outcome: Outcome
    /// Steps it completed in the cluster (its effect so far) and the steps it had.
    public var stepsDone: Int
    public var stepCount: Int

    /// Nothing of it happened in the cluster: a resend cannot repeat anything it did.
    public var withoutEffect: Bool { stepsDone == 0 }
}
