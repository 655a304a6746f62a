import PDWire

/// One health invariant as a value: which it is, how a pass judges it, and how long it must stay broken before its
/// ticket opens. `Context` is what a pass of its subject reads (TiKV: `TiKVInvariantContext`); the grace period
/// comes from it too, since it is a setting people give.
public struct InvariantDefinition<Context>: Sendable {
    public let id: InvariantID
    /// The verdict on one pass.
    let evaluate: @Sendable (Context) -> InvariantVerdict
    let gracePeriod: @Sendable (Context) -> GoDuration

    public init(id: InvariantID, evaluate: @escaping @Sendable (Context) -> InvariantVerdict,
                gracePeriod: @escaping @Sendable (Context) -> GoDuration) {
        self.id = id
        self.evaluate = evaluate
        self.gracePeriod = gracePeriod
    }
}
