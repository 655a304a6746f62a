import PDWire

/// The invariants one subject is held to, as data: adding one is adding a definition, and the generic ticket
/// machinery (`InvariantTickets`) runs whatever the registry holds. A ticket whose invariant is not in its subject's
/// registry is not the pass's to move.
public struct InvariantRegistry<Context>: Sendable {
    /// In the order they were registered.
    public let definitions: [InvariantDefinition<Context>]

    /// Each id at most once: a ticket's key is `invariant/subject`, so two definitions of one id would fight over
    /// the same tickets. Registries are written in code, so a duplicate is a programming error caught by its tests.
    public init(_ definitions: [InvariantDefinition<Context>]) {
        precondition(Set(definitions.map(\.id)).count == definitions.count,
                     "an invariant is registered twice: \(definitions.map(\.id.rawValue).sorted())")
        self.definitions = definitions
    }

    public var ids: [InvariantID] { definitions.map(\.id) }

    public func definition(_ id: InvariantID) -> InvariantDefinition<Context>? {
        definitions.first { $0.id == id }
    }

    /// Every registered invariant's verdict on one pass, in `InvariantID` order.
    public func evaluate(_ context: Context) -> [InvariantVerdict] {
        definitions.map { $0.evaluate(context) }.sorted { $0.invariant < $1.invariant }
    }

    /// How long `id` must stay broken before its ticket opens; zero for an id not registered here.
    public func gracePeriod(_ id: InvariantID, _ context: Context) -> GoDuration {
        definition(id)?.gracePeriod(context) ?? .zero
    }
}
